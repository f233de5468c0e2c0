#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite: the release build, then the same suite under
# AddressSanitizer and UndefinedBehaviorSanitizer. Prints each suite's closing summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== release build"
bash scripts/build.sh build -DPOLC_BENCH=ON
echo "== release tests"
(cd build && ctest --output-on-failure -V)
echo "== ASan/UBSan build"
bash scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOLC_SANITIZE=ON -DPOLC_BENCH=OFF
echo "== ASan/UBSan tests"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -V)
