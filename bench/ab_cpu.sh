#!/usr/bin/env bash
# Two builds of a command, alternated: the CPU time (user + system, /usr/bin/time) of each run and the
# median per binary. Machines of this kind drift by up to 1.5x within minutes, so only runs alternated
# back to back compare (bench/RESULTS.md). Usage, from the checkout:
#   bench/ab_cpu.sh RUNS OLD_BINARY NEW_BINARY -- ARGUMENTS...
# e.g. bench/ab_cpu.sh 7 /tmp/silico.old build/runner/silico -- --store S query synapses R --csv
# An argument {fresh} becomes a new empty directory for every run, so that `run` simulates instead of finding
# the previous run's trials: bench/ab_cpu.sh 3 OLD NEW -- --store {fresh} run R --executor local:1
set -euo pipefail
runs=$1 old=$2 new=$3
shift 3
[[ ${1:-} == -- ]] && shift
times=$(mktemp)
trap 'rm -f "$times"' EXIT
echo "$(lscpu | grep -E '^Model name:' | tr -s ' '); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 0; i < runs; ++i)); do
  for binary in "$old" "$new"; do
    fresh=$(mktemp -d)
    /usr/bin/time -f "$binary %U %S" -a -o "$times" "$binary" "${@//\{fresh\}/$fresh/store}" > /dev/null
    rm -rf "$fresh"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for binary in "$old" "$new"; do
  awk -v b="$binary" '$1 == b { printf "%.2f\n", $2 + $3 }' "$times" | sort -n |
    awk -v b="$binary" '{ a[NR] = $1; all = all " " $1 }
      END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%s: median %.2f s CPU of %d runs (sorted:%s)\n", b, m, NR, all }'
done
