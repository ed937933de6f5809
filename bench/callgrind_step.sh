#!/usr/bin/env bash
# Instruction counts of short runs of cell 86, for before/after comparisons of the exact mode that do not
# depend on the machine's load (bench/RESULTS.md, "Exact mode: what changed, measured in instructions").
#   bench/callgrind_step.sh SILICO [SILICO ...]     e.g. a build of the base commit and one of the change
#   CASES="fixed cvode evoked evoked_fast" bench/callgrind_step.sh ...   (default: fixed cvode)
#   KEEP=DIR bench/callgrind_step.sh ...   keeps each run's callgrind files in DIR/cg-CASE-N/ (the worker's is
#   named in the last column), for callgrind_annotate
# The cases (fixed, cvode, evoked, evoked_cvode, evoked_fast) are those of bench/cell86_recipes.sh.
# Each binary and case runs once under callgrind on an empty store. Prints the worker's total instructions
# and those inside fadvance() (the simulation alone, without start-up, the cell build and the network).
set -euo pipefail
(($# >= 1)) || { sed -n '2,10p' "$0" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "callgrind_step: valgrind is not installed" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cell86_recipes.sh"
cases=${CASES:-fixed cvode}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
keep=${KEEP:-}

for case in $cases; do cell86_recipe "$case" > "$work/$case.toml"; done
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
