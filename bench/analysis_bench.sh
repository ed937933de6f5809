#!/usr/bin/env bash
# bench/RESULTS.md "Analysis": silico's analysis benchmarks and the pandas + numpy peer, one after the other on
# the same machine, with the CPU model and the load before and after. Run from the checkout:
#   bench/analysis_bench.sh [BUILD_DIR]     (BUILD_DIR configured with -DSILICO_BUILD_BENCH=ON; default build)
#   bench/analysis_bench.sh build '[Ss]ynapse'   (only the synapse-binning benchmark and its peer)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
only=${2:-}  # a regular expression: only the benchmarks (and peer measurements) whose names match
data=../shared/isf/getting_started/example_data/simulation_data
echo "== $(date -u +%Y-%m-%dT%H:%MZ)"
lscpu | grep -E '^(Model name|CPU\(s\)):'
echo "load before: $(uptime)"
"$build/bench/analysis_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true ${only:+--benchmark_filter="$only"}
echo "== peer: pandas $(/usr/bin/python3 -c 'import pandas; print(pandas.__version__)'), numpy $(/usr/bin/python3 -c 'import numpy; print(numpy.__version__)')"
/usr/bin/python3 bench/isf_peer.py "$data" 5 "$only"
echo "load after: $(uptime)"
