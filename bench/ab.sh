#!/usr/bin/env bash
# Before/after on the same machine in one run: two polc binaries and the one-thread libyaml
# floor, in interleaved rounds (each command once per round, so load from other users of the
# machine falls on all alike), over the 5,160 templates of guard_loadable.txt. Prints median
# wall and CPU (user + system) seconds per command and the ratios NEW / BASE and NEW / floor.
#
# Usage: bench/ab.sh BASE_POLC NEW_POLC [ARGS...]   (ARGS: polc check options; default: the
#        headline policy, `--only vpce-sg-no-implicit-egress`). ROUNDS (default 5), WORK
#        (default ~/.cache/polc-bench, shared with compare.sh: the copied corpus is reused).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=$(cd "$ROOT/../shared" 2>/dev/null && pwd) || { echo "ab.sh: ../shared not found" >&2; exit 1; }
BASE=$1 NEW=$2
shift 2
ARGS=("$@")
((${#ARGS[@]})) || ARGS=(--only vpce-sg-no-implicit-egress)
WORK=${WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/polc-bench}
ROUNDS=${ROUNDS:-5}
mkdir -p "$WORK"
SET=$WORK/guardset
if [[ ! -f $SET/.complete ]]; then
  rm -rf "$SET"; mkdir -p "$SET"; i=0
  while read -r p; do i=$((i + 1)); cp "$SHARED/corpus/$p" "$SET/$i.${p##*.}"; done <"$SHARED/checks/guard_loadable.txt"
  touch "$SET/.complete"
fi
find "$SET" -type f ! -name .complete | sort >"$WORK/guardset.list"
FLOOR=$WORK/parse_floor
[[ -x $FLOOR ]] || gcc -O2 "$SHARED/checks/parse_floor.c" -o "$FLOOR" -lyaml
declare -A WALL CPU
one() {  # one NAME COMMAND...
  local n=$1 w u s; shift
  /usr/bin/time -f '%e %U %S' -o "$WORK/ab.time" "$@" >/dev/null 2>&1 || true
  read -r w u s < <(tail -1 "$WORK/ab.time")
  WALL[$n]+="$w "; CPU[$n]+="$(python3 -c "print(round($u + $s, 3))") "
}
for ((r = 0; r < ROUNDS; r++)); do
  one base "$BASE" check --no-config -q --format json "${ARGS[@]}" "$SET"
  one new "$NEW" check --no-config -q --format json "${ARGS[@]}" "$SET"
  one floor "$FLOOR" "$WORK/guardset.list"
done
python3 - "${WALL[base]}" "${WALL[new]}" "${WALL[floor]}" "${CPU[base]}" "${CPU[new]}" "${CPU[floor]}" <<'PY'
import statistics, sys
m = [statistics.median(float(x) for x in a.split()) for a in sys.argv[1:]]
wb, wn, wf, cb, cn, cf = m
print(f"wall s: base {wb:.2f}, new {wn:.2f}, floor {wf:.2f}; new/base {wn/wb:.2f}, base/floor {wb/wf:.2f}, new/floor {wn/wf:.2f}")
print(f"CPU s:  base {cb:.2f}, new {cn:.2f}, floor {cf:.2f}; new/base {cn/cb:.2f}, base/floor {cb/cf:.2f}, new/floor {cn/cf:.2f}")
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
