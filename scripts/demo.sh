#!/usr/bin/env bash
# The main job: install what is needed, build, and run the demo recipe on the default store.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DSILICO_BUILD_TESTS=OFF -DSILICO_BUILD_BENCH=OFF
silico=build/runner/silico
"$silico" --version
