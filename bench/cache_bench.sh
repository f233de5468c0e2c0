#!/bin/sh
# Times `polc check --cache` cold (empty cache) and warm (unchanged tree) on a directory, and
# checks that both give the report of a run without cache. Usage:
#   bench/cache_bench.sh [POLC_BINARY] [DIRECTORY]
# Defaults: build/polc and ../shared/corpus. Prints the wall times and the warm/cold ratio.
set -eu
polc=${1:-build/polc}
dir=${2:-../shared/corpus}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
run() { # run NAME ARGS...: times one polc check, report to $work/NAME.json
  name=$1
  shift
  start=$(now)
  "$polc" check --no-config -q --format json "$@" "$dir" >"$work/$name.json" 2>"$work/$name.err" || true
  end=$(now)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

plain=$(run plain)
cold=$(run cold --cache "$work/cache")
warm=$(run warm --cache "$work/cache")
grep -v '"elapsed_seconds"' "$work/plain.json" >"$work/plain.cmp"
for r in cold warm; do
  grep -v '"elapsed_seconds"' "$work/$r.json" >"$work/$r.cmp"
  if ! cmp -s "$work/plain.cmp" "$work/$r.cmp"; then
    echo "cache_bench: the $r report differs from the uncached one" >&2
    exit 1
  fi
done
files=$(grep -o '"templates_checked": [0-9]*' "$work/plain.json" | grep -o '[0-9]*$')
echo "templates checked: $files"
echo "no cache:   ${plain}s"
echo "cold cache: ${cold}s"
echo "warm cache: ${warm}s"
echo "cold/warm:  $(awk -v c="$cold" -v w="$warm" 'BEGIN { printf "%.1f", c / w }')x"
echo "cache size: $(du -sh "$work/cache" | cut -f1)"
