#!/usr/bin/env bash
# Whether builds compute the same bits: each binary runs each case of bench/cell86_recipes.sh on an empty
# store and exports the soma traces (`silico export --what traces`); prints the sha256 of the values.
#   bench/exact_bits.sh SILICO [SILICO ...]
#   CASES="fixed cvode evoked evoked_cvode" bench/exact_bits.sh ...   (the default)
# Equal digests for one case mean byte-identical traces. A failed export prints its error instead.
set -euo pipefail
(($# >= 1)) || { sed -n '2,6p' "$0" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
source "$here/cell86_recipes.sh"
cases=${CASES:-fixed cvode evoked evoked_cvode}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for case in $cases; do cell86_recipe "$case" > "$work/$case.toml"; done
printf '%-40s %-14s %s\n' binary case sha256_of_soma_traces
run=0
for silico in "$@"; do
  for case in $cases; do
    out="$work/run-$((++run))"
    mkdir -p "$out"
    "$silico" --store "$out/store" run "$work/$case.toml" --executor local:1 >/dev/null 2>"$out/log"
    if "$silico" --store "$out/store" export "$work/$case.toml" --what traces -o "$out/v.npy" \
        >/dev/null 2>>"$out/log"; then
      digest=$(sha256sum "$out/v.npy" | cut -d' ' -f1)
    else
      digest="export failed: $(grep -m1 'error' "$out/log")"
    fi
    printf '%-40s %-14s %s\n' "$silico" "$case" "$digest"
  done
done
