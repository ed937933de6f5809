#!/usr/bin/env bash
# The report of ISF's 18,000 imported trials (bench/RESULTS.md, "Report"): how long `silico report` takes, how
# big the file is, and how long headless Chromium needs to draw it. Run from the checkout after a build:
#   bench/report_bench.sh [RUNS] [CASE]  (default 5; SILICO=path/to/silico, CHROMIUM=path/to/chromium)
# CASE: isf18000 (default: the spike table, grouped by whisker); cell86x1002 (ISF's six 2015 evoked trials of
# cell 86 with traces and synapse activations, linked into 167 folders: 1,002 trials, imported as a simrun);
# recipe=FILE with STORE=folder (a recipe whose trials that store holds, e.g. 20 evoked trials of cell 86).
# SHOT=file.png [SHOT_SIZE=1400,2000] [SEEK=frame]: also a Chromium screenshot of the last report (SEEK: with
# the dendritic animation's slider moved to that frame first); KEEP=file.html keeps the last report;
# SETTLED=N loads the last report N times more and prints every figure's drawn pixels at the page's rendered
# mark and 3 s later (equal when the page was complete at its mark).
# "rendered" is the page's own mark (data-silico-rendered: performance.now() when every figure is painted,
# from the start of navigation: parsing 1 MB of ECharts and the data included); "chromium" is the wall time
# of the whole headless run (browser start, load, render, DOM dump, exit).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
silico=${SILICO:-build/runner/silico}
chromium=${CHROMIUM:-chromium}
case_=${2:-isf18000}
data=../shared/isf/getting_started/example_data/simulation_data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
store="$tmp/s"
case $case_ in
  isf18000)
    "$silico" --store "$store" import isf-spike-times "$data/18000_trials/spike_times.csv" --as isf18000 > /dev/null
    dataset=isf18000 args=(--group-by 'index~^([^_]+)') ;;
  cell86x1002)
    run=$(realpath "$data/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240")
    for ((i = 0; i < 167; ++i)); do
      mkdir -p "$tmp/tiled/copy_$i/20150815-1530_20240"
      ln -s "$run"/* "$tmp/tiled/copy_$i/20150815-1530_20240/"
    done
    "$silico" --store "$store" import isf-simrun "$tmp/tiled" --as cell86x1002 > /dev/null
    dataset=cell86x1002 args=() ;;
  recipe=*)
    store=${STORE:?recipe=FILE needs STORE=the store holding its trials}
    dataset=${case_#recipe=} args=() ;;
  *) echo "report_bench.sh: unknown case $case_" >&2; exit 2 ;;
esac
sandbox=()
[[ $(id -u) -eq 0 ]] && sandbox=(--no-sandbox)
now() { date +%s%N; }
gen=() ren=() wall=()
for ((i = 0; i < runs; ++i)); do
  t0=$(now)
  "$silico" --store "$store" report "$dataset" -o "$tmp/report.html" "${args[@]}" > /dev/null
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
[[ -n ${KEEP:-} ]] && cp "$tmp/report.html" "$KEEP"
if [[ -n ${SHOT:-} ]]; then
  shot_page="$tmp/report.html"
  if [[ -n ${SEEK:-} ]]; then  # the same page, the animation's slider at frame SEEK (as the e2e test does)
    shot_page="$tmp/seek.html"
    seek="<script>(function () { var s = document.querySelector('.silico-animation input[type=range]');"
    seek+=" s.value = '$SEEK'; s.dispatchEvent(new Event('input')); })();</script>"
    last=$(grep -n '</body>' "$tmp/report.html" | tail -1 | cut -d: -f1)
    awk -v n="$last" -v s="$seek" 'NR == n { print s } { print }' "$tmp/report.html" > "$shot_page"
  fi
  "$chromium" --headless "${sandbox[@]}" --disable-gpu --no-first-run --disable-background-networking \
    --hide-scrollbars --user-data-dir="$tmp/profile-shot" --window-size="${SHOT_SIZE:-1400,2000}" \
    --screenshot="$(realpath -m "$SHOT")" "file://$shot_page" > /dev/null 2>&1
  echo "screenshot: $SHOT ($(stat -c %s "$SHOT") bytes)"
fi
if [[ -n ${SETTLED:-} ]]; then
  # Every figure's saturated pixels (a series' colours; axes and text are grey) when the page says it is
  # drawn, and 3 s later: a figure still being painted at the mark has more by then. As the e2e test's probe.
  count='function(){var o=[];document.querySelectorAll(".silico-figure").forEach(function(f){var n=0;'
  count+='f.querySelectorAll("canvas").forEach(function(c){if(!c.width||!c.height)return;'
  count+='var k=document.createElement("canvas");k.width=c.width;k.height=c.height;var x=k.getContext("2d");'
  count+='x.drawImage(c,0,0);var d=x.getImageData(0,0,c.width,c.height).data;for(var i=0;i<d.length;i+=4)'
  count+='if(d[i+3]>0&&Math.max(d[i],d[i+1],d[i+2])-Math.min(d[i],d[i+1],d[i+2])>80)++n;});'
  count+='o.push(f.getAttribute("data-kind")+":"+n);});return o.join(",");}'
  probe="<script>(function(){var c=$count;var at=c();setTimeout(function(){"
  probe+="document.documentElement.setAttribute('data-settled',at+' | '+c());},3000);})();</script>"
  last=$(grep -n '</body>' "$tmp/report.html" | tail -1 | cut -d: -f1)
  awk -v n="$last" -v s="$probe" 'NR == n { print s } { print }' "$tmp/report.html" > "$tmp/settled.html"
  for ((i = 0; i < SETTLED; ++i)); do
    "$chromium" --headless "${sandbox[@]}" --disable-gpu --no-first-run --disable-background-networking \
      --user-data-dir="$tmp/profile-settled$i" --window-size=1400,1000 --virtual-time-budget=5000 \
      --dump-dom "file://$tmp/settled.html" 2> /dev/null | grep -o 'data-settled="[^"]*"' | sed 's/^/at the mark | 3 s later: /'
  done
fi
echo "case: $case_, runs: $runs"
echo "silico report (ms): ${gen[*]} -> median $(median "${gen[@]}")"
echo "file size (bytes): $(stat -c %s "$tmp/report.html")"
echo "rendered mark (ms): ${ren[*]} -> median $(median "${ren[@]}")"
echo "chromium wall (ms): ${wall[*]} -> median $(median "${wall[@]}")"
