#!/usr/bin/env bash
# The report of ISF's 18,000 imported trials (bench/RESULTS.md, "Report"): how long `silico report` takes, how
# big the file is, and how long headless Chromium needs to draw it. Run from the checkout after a build:
#   bench/report_bench.sh [RUNS]        (default 5; SILICO=path/to/silico, CHROMIUM=path/to/chromium)
# "rendered" is the page's own mark (data-silico-rendered: performance.now() when every figure is painted,
# from the start of navigation: parsing 1 MB of ECharts and the data included); "chromium" is the wall time
# of the whole headless run (browser start, load, render, DOM dump, exit).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
silico=${SILICO:-build/runner/silico}
chromium=${CHROMIUM:-chromium}
table=../shared/isf/getting_started/example_data/simulation_data/18000_trials/spike_times.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$silico" --store "$tmp/s" import isf-spike-times "$table" --as isf18000 > /dev/null
sandbox=()
[[ $(id -u) -eq 0 ]] && sandbox=(--no-sandbox)
now() { date +%s%N; }
gen=() ren=() wall=()
for ((i = 0; i < runs; ++i)); do
  t0=$(now)
  "$silico" --store "$tmp/s" report isf18000 -o "$tmp/report.html" --group-by 'index~^([^_]+)' > /dev/null
  t1=$(now)
  gen+=($(((t1 - t0) / 1000000)))
  t0=$(now)
  dom=$("$chromium" --headless "${sandbox[@]}" --disable-gpu --no-first-run --disable-background-networking \
    --user-data-dir="$tmp/profile$i" --window-size=1400,1000 --dump-dom "file://$tmp/report.html" 2> /dev/null)
  t1=$(now)
  wall+=($(((t1 - t0) / 1000000)))
  ren+=($(grep -o 'data-silico-rendered="[0-9]*"' <<< "$dom" | grep -o '[0-9]*'))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "runs: $runs"
echo "silico report (ms): ${gen[*]} -> median $(median "${gen[@]}")"
echo "file size (bytes): $(stat -c %s "$tmp/report.html")"
echo "rendered mark (ms): ${ren[*]} -> median $(median "${ren[@]}")"
echo "chromium wall (ms): ${wall[*]} -> median $(median "${wall[@]}")"
