#!/bin/sh
# Times `polc check --cache` cold (empty cache) and warm (unchanged tree) on a directory, and
# checks that both give the report of a run without cache. Usage:
#   bench/cache_bench.sh [POLC_BINARY] [DIRECTORY]
# Defaults: build/polc and ../shared/corpus. ROUNDS (default 3) rounds of the three runs
# (no cache, cold, warm) are interleaved; it prints each round's wall times, then the fastest
# of each kind and their ratios (the machine is shared: the minimum is the least disturbed).
# With BASELINE=OTHER_POLC_BINARY (e.g. a build of an older commit), each round also times that
# binary's cold and warm runs (in its own cache directory), for same-run before/after ratios.
# Each round also times the floor of a warm run, FLOOR (default: polc_read_floor next to the
# polc binary, bench/read_floor.cpp: walk, read and hash only), and prints cold / floor, the
# largest cold / warm ratio any warm run could reach on this machine.
set -eu
polc=${1:-build/polc}
dir=${2:-../shared/corpus}
rounds=${ROUNDS:-3}
floor_bin=${FLOOR:-$(dirname "$polc")/bench/polc_read_floor}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
run() { # run NAME ARGS...: times one polc check, report to $work/NAME.json
  name=$1
  shift
  bin=$polc
  case $name in base*) bin=$BASELINE ;; esac
  start=$(now)
  "$bin" check --no-config -q --format json "$@" "$dir" >"$work/$name.json" 2>"$work/$name.err" || true
  end=$(now)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}
same() { # same NAME: the report of NAME is the uncached one (elapsed time aside)
  grep -v '"elapsed_seconds"' "$work/$1.json" >"$work/$1.cmp"
  if ! cmp -s "$work/plain.cmp" "$work/$1.cmp"; then
    echo "cache_bench: the $1 report differs from the uncached one" >&2
    exit 1
  fi
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }

best_plain="" best_cold="" best_warm="" best_bcold="" best_bwarm="" best_floor=""
i=0
while [ "$i" -lt "$rounds" ]; do
  i=$((i + 1))
  rm -rf "$work/cache"
  plain=$(run plain)
  grep -v '"elapsed_seconds"' "$work/plain.json" >"$work/plain.cmp"
  cold=$(run cold --cache "$work/cache")
  warm=$(run warm --cache "$work/cache")
  same cold
  same warm
  floor=""
  if [ -x "$floor_bin" ]; then
    start=$(now)
    "$floor_bin" "$dir" >/dev/null
    end=$(now)
    floor=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    best_floor=$(min "$best_floor" "$floor")
  fi
  echo "round $i: no cache ${plain}s, cold ${cold}s, warm ${warm}s, floor ${floor:-n/a}s"
  if [ -n "${BASELINE:-}" ]; then
    rm -rf "$work/basecache"
    bcold=$(run basecold --cache "$work/basecache")
    bwarm=$(run basewarm --cache "$work/basecache")
    same basewarm
    echo "         baseline: cold ${bcold}s, warm ${bwarm}s"
    best_bcold=$(min "$best_bcold" "$bcold")
    best_bwarm=$(min "$best_bwarm" "$bwarm")
  fi
  best_plain=$(min "$best_plain" "$plain")
  best_cold=$(min "$best_cold" "$cold")
  best_warm=$(min "$best_warm" "$warm")
done
files=$(grep -o '"templates_checked": [0-9]*' "$work/plain.json" | grep -o '[0-9]*$')
echo "templates checked: $files"
echo "no cache:   ${best_plain}s (fastest of $rounds)"
echo "cold cache: ${best_cold}s"
echo "warm cache: ${best_warm}s"
echo "cold/warm:  $(awk -v c="$best_cold" -v w="$best_warm" 'BEGIN { printf "%.1f", c / w }')x"
echo "no cache/warm: $(awk -v c="$best_plain" -v w="$best_warm" 'BEGIN { printf "%.1f", c / w }')x"
if [ -n "$best_floor" ]; then
  echo "warm floor: ${best_floor}s ($floor_bin)"
  echo "cold/floor: $(awk -v c="$best_cold" -v f="$best_floor" 'BEGIN { printf "%.1f", c / f }')x"
  echo "warm/floor: $(awk -v w="$best_warm" -v f="$best_floor" 'BEGIN { printf "%.1f", w / f }')x"
fi
echo "cache size: $(du -sh "$work/cache" | cut -f1)"
if [ -n "${BASELINE:-}" ]; then
  echo "baseline cold: ${best_bcold}s, warm: ${best_bwarm}s ($BASELINE)"
  echo "baseline warm/warm: $(awk -v b="$best_bwarm" -v w="$best_warm" 'BEGIN { printf "%.1f", b / w }')x"
  echo "baseline cold/cold: $(awk -v b="$best_bcold" -v c="$best_cold" 'BEGIN { printf "%.1f", b / c }')x"
fi
