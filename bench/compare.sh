#!/usr/bin/env bash
# Whole-corpus benchmark of polc against its peers, in one run. See bench/README.md.
#
# Times, over the same 5,160 templates (../shared/checks/guard_loadable.txt, copied into a work
# folder outside the repository): polc with the headline policy (2 workers and 1), polc with
# the whole pack, cfn-guard with the equivalent rule, the one-thread libyaml floor, and cfn-lint
# against polc on a fixed sample of 100 templates. Then memory flatness and scaling over the
# corpus repeated 10 times, and within-template scaling (gen_scale.py). Medians of several runs;
# every figure is also given as a ratio to a peer measured in the same run.
#
# Usage: bench/compare.sh            (from anywhere; needs ../shared next to the checkout)
# Environment: RUNS (default 5; the slow peers run min(RUNS,3) times), WORK (default
# ~/.cache/polc-bench), POLC (use this binary instead of building one), SKIP_LINT=1,
# SKIP_SCALE=1.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=$(cd "$ROOT/../shared" 2>/dev/null && pwd) || { echo "compare.sh: ../shared not found" >&2; exit 1; }
WORK=${WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/polc-bench}
RUNS=${RUNS:-5}
SLOW_RUNS=$((RUNS < 3 ? RUNS : 3))
SCALE_REPS=${SCALE_REPS:-10}
HEADLINE=vpce-sg-no-implicit-egress
RULE=$SHARED/peers/guard/vpce_sg_explicit_egress.guard
mkdir -p "$WORK"
OUT=$WORK/summary.md
log() { echo "compare.sh: $*" >&2; }

# ---- tools
need_apt() {  # need_apt COMMAND PACKAGE
  command -v "$1" >/dev/null && return 0
  log "installing $2 (apt-get)"
  if [[ $(id -u) == 0 ]]; then apt-get install -y -qq "$2" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }
  else sudo apt-get install -y -qq "$2" >/dev/null; fi
}
need_apt npm npm
[[ -x /usr/bin/time ]] || need_apt /usr/bin/time time
GUARD=$("$SHARED/peers/install.sh" "$WORK/peers" 2>"$WORK/peers.log" | tail -1)
[[ -x $GUARD ]] || { cat "$WORK/peers.log" >&2; log "cannot install cfn-guard"; exit 1; }
HAVE_LINT=0; command -v cfn-lint >/dev/null && [[ ${SKIP_LINT:-0} != 1 ]] && HAVE_LINT=1

if [[ -z ${POLC:-} ]]; then
  log "building polc (Release) in $WORK/build"
  cmake -S "$ROOT" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DPOLC_TESTS=OFF -DPOLC_BENCH=OFF >"$WORK/build.log" 2>&1
  cmake --build "$WORK/build" -j2 --target polc >>"$WORK/build.log" 2>&1 || { tail -20 "$WORK/build.log" >&2; exit 1; }
  POLC=$WORK/build/polc
fi
FLOOR=$WORK/parse_floor
gcc -O2 "$SHARED/checks/parse_floor.c" -o "$FLOOR" -lyaml

# ---- inputs (copies outside the repository)
SET=$WORK/guardset
if [[ ! -f $SET/.complete ]]; then
  rm -rf "$SET"; mkdir -p "$SET"; i=0
  while read -r p; do i=$((i + 1)); cp "$SHARED/corpus/$p" "$SET/$i.${p##*.}"; done <"$SHARED/checks/guard_loadable.txt"
  touch "$SET/.complete"
fi
find "$SET" -type f ! -name .complete | sort >"$WORK/guardset.list"
NFILES=$(wc -l <"$WORK/guardset.list")
# A fixed sample of 100 templates: every 51st file of the sorted list.
SAMPLE=$WORK/sample100
rm -rf "$SAMPLE"; mkdir -p "$SAMPLE"
awk 'NR % 51 == 1' "$WORK/guardset.list" | head -100 | xargs -I{} cp {} "$SAMPLE/"
# The corpus 10 times: ten trees of symlinks to the same files (polc follows file symlinks).
# The 1x baseline of the scaling test is the first tree alone, so that both sides pay the same
# per-file cost of resolving a symlink.
REP=$WORK/rep10
if [[ ! -f $REP/.complete ]]; then
  rm -rf "$REP"; mkdir -p "$REP"
  for k in 0 1 2 3 4 5 6 7 8 9; do cp -rs "$SET" "$REP/$k"; rm -f "$REP/$k/.complete"; done
  touch "$REP/.complete"
