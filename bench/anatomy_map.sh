#!/usr/bin/env bash
# Benchmark of `silico anatomy map` (issue 16): 50 realisations of ISF's cell 86 on the synthetic barrel
# cortex (all 24 columns, all 22 presynaptic types, 3 bouton lattices per folder), one thread, several runs.
# Prints wall time, user time and peak memory of every run and their medians. Results: bench/RESULTS.md.
#   bench/anatomy_map.sh [SILICO] [RUNS]
set -euo pipefail
SILICO=${1:-build/runner/silico}
RUNS=${2:-5}
SHARED=${SILICO_SHARED_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
CELL=$SHARED/isf/getting_started/example_data/anatomical_constraints/86_C2_center.hoc
WORK=${TMPDIR:-/tmp}/silico_anatomy_bench
DATA=$WORK/barrel_cortex
mkdir -p "$WORK"
if [ ! -f "$DATA/nrCells.csv" ]; then
  "$SILICO" anatomy generate-synthetic -o "$DATA" > /dev/null
fi
echo "data: $DATA ($(du -sh "$DATA" | cut -f1), $(find "$DATA" -name '*.am' | wc -l) lattices)"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
echo "load before: $(uptime)"
walls=(); users=(); rss=()
for i in $(seq 1 "$RUNS"); do
  rm -rf "$WORK/out"
  /usr/bin/time -f "%e %U %M" -o "$WORK/time.txt" \
    "$SILICO" anatomy map --morphology "$CELL" --cell-type L5tt --barrel-cortex "$DATA" \
      --realisations 50 --seed "$i" --threads 1 -o "$WORK/out" > "$WORK/run.txt"
  read -r w u m < "$WORK/time.txt"
  echo "run $i: wall ${w} s, user ${u} s, max RSS ${m} KB; $(sed -n 1p "$WORK/run.txt" | sed 's/.*representative/representative/')"
  walls+=("$w"); users+=("$u"); rss+=("$m")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "median: wall $(median "${walls[@]}") s, user $(median "${users[@]}") s, max RSS $(median "${rss[@]}") KB"
echo "load after: $(uptime)"
