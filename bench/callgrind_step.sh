#!/usr/bin/env bash
# Instruction counts of short runs of cell 86, for before/after comparisons of the exact mode that do not
# depend on the machine's load (bench/RESULTS.md, "Exact mode: what changed, measured in instructions").
#   bench/callgrind_step.sh SILICO [SILICO ...]     e.g. a build of the base commit and one of the change
#   CASES="fixed cvode evoked evoked_fast" bench/callgrind_step.sh ...   (default: fixed cvode)
#   KEEP=DIR bench/callgrind_step.sh ...   keeps each run's callgrind files in DIR/cg-CASE-N/ (the worker's is
#   named in the last column), for callgrind_annotate
# fixed, cvode: cell 86 as shipped, 0.793 nA soma step 20-120 ms, tstop 150 ms, fixed dt 0.025 or CVODE.
# evoked: one evoked trial with ISF's C2 network (seed 1234, ISF's stream), 100 ms, fixed dt 0.025.
# evoked_fast: the same trial, 300 ms, in the fast mode (secondorder 2, dt 0.05, rate tables).
# Each binary and case runs once under callgrind on an empty store. Prints the worker's total instructions
# and those inside fadvance() (the simulation alone, without start-up, the cell build and the network).
set -euo pipefail
(($# >= 1)) || { sed -n '2,12p' "$0" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "callgrind_step: valgrind is not installed" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
isf=$(cd "$here/../../shared/isf" && pwd)
data="[IN_SILICO_FRAMEWORK_DIR]/getting_started/example_data"
cases=${CASES:-fixed cvode}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
keep=${KEEP:-}

# The recipe of one case.
recipe() {
  local case=$1 protocol=current_step simulation
  case $case in
    fixed | cvode) simulation="tstop = 150.0
dt = 0.025
solver = \"$case\"
temperature = 34.0
v_init = -75.0" ;;
    evoked) protocol=evoked simulation='tstop = 100.0
dt = 0.025
units = "modern"
trials = 1' ;;
    evoked_fast) protocol=evoked simulation='tstop = 300.0
dt = 0.05
units = "modern"
trials = 1

[simulation.fast]
secondorder = 2
rate_tables = true' ;;
    *) echo "callgrind_step: unknown case '$case' (fixed, cvode, evoked, evoked_fast)" >&2; exit 2 ;;
  esac
  printf '[paths]\nIN_SILICO_FRAMEWORK_DIR = "%s"\n\n[experiment]\nname = "callgrind-%s"\nprotocol = "%s"\n\n' \
    "$isf" "${case//_/-}" "$protocol"
  printf '[cell]\nbiophysics = "%s/biophysical_constraints/86_C2_center.param.TEMPLATE"\n\n' "$data"
  if [[ $protocol == evoked ]]; then
    printf '[input]\nnetwork = "%s/functional_constraints/network.param.TEMPLATE"\n\n' "$data"
    printf '[seeds]\nmode = "isf"\nroot = 1234\n\n'
  else
    printf '[[stimulus.step]]\namplitude = 0.793\ndelay = 20.0\nduration = 100.0\n\n'
  fi
  printf '[simulation]\n%s\n' "$simulation"
}

for case in $cases; do recipe "$case" > "$work/$case.toml"; done
printf '%-40s %-12s %18s %18s\n' binary case worker_instr fadvance_instr
run=0
for silico in "$@"; do
  for case in $cases; do
    out="$work/cg-$case-$((++run))"  # one directory per run: the worker is picked among its files
    mkdir -p "$out"
    valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$out/cg.%p" \
      "$silico" --store "$out/store" run "$work/$case.toml" --executor local:1 >/dev/null 2>"$out/log"
    # The worker is the process that ran the most instructions (the runner only waits for it).
    worker=$(for f in "$out"/cg.*; do echo "$(grep -m1 '^summary:' "$f" | awk '{print $2}') $f"; done |
      sort -n | tail -1)
    total=${worker%% *}
    # NEURON's symbols are C++ ("???:fadvance() [libnrniv.so]"); --threshold=100 lists every function.
    fadvance=$(callgrind_annotate --inclusive=yes --threshold=100 "${worker#* }" 2>/dev/null |
      awk '!found && index($0, ":fadvance() ") { gsub(",", "", $1); print $1; found = 1 }')
    kept=
    if [[ -n $keep ]]; then
      mkdir -p "$keep" && cp -r "$out" "$keep/" && kept="$keep/$(basename "$out")/$(basename "${worker#* }")"
    fi
    printf '%-40s %-12s %18s %18s %s\n' "$silico" "$case" "$total" "${fadvance:-?}" "$kept"
  done
done