fi
find "$REP/0" -type l | sort >"$WORK/rep1.list"
find "$REP" -type l | sort >"$WORK/rep10.list"
SCALE=$WORK/scale
mkdir -p "$SCALE"
(cd "$SCALE" && python3 "$SHARED/peers/guard/gen_scale.py" 500 1000 2500)

# ---- measurement helpers
# Commands are timed in interleaved rounds (every command once per round) rather than each
# command's runs back to back, as hyperfine does: load from other users of the machine then
# falls on all commands alike. Each run records wall seconds, CPU seconds (user + system) and
# peak RSS (KB) with /usr/bin/time; figures are medians.
declare -A CMD WALL CPU RSS
def() { local n=$1; shift; CMD[$n]=$(printf '%q ' "$@"); }
run_once() {  # run_once NAME: one timed run, recorded
  local n=$1 w u s m
  eval "/usr/bin/time -f '%e %U %S %M' -o '$WORK/time.out' ${CMD[$n]}" >/dev/null 2>&1 || true
  read -r w u s m < <(tail -1 "$WORK/time.out")
  WALL[$n]+="$w "; CPU[$n]+="$(python3 -c "print(round($u + $s, 3))") "; RSS[$n]+="$m "
}
rounds() {  # rounds RUNS NAME...: a warm-up run of each (not recorded), then RUNS rounds
  local runs=$1 r n; shift
  for n in "$@"; do eval "${CMD[$n]}" >/dev/null 2>&1 || true; done
  for ((r = 0; r < runs; r++)); do for n in "$@"; do run_once "$n"; done; done
}
med() { python3 -c "import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))" $1; }
wall() { med "${WALL[$1]}"; }
cpu() { med "${CPU[$1]}"; }
rss_mb() { python3 -c "print(round($(med "${RSS[$1]}") / 1024))"; }
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/max(b,1e-9):.2f}')" "$1" "$2"; }
yesno() { python3 -c "import sys; print('met' if eval(sys.argv[1]) else 'NOT met')" "$1"; }

