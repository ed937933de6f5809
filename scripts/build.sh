#!/usr/bin/env bash
# Configures and builds silico into BUILD_DIR (default: build). Extra arguments go to cmake's configure step.
#   scripts/build.sh                     release build with tests and benchmarks
#   BUILD_DIR=build-asan scripts/build.sh -DSILICO_SANITIZE=ON
# The test and benchmark options are always passed, so a cache left by scripts/demo.sh (both OFF) never
# decides what this build holds; later arguments win. Toggling them changes no compile flag, so switching
# between demo.sh and test.sh builds only the targets that were missing.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} \
  -DSILICO_BUILD_TESTS=ON -DSILICO_BUILD_BENCH=ON "$@" >/dev/null
cmake --build "$build_dir" -j "$jobs"
