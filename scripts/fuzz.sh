#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang, ASan+UBSan, in build-fuzz/) and runs each for
# SECONDS (default 45), failing on any crash, leak, timeout (-timeout=10) or memory blow-up
# (-rss_limit_mb=2048). Seeds come from the repository's fixtures and, when ../shared exists,
# from a sample of ../shared/corpus copied at run time into a temporary directory (never into
# the repository). Inputs found while fuzzing are kept in build-fuzz/corpus/TARGET, crash
# reproducers in build-fuzz/artifacts/TARGET/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]    (targets: yaml json policy verifier bundle cache merge lsp)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-45}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(yaml json policy verifier bundle cache merge lsp)
root=$PWD
shared="$root/../shared"
sample=${POLC_FUZZ_CORPUS_SAMPLE:-300}

echo "== fuzz build (build-fuzz, clang)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOLC_FUZZ=ON \
  -DPOLC_TESTS=OFF -DPOLC_BENCH=OFF >/dev/null
cmake --build build-fuzz -j2 --target fuzz_yaml fuzz_json fuzz_policy fuzz_verifier fuzz_bundle fuzz_cache fuzz_merge fuzz_lsp \
  fuzz_verifier_seeds

seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
mkdir -p "$seeds"/{yaml,json,policy,verifier,bundle,cache,merge,lsp}
copy_seeds() {  # copy_seeds DIR FILE...: files up to 64 KiB, renamed by index
  local dir=$1 i=0
  shift
  for f in "$@"; do
    [[ -f $f ]] || continue
    (($(stat -c %s "$f") <= 65536)) || continue
    cp "$f" "$dir/seed-$i"
    i=$((i + 1))
  done
}
shopt -s globstar nullglob
copy_seeds "$seeds/yaml" tests/data/**/*.yaml tests/data/**/*.yml tests/lang/*.yaml examples/**/*.yaml policies/**/*.yaml
copy_seeds "$seeds/json" tests/data/**/*.json examples/**/*.json
copy_seeds "$seeds/merge" tests/data/robust/merge/*
copy_seeds "$seeds/lsp" tests/data/lsp/*.stream
copy_seeds "$seeds/policy" tests/lang/*.polc tests/lang/**/*.polc policies/**/*.polc stdlib/**/*.polc tests/data/**/*.polc
./build-fuzz/fuzz/fuzz_verifier_seeds "$seeds/verifier" "$seeds/bundle" tests/lang/*.polc policies/**/*.polc >/dev/null
if [[ -d $shared/corpus ]]; then
  mapfile -t ys < <(find "$shared/corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.template' \) -size -64k | sort | awk -v n="$sample" 'NR % 7 == 0' | head -n "$sample")
  mapfile -t js < <(find "$shared/corpus" -type f -name '*.json' -size -64k | sort | awk 'NR % 3 == 0' | head -n "$sample")
  mkdir -p "$seeds/yaml/shared" "$seeds/json/shared"
  copy_seeds "$seeds/yaml/shared" "${ys[@]}"
  copy_seeds "$seeds/json/shared" "${js[@]}"
  mv "$seeds"/yaml/shared/* "$seeds/yaml/" 2>/dev/null || true
  mv "$seeds"/json/shared/* "$seeds/json/" 2>/dev/null || true
fi

failed=()
for t in "${targets[@]}"; do
  corpus="build-fuzz/corpus/$t"
  artifacts="build-fuzz/artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  echo "== fuzz_$t for ${secs}s ($(ls "$seeds/$t" | wc -l) seeds, $(ls "$corpus" | wc -l) kept inputs)"
  start=$SECONDS
  if ! ./build-fuzz/fuzz/fuzz_"$t" "$corpus" "$seeds/$t" -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts" \
    >"build-fuzz/fuzz_$t.log" 2>&1; then
    echo "fuzz_$t FAILED; log: build-fuzz/fuzz_$t.log; reproducers in $artifacts"
    grep -E 'ERROR|SUMMARY|Test unit written' "build-fuzz/fuzz_$t.log" | head -20 || true
    failed+=("$t")
  fi
  grep -E '^stat::number_of_executed_units|^stat::new_units_added' "build-fuzz/fuzz_$t.log" | tr '\n' ' ' || true
  echo "($((SECONDS - start))s)"
done
if ((${#failed[@]})); then
  echo "fuzz: failures in: ${failed[*]}"
  exit 1
fi
echo "fuzz: no crash, leak or timeout in ${targets[*]}"
