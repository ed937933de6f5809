#!/usr/bin/env bash
# Configures and builds silico into BUILD_DIR (default: build). Extra arguments go to cmake's configure step.
#   scripts/build.sh                     release build with tests and benchmarks
#   BUILD_DIR=build-asan scripts/build.sh -DSILICO_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$build_dir" -j "$jobs"
