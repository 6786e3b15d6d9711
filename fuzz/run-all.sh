#!/usr/bin/env bash
# Runs every fuzz target for 10 million executions (or until a crash) and
# prints libFuzzer's final statistics line for each.
#   bash fuzz/run-all.sh [RUNS]
set -uo pipefail
cd "$(dirname "$0")"
runs="${1:-10000000}"
for target in responses filter patch_path; do
  mkdir -p "corpus/$target"
  start=$(date +%s)
  cargo +nightly fuzz run "$target" "corpus/$target" -- -runs="$runs" -max_len=4096 -print_final_stats=1 \
    > "logs-$target.txt" 2>&1
  status=$?
  echo "$target: exit $status after $(( $(date +%s) - start )) s; $(grep -E '^stat::number_of_executed_units' "logs-$target.txt" | tail -1)"
done
