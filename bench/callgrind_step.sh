#!/usr/bin/env bash
# Instruction counts of one short current step of cell 86, for before/after comparisons of the exact mode that
# do not depend on the machine's load (bench/RESULTS.md, "Exact mode: what changed, measured in instructions").
#   bench/callgrind_step.sh SILICO [SILICO ...]     e.g. a build of the base commit and one of the change
# For each binary and each solver (fixed dt 0.025, CVODE): cell 86 as shipped, 0.793 nA soma step 20-120 ms,
# tstop 150 ms, run once under callgrind on an empty store. Prints the worker's total instructions and those
# inside fadvance() (the simulation alone, without start-up and the cell build).
set -euo pipefail
(($# >= 1)) || { sed -n '2,7p' "$0" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "callgrind_step: valgrind is not installed" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
isf=$(cd "$here/../../shared/isf" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for solver in fixed cvode; do
  cat > "$work/step_$solver.toml" <<RECIPE
[paths]
IN_SILICO_FRAMEWORK_DIR = "$isf"

[experiment]
name = "callgrind-step-$solver"
protocol = "current_step"

[cell]
biophysics = "[IN_SILICO_FRAMEWORK_DIR]/getting_started/example_data/biophysical_constraints/86_C2_center.param.TEMPLATE"

[[stimulus.step]]
amplitude = 0.793
delay = 20.0
duration = 100.0

[simulation]
tstop = 150.0
dt = 0.025
solver = "$solver"
temperature = 34.0
v_init = -75.0
RECIPE
done
printf '%-40s %-6s %18s %18s\n' binary solver worker_instr fadvance_instr
run=0
for silico in "$@"; do
  for solver in fixed cvode; do
    out="$work/cg-$solver-$((++run))"  # one directory per run: the worker is picked among its files
    mkdir -p "$out"
    valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$out/cg.%p" \
      "$silico" --store "$out/store" run "$work/step_$solver.toml" --executor local:1 >/dev/null 2>"$out/log"
    # The worker is the process that ran the most instructions (the runner only waits for it).
    worker=$(for f in "$out"/cg.*; do echo "$(grep -m1 '^summary:' "$f" | awk '{print $2}') $f"; done |
      sort -n | tail -1)
    total=${worker%% *}
    # NEURON's symbols are C++ ("???:fadvance() [libnrniv.so]"); --threshold=100 lists every function.
    fadvance=$(callgrind_annotate --inclusive=yes --threshold=100 "${worker#* }" 2>/dev/null |
      awk '!found && index($0, ":fadvance() ") { gsub(",", "", $1); print $1; found = 1 }')
    printf '%-40s %-6s %18s %18s\n' "$silico" "$solver" "$total" "${fadvance:-?}"
  done
done
