#!/usr/bin/env bash
# Install what is needed, build everything, and run every test.
#   scripts/test.sh              release build in build/
#   scripts/test.sh --sanitize   ASan + UBSan build in build-asan/
# Tests (and benchmarks) are switched on explicitly: build/ may hold scripts/demo.sh's cache, where both are OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-tests
if [[ "${1:-}" == "--sanitize" ]]; then
  export BUILD_DIR=build-asan
  scripts/build.sh -DSILICO_SANITIZE=ON -DSILICO_BUILD_TESTS=ON -DSILICO_BUILD_BENCH=OFF
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
else
  export BUILD_DIR=build
  scripts/build.sh -DSILICO_BUILD_TESTS=ON -DSILICO_BUILD_BENCH=ON
fi
cd "$BUILD_DIR"
# --no-tests=error: a build without tests must fail here, not pass with "No tests were found!!!".
ctest --output-on-failure --no-tests=error -j "$(nproc)" --timeout 1200
