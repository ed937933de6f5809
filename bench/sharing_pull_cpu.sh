#!/usr/bin/env bash
# CPU time of the pulls alone (bench/RESULTS.md "## Sharing"), for a loaded machine where wall time is noise:
# for each sharing_bench binary given, the process's user + system CPU of the plain, 4-connection, no-fsync
# pull run with 4 repetitions minus the same run with 1 repetition (the setup, generating and serving the
# 1,000 trials, cancels out), divided by the 9 pulls in between (3 iterations per repetition).
#   bench/sharing_pull_cpu.sh BEFORE_BINARY AFTER_BINARY
set -euo pipefail
filter='--benchmark_filter=BM_Pull1000Trials/tls:0/connections:4/fsync:0'
cpu_of() {  # binary repetitions -> user+sys seconds
    local t
    t=$(mktemp)
    /usr/bin/time -f "%U %S" -o "$t" "$1" "$filter" --benchmark_repetitions="$2" >/dev/null 2>&1
    awk '{print $1 + $2}' "$t"
    rm -f "$t"
}
uptime
for bin in "$@"; do
    one=$(cpu_of "$bin" 1)
    four=$(cpu_of "$bin" 4)
    awk -v b="$bin" -v a="$one" -v c="$four" 'BEGIN{printf "%s: %.2f s CPU per pull of 1,000 trials\n", b, (c - a) / 9}'
done
uptime
