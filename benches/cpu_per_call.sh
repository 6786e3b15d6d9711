#!/usr/bin/env bash
# Client CPU per blocking `read_user` (1000 keep-alive calls), for two builds
# of benches/e2e.rs, interleaved five times, against 127.0.0.1 and against
# `localhost` (which goes through name resolution). Server and clients share
# core 1, so no inter-processor wake-up muddies the numbers.
#   bash benches/cpu_per_call.sh BEFORE_E2E_BINARY AFTER_E2E_BINARY
# Build each with `cargo bench --bench e2e --no-run` (e.g. in a `git worktree`
# of the older commit) and pass the printed executables.
set -euo pipefail
before=$1 after=$2
taskset -c 1 "$after" serve > "${TMPDIR:-/tmp}/e2e-serve.url" &
server=$!
trap 'kill $server' EXIT
sleep 1
url=$(head -1 "${TMPDIR:-/tmp}/e2e-serve.url")
for host in 127.0.0.1 localhost; do
  for round in 1 2 3 4 5; do
    for build in before after; do
      bin=$before; [ "$build" = after ] && bin=$after
      echo "$host $build $(taskset -c 1 "$bin" blocking "${url/127.0.0.1/$host}" 1000)"
    done
  done
done