def polc_h "$POLC" check --only "$HEADLINE" --format json -q "$SET"
def polc_h1 "$POLC" check --only "$HEADLINE" --format json -q -j 1 "$SET"
def polc_p "$POLC" check --format json -q "$SET"
def polc_p1 "$POLC" check --format json -q -j 1 "$SET"
def floor "$FLOOR" "$WORK/guardset.list"
def guard "$GUARD" validate -r "$RULE" --show-summary none -d "$SET"
def polc_sample "$POLC" check --format json -q "$SAMPLE"
def lint cfn-lint -- "$SAMPLE"/*
def polc_rep1 "$POLC" check --only "$HEADLINE" --format json -q "$REP/0"
def polc_rep "$POLC" check --only "$HEADLINE" --format json -q "$REP"
def floor_rep1 "$FLOOR" "$WORK/rep1.list"
def floor_rep "$FLOOR" "$WORK/rep10.list"

log "timing the corpus ($NFILES templates): $SLOW_RUNS rounds with cfn-guard, $((RUNS - SLOW_RUNS)) more without"
rounds "$SLOW_RUNS" polc_h polc_h1 polc_p polc_p1 floor guard
((RUNS > SLOW_RUNS)) && for ((r = SLOW_RUNS; r < RUNS; r++)); do for n in polc_h polc_h1 polc_p polc_p1 floor; do run_once $n; done; done
if ((HAVE_LINT)); then
  log "cfn-lint on 100 templates"
  rounds "$SLOW_RUNS" lint polc_sample
fi
log "memory flatness and scaling: the corpus 10 times"
rounds "$SLOW_RUNS" polc_rep1 polc_rep floor_rep1 floor_rep

if [[ ${SKIP_SCALE:-0} != 1 ]]; then
  log "within-template scaling"
  # Each timing covers SCALE_REPS back-to-back runs (the figures are divided by it): one run of
  # a few tens of milliseconds is below /usr/bin/time's 10 ms resolution.
  reps() { local name=$1; shift; def "$name" bash -c 'n=$1; shift; for ((i = 0; i < n; i++)); do "$@" >/dev/null || true; done' reps "$SCALE_REPS" "$@"; }
  reps polc_one "$POLC" check --only "$HEADLINE" --format json -q "$ROOT/examples/templates/article-before.yaml"
  reps pack_one "$POLC" check --format json -q "$ROOT/examples/templates/article-before.yaml"
  for n in 500 1000 2500; do
    reps "polc_n$n" "$POLC" check --only "$HEADLINE" --format json -q "$SCALE/n$n.json"
    reps "pack_n$n" "$POLC" check --format json -q "$SCALE/n$n.json"
  done
  def guard_n500 "$GUARD" validate -r "$RULE" --show-summary none -d "$SCALE/n500.json"
  echo "$SCALE/n2500.json" >"$WORK/n2500.list"
  reps floor_n2500 "$FLOOR" "$WORK/n2500.list"
  rounds "$RUNS" floor_n2500 polc_one pack_one polc_n500 polc_n1000 polc_n2500 pack_n500 pack_n1000 pack_n2500
  run_once guard_n500
fi

# ---- report
t_h=$(wall polc_h); t_h1=$(wall polc_h1); t_p=$(wall polc_p); t_p1=$(wall polc_p1)
t_f=$(wall floor); t_g=$(wall guard)
{
  echo "# polc benchmark, $(date -u +%Y-%m-%d)"
  echo
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GB RAM; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Shared machine: absolute times are noise; the ratios between commands of the same run are the result."
  echo "$("$POLC" --version 2>/dev/null | head -1); cfn-guard $("$GUARD" --version 2>&1 | head -1 | awk '{print $NF}')."
  echo
  echo "## Corpus: $NFILES templates (guard_loadable.txt); medians of $RUNS interleaved runs (cfn-guard: $SLOW_RUNS)"
  echo
  echo "| command | wall s | CPU s | peak RSS MB | ratios (wall) |"
  echo "|---|---|---|---|---|"
  echo "| polc, headline policy, 2 workers | $t_h | $(cpu polc_h) | $(rss_mb polc_h) | cfn-guard / polc = **$(ratio "$t_g" "$t_h")**; polc / floor = **$(ratio "$t_h" "$t_f")** |"
  echo "| polc, headline policy, -j 1 | $t_h1 | $(cpu polc_h1) | $(rss_mb polc_h1) | polc / floor = $(ratio "$t_h1" "$t_f") |"
  echo "| polc, whole pack, 2 workers | $t_p | $(cpu polc_p) | $(rss_mb polc_p) | cfn-guard / polc = **$(ratio "$t_g" "$t_p")**; polc / floor = $(ratio "$t_p" "$t_f") |"
  echo "| polc, whole pack, -j 1 | $t_p1 | $(cpu polc_p1) | $(rss_mb polc_p1) | polc / floor = $(ratio "$t_p1" "$t_f") |"
  echo "| cfn-guard, vpce_sg_explicit_egress.guard | $t_g | $(cpu guard) | $(rss_mb guard) | |"
  echo "| libyaml event pass, 1 thread (floor) | $t_f | $(cpu floor) | $(rss_mb floor) | |"
  if ((HAVE_LINT)); then
    echo "| cfn-lint, 100-template sample | $(wall lint) | $(cpu lint) | $(rss_mb lint) | cfn-lint / polc = **$(ratio "$(wall lint)" "$(wall polc_sample)")** |"
    echo "| polc whole pack, same 100 | $(wall polc_sample) | $(cpu polc_sample) | $(rss_mb polc_sample) | |"
  fi
  echo
  echo "## The corpus 10 times ($((NFILES * 10)) files as symlinks), medians of $SLOW_RUNS interleaved runs"
  echo
  echo "| | 1x | 10x | 10x / 1x |"
  echo "|---|---|---|---|"
  echo "| polc headline, wall s | $(wall polc_rep1) | $(wall polc_rep) | $(ratio "$(wall polc_rep)" "$(wall polc_rep1)") (goal <= 10.5) |"
  echo "| polc headline, CPU s | $(cpu polc_rep1) | $(cpu polc_rep) | $(ratio "$(cpu polc_rep)" "$(cpu polc_rep1)") |"
  echo "| floor, wall s | $(wall floor_rep1) | $(wall floor_rep) | $(ratio "$(wall floor_rep)" "$(wall floor_rep1)") |"
  echo "| polc peak RSS, MB | $(rss_mb polc_rep1) | $(rss_mb polc_rep) | $(ratio "$(med "${RSS[polc_rep]}")" "$(med "${RSS[polc_rep1]}")") (goal: flat) |"
  echo
  echo "Report size: $("$POLC" check --only "$HEADLINE" --format json -q "$REP/0" | wc -c) bytes (1x), $("$POLC" check --only "$HEADLINE" --format json -q "$REP" | wc -c) bytes (10x)."
  if [[ ${SKIP_SCALE:-0} != 1 ]]; then
    per() { python3 -c "print(round($1 / $SCALE_REPS, 4))"; }  # per run
    t_e=$(per "$(wall polc_one)"); c_e=$(per "$(cpu polc_one)")
    p_e=$(per "$(wall pack_one)"); pc_e=$(per "$(cpu pack_one)")
    echo
    echo "## One template with N security group / endpoint pairs (gen_scale.py), medians of $RUNS (each of $SCALE_REPS runs in a row, per run)"
    echo
    echo "| pairs | headline: wall s | CPU s | minus a one-resource run ($t_e s) | whole pack: wall s | CPU s | minus a one-resource run ($p_e s) | peak RSS MB (pack) | cfn-guard s |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for n in 500 1000 2500; do
      v=$(per "$(wall polc_n$n)"); pv=$(per "$(wall pack_n$n)")
      g=""; [[ $n == 500 ]] && g="$(wall guard_n500) (cfn-guard / polc = $(ratio "$(wall guard_n500)" "$v"))"
      echo "| $n | $v | $(per "$(cpu polc_n$n)") | $(python3 -c "print(round($v - $t_e, 4))") | $pv | $(per "$(cpu pack_n$n)") | $(python3 -c "print(round($pv - $p_e, 4))") | $(rss_mb pack_n$n) | $g |"
    done
    echo
    lin() { python3 -c "a=$1-$3; b=$2-$3; print(f'{a/max(b,1e-6):.2f}')"; }
    echo "Linearity, (t2500 - t1) / (t500 - t1) (linear: 5): headline $(lin "$(per "$(wall polc_n2500)")" "$(per "$(wall polc_n500)")" "$t_e") in wall time, $(lin "$(per "$(cpu polc_n2500)")" "$(per "$(cpu polc_n500)")" "$c_e") in CPU time; whole pack $(lin "$(per "$(wall pack_n2500)")" "$(per "$(wall pack_n500)")" "$p_e") in wall time, $(lin "$(per "$(cpu pack_n2500)")" "$(per "$(cpu pack_n500)")" "$pc_e") in CPU time."
    echo "2,500 pairs against the one-thread libyaml floor over the same file: headline $(ratio "$(per "$(wall polc_n2500)")" "$(per "$(wall floor_n2500)")"), whole pack $(ratio "$(per "$(wall pack_n2500)")" "$(per "$(wall floor_n2500)")")."
  fi
  echo
  echo "## Goals"
  echo
  echo "- >= 30x faster than cfn-guard, headline policy: $(ratio "$t_g" "$t_h")x, $(yesno "$t_g / $t_h >= 30")"
  echo "- >= 20x faster than cfn-guard, whole pack: $(ratio "$t_g" "$t_p")x, $(yesno "$t_g / $t_p >= 20")"
  echo "- <= 1.5x the one-thread floor, headline policy: $(ratio "$t_h" "$t_f") (2 workers), $(ratio "$t_h1" "$t_f") (-j 1), $(yesno "$t_h / $t_f <= 1.5")"
  echo "- below the floor with 2 workers: $(yesno "$t_h < $t_f")"
  echo "- peak RSS <= 100 MB: $(rss_mb polc_h) MB (pack $(rss_mb polc_p) MB), $(yesno "$(med "${RSS[polc_h]}") <= 102400 and $(med "${RSS[polc_p]}") <= 102400")"
  echo "- peak RSS flat over 10x the corpus: $(rss_mb polc_rep1) MB -> $(rss_mb polc_rep) MB, $(yesno "$(med "${RSS[polc_rep]}") <= $(med "${RSS[polc_rep1]}") * 1.1 + 4096")"
  echo "- 10x the corpus <= 10.5x the time: $(ratio "$(wall polc_rep)" "$(wall polc_rep1)") (CPU $(ratio "$(cpu polc_rep)" "$(cpu polc_rep1)")), $(yesno "$(wall polc_rep) <= 10.5 * $(wall polc_rep1)")"
  if [[ ${SKIP_SCALE:-0} != 1 ]]; then
    echo "- under 50 ms at 2,500 pairs: headline $(per "$(wall polc_n2500)") s, $(yesno "$(per "$(wall polc_n2500)") < 0.05"); whole pack $(per "$(wall pack_n2500)") s, $(yesno "$(per "$(wall pack_n2500)") < 0.05")"
  fi
} >"$OUT"
cat "$OUT"
log "summary written to $OUT"
