#!/usr/bin/env bash
# Morphology -> anatomy -> network -> evoked trials (docs/anatomy.md), no data beyond ../shared/isf's ISF
# templates: the example L5PT cell registered in C2 of silico's synthetic barrel cortex.
#   scripts/anatomy_demo.sh            (SILICO=path/to/silico, WORK=folder, SILICO_STORE=store to override)
set -euo pipefail
cd "$(dirname "$0")/.."
silico=${SILICO:-build/runner/silico}
work=${WORK:-${TMPDIR:-/tmp}/silico_anatomy_demo}
export SILICO_STORE=${SILICO_STORE:-$work/store}
cell=recipes/examples/cells/l5pt_example.hoc
if [ ! -f "$work/barrel_cortex/nrCells.csv" ]; then
  echo "== synthetic barrel cortex, C2's axis through the example cell's soma, pia 1300 µm above it"
  "$silico" anatomy generate-synthetic -o "$work/barrel_cortex" --c2-centre 0 0 --pia-z 1300
fi
echo "== silico anatomy map (50 realisations; the files go into the store under the mapping's key)"
"$silico" anatomy map --morphology "$cell" --cell-type L5tt --barrel-cortex "$work/barrel_cortex" --seed 1 \
  --cache -o "$work/anatomy"
echo "== again: the same key, so the files come from the store"
"$silico" anatomy map --morphology "$cell" --cell-type L5tt --barrel-cortex "$work/barrel_cortex" --seed 1 \
  --cache -o "$work/anatomy"
echo "== silico run recipes/examples/anatomy/anatomy_evoked.toml: its [input.anatomy] is the same mapping, from the store"
"$silico" run recipes/examples/anatomy/anatomy_evoked.toml --path barrel_cortex="$work/barrel_cortex"
echo "== again: every trial is in the store"
"$silico" run recipes/examples/anatomy/anatomy_evoked.toml --path barrel_cortex="$work/barrel_cortex"
"$silico" status recipes/examples/anatomy/anatomy_evoked.toml --path barrel_cortex="$work/barrel_cortex"
