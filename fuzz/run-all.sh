#!/usr/bin/env bash
# Runs every fuzz target of this folder, one after the other, for 10 million
# executions each (or until a crash), built with debug assertions and overflow
# checks (`--debug-assertions`) and AddressSanitizer, and prints libFuzzer's
# final statistics for each. Logs go to fuzz/logs-TARGET.txt, crashes to
# fuzz/artifacts/TARGET/.
#   bash fuzz/run-all.sh [RUNS]
#
# The in-memory service's target lives in crates/scim-memory/fuzz; run it with
#   cd crates/scim-memory/fuzz && cargo +nightly fuzz run --debug-assertions -s none \
#     memory_service corpus/memory_service -- -runs=10000000 -max_len=1024 -print_final_stats=1
set -uo pipefail
cd "$(dirname "$0")"
runs="${1:-10000000}"
for target in responses filter patch_path list_decoder retry_after; do
  mkdir -p "corpus/$target"
  start=$(date +%s)
  cargo +nightly fuzz run --debug-assertions "$target" "corpus/$target" -- \
    -runs="$runs" -max_len=4096 -print_final_stats=1 > "logs-$target.txt" 2>&1
  status=$?
  echo "$target: exit $status after $(( $(date +%s) - start )) s;" \
    "$(grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
      "logs-$target.txt" | tr -s ' \n' ' ')"
done
