#!/usr/bin/env bash
# The main job: install what is needed, build, and run the demo recipe on the default store.
#   1. silico run recipes/examples/demo.toml   six current-step trials on the shipped example L5PT cell
#   2. silico run ... again                    every trial found in the store: 100% cache hits, no worker
#   3. silico plan / status / store info       what was stored (keys, seeds, complete)
#   4. silico run recipes/examples/demo_evoked.toml   ten whisker-evoked trials of the example cell in its
#                                                     synthetic network (soma Vm + synapse activation stored)
#   5. silico query window / psth                     the answer: trials that spiked in the response window,
#                                                     and the PSTH around the deflection (docs/analysis.md)
#   6. silico run recipes/examples/demo_bac.toml      one BAC trial with every segment recorded, and its
#      silico report ... -o report_dendrites.html     report: the dendritic animation (docs/report.md)
#   7. silico report ... -o report.html               the evoked demo as one self-contained HTML page
#                                                     (docs/report.md); its path is the last line printed
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Tests and benchmarks OFF: they need the test packages, which install-deps.sh installs only --with-tests.
# scripts/test.sh switches them back ON explicitly, so this cache does not leave it without tests.
scripts/build.sh -DSILICO_BUILD_TESTS=OFF -DSILICO_BUILD_BENCH=OFF
silico=build/runner/silico
recipe=recipes/examples/demo.toml
"$silico" --version
echo "== silico run $recipe"
"$silico" run "$recipe"
echo "== silico run $recipe (again: everything is in the store)"
"$silico" run "$recipe"
echo "== silico plan $recipe"
"$silico" plan "$recipe"
echo "== silico status $recipe"
"$silico" status "$recipe"
evoked=recipes/examples/demo_evoked.toml
echo "== silico run $evoked (whisker deflection at 245 ms; ~3,000 synapses of 14 cell types, docs/example_cell.md)"
"$silico" run "$evoked"
echo "== silico status $evoked"
"$silico" status "$evoked"
echo "== silico store info"
"$silico" store info
echo "== silico query window $evoked --from 245 --to 265   (trials with a spike within 20 ms of the deflection)"
"$silico" query window "$evoked" --from 245 --to 265
echo "== silico query psth $evoked --from 235 --to 295 --bin 5   (spikes per trial and bin around the deflection)"
"$silico" query psth "$evoked" --from 235 --to 295 --bin 5
bac=recipes/examples/demo_bac.toml
echo "== silico run $bac   (BAC firing; v, Ca_LVAst.ica and cai of every segment every 0.2 ms)"
"$silico" run "$bac"
echo "== silico report $bac -o report_dendrites.html --window-from 20 --window-to 40   (the dendritic animation: play it in a browser)"
"$silico" report "$bac" -o report_dendrites.html --window-from 20 --window-to 40
echo "== silico report $evoked -o report.html   (summary, PSTH, raster, traces, mean ± SD, synapse heat map)"
"$silico" report "$evoked" -o report.html
