#!/usr/bin/env bash
# bench/RESULTS.md "Exports": wall time of `silico export` (the whole process: start, store open, dataset
# read, writing under a temporary name, rename) on ISF's shipped data, median of RUNS runs per export, with
# the CPU model and the load before and after. Run from the checkout:
#   bench/export_bench.sh [BUILD_DIR] [RUNS]      (default: build, 5)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-5}
silico=$(realpath "$build/runner/silico")
data=$(realpath ../shared/isf/getting_started/example_data/simulation_data)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "== $(date -u +%Y-%m-%dT%H:%MZ)"
lscpu | grep -E '^(Model name|CPU\(s\)):'
echo "load before: $(uptime)"
"$silico" --store s import isf-spike-times "$data/18000_trials/spike_times.csv" --as isf18000 >/dev/null
"$silico" --store s import isf-simrun "$data/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240" \
  --as run2015 >/dev/null

# median wall ms of `silico export ARGS`, and the size of what it wrote
measure() {
  local times=()
  for ((i = 0; i < runs; ++i)); do
    rm -rf out*
    local t0=$(date +%s%N)
    "$silico" --store s export "$@" >/dev/null
    local t1=$(date +%s%N)
    times+=($(((t1 - t0) / 1000)))
  done
  local median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  printf '%-58s %8.1f ms  %s\n' "$*" "$(echo "$median / 1000" | bc -l)" "$(du -sh out* | awk '{print $1}' | paste -sd+)"
}
for f in out.csv out.npy out.h5; do measure isf18000 --what spikes -o $f; done
measure isf18000 --what spikes --format sonata -o out.h5
for what in traces synapses presynaptic; do
  for f in out.csv out.npy out.h5; do measure run2015 --what $what -o $f; done
done
measure run2015 --format isf-simrun -o out
echo "load after: $(uptime)"
