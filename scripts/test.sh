#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite, in stages:
#   1. release build and tests (CTest: the Catch2 suite and the pack's policy tests);
#   2. the same suite under AddressSanitizer and UndefinedBehaviorSanitizer (POLC_SKIP_SLOW
#      skips the 100,000-file test there; the corpus robustness test does run);
#   3. the parallel scanner tests ([scanner]) under ThreadSanitizer;
#   4. fuzzing: each of the eight libFuzzer targets for POLC_FUZZ_SECONDS (default 45) seconds
#      (scripts/fuzz.sh; set POLC_FUZZ_SECONDS=0 to skip).
# Prints each suite's closing summary and the time of every stage.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${POLC_FUZZ_SECONDS:-45}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
times=()
stage_start=$SECONDS
stage() {  # stage NAME: closes the previous stage's timer and opens NAME's
  if [[ -n ${stage_name:-} ]]; then times+=("$(printf '%-22s %5ds' "$stage_name" $((SECONDS - stage_start)))"); fi
  stage_name=$1
  stage_start=$SECONDS
  [[ -n $1 ]] && echo "== $1"
  return 0
}
report_times() {
  stage ""
  echo "== stage times"
  printf '  %s\n' "${times[@]}"
  echo "  total                  ${SECONDS}s"
}
trap report_times EXIT

stage "setup"
bash scripts/setup.sh
stage "release build"
bash scripts/build.sh build -DPOLC_BENCH=ON
stage "release tests"
# The LSP client library for the lsp_session test (npm); without it that test skips, never fails.
bash tests/lsp/install-client.sh || echo "test: the LSP client library is not installed; lsp_session will be skipped"
(cd build && ctest --output-on-failure -V)
stage "ASan/UBSan build"
bash scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOLC_SANITIZE=ON -DPOLC_BENCH=OFF
stage "ASan/UBSan tests"
(cd build-asan && POLC_SKIP_SLOW=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -V)
stage "TSan build"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOLC_TSAN=ON -DPOLC_BENCH=OFF >/dev/null
cmake --build build-tsan -j2 --target polc_scanner_tests
stage "TSan scanner tests"
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ./build-tsan/tests/polc_scanner_tests "[scanner]"
if ((fuzz_seconds > 0)); then
  stage "fuzzing (${fuzz_seconds}s/target)"
  bash scripts/fuzz.sh "$fuzz_seconds"
fi
