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
need_apt hyperfine hyperfine || true
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
REP=$WORK/rep10
if [[ ! -f $REP/.complete ]]; then
  rm -rf "$REP"; mkdir -p "$REP"
  for k in 0 1 2 3 4 5 6 7 8 9; do cp -rs "$SET" "$REP/$k"; rm -f "$REP/$k/.complete"; done
  touch "$REP/.complete"
fi
for k in 0 1 2 3 4 5 6 7 8 9; do cat "$WORK/guardset.list"; done >"$WORK/rep10.list"
SCALE=$WORK/scale
mkdir -p "$SCALE"
(cd "$SCALE" && python3 "$SHARED/peers/guard/gen_scale.py" 500 1000 2500)

# ---- measurement helpers
# median_time NAME RUNS CMD...: median wall seconds (hyperfine when present, else /usr/bin/time).
median_time() {
  local name=$1 runs=$2; shift 2
  if command -v hyperfine >/dev/null; then
    hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$WORK/hf-$name.json" -- "$(printf '%q ' "$@")" >/dev/null 2>&1
    python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['results'][0]['median'])" "$WORK/hf-$name.json"
  else
    local t=()
    for ((r = 0; r < runs; r++)); do
      /usr/bin/time -f %e -o "$WORK/time.out" "$@" >/dev/null 2>&1 || true
      t+=("$(tail -1 "$WORK/time.out")")
    done
    printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
  fi
}
# peak_rss CMD...: median peak RSS in KB over 3 runs.
peak_rss() {
  local m=()
  for r in 1 2 3; do
    /usr/bin/time -f %M -o "$WORK/time.out" "$@" >/dev/null 2>&1 || true
    m+=("$(tail -1 "$WORK/time.out")")
  done
  printf '%s\n' "${m[@]}" | sort -n | sed -n 2p
}
ratio() { python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/max(b,1e-9):.2f}')" "$1" "$2"; }
yesno() { python3 -c "import sys; print('met' if eval(sys.argv[1]) else 'NOT met')" "$1"; }

POLC_H=("$POLC" check --only "$HEADLINE" --format json -q)
POLC_P=("$POLC" check --format json -q)
GUARD_CMD=("$GUARD" validate -r "$RULE" --show-summary none -d)

log "timing the corpus ($NFILES templates), $RUNS runs each"
t_h=$(median_time polc_headline "$RUNS" "${POLC_H[@]}" "$SET")
t_h1=$(median_time polc_headline_j1 "$RUNS" "${POLC_H[@]}" -j 1 "$SET")
t_p=$(median_time polc_pack "$RUNS" "${POLC_P[@]}" "$SET")
t_p1=$(median_time polc_pack_j1 "$RUNS" "${POLC_P[@]}" -j 1 "$SET")
t_f=$(median_time floor "$RUNS" "$FLOOR" "$WORK/guardset.list")
t_g=$(median_time guard "$SLOW_RUNS" "${GUARD_CMD[@]}" "$SET")
m_h=$(peak_rss "${POLC_H[@]}" "$SET")
m_p=$(peak_rss "${POLC_P[@]}" "$SET")
m_g=$(peak_rss "${GUARD_CMD[@]}" "$SET")
m_f=$(peak_rss "$FLOOR" "$WORK/guardset.list")
if ((HAVE_LINT)); then
  log "cfn-lint on 100 templates"
  t_l=$(median_time cfnlint "$SLOW_RUNS" cfn-lint -- "$SAMPLE"/*)
  t_s=$(median_time polc_sample "$RUNS" "${POLC_P[@]}" "$SAMPLE")
  m_l=$(peak_rss cfn-lint -- "$SAMPLE"/*)
fi

log "memory flatness and scaling: the corpus 10 times"
t_r=$(median_time polc_rep10 "$SLOW_RUNS" "${POLC_H[@]}" "$REP")
m_r=$(peak_rss "${POLC_H[@]}" "$REP")
t_rf=$(median_time floor_rep10 "$SLOW_RUNS" "$FLOOR" "$WORK/rep10.list")

if [[ ${SKIP_SCALE:-0} != 1 ]]; then
  log "within-template scaling"
  t_e=$(median_time polc_empty "$RUNS" "${POLC_H[@]}" "$ROOT/examples/templates/article-before.yaml")
  for n in 500 1000 2500; do
    declare "t_n$n=$(median_time "polc_n$n" "$RUNS" "${POLC_H[@]}" "$SCALE/n$n.json")"
  done
  t_g500=$(median_time guard_n500 1 "$GUARD" validate -r "$RULE" --show-summary none -d "$SCALE/n500.json")
fi

# ---- report
{
  echo "# polc benchmark, $(date -u +%Y-%m-%d)"
  echo
  echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(free -g | awk '/Mem:/ {print $2}') GB RAM."
  echo "Shared machine: absolute times are noise; the ratios (same run) are the result."
  echo "polc $("$POLC" --version 2>/dev/null | head -1); $("$GUARD" --version 2>&1 | head -1); hyperfine: $(command -v hyperfine >/dev/null && echo yes || echo no, /usr/bin/time)."
  echo
  echo "## Corpus: $NFILES templates (guard_loadable.txt), medians of $RUNS (peers: $SLOW_RUNS)"
  echo
  echo "| command | median s | peak RSS MB | ratio |"
  echo "|---|---|---|---|"
  echo "| polc, headline policy (2 workers) | $t_h | $((m_h / 1024)) | cfn-guard / polc = $(ratio "$t_g" "$t_h"); polc / floor = $(ratio "$t_h" "$t_f") |"
  echo "| polc, headline policy, -j 1 | $t_h1 | | polc / floor = $(ratio "$t_h1" "$t_f") |"
  echo "| polc, whole pack (2 workers) | $t_p | $((m_p / 1024)) | cfn-guard / polc = $(ratio "$t_g" "$t_p"); polc / floor = $(ratio "$t_p" "$t_f") |"
  echo "| polc, whole pack, -j 1 | $t_p1 | | polc / floor = $(ratio "$t_p1" "$t_f") |"
  echo "| cfn-guard, vpce_sg_explicit_egress.guard | $t_g | $((m_g / 1024)) | |"
  echo "| libyaml event pass, 1 thread (floor) | $t_f | $((m_f / 1024)) | |"
  if ((HAVE_LINT)); then
    echo "| cfn-lint, 100-template sample | $t_l | $((m_l / 1024)) | cfn-lint / polc = $(ratio "$t_l" "$t_s") |"
    echo "| polc whole pack, same 100 | $t_s | | |"
  fi
  echo
  echo "## The corpus 10 times ($((NFILES * 10)) files, symlinks)"
  echo
  echo "| | 1x | 10x | ratio |"
  echo "|---|---|---|---|"
  echo "| polc headline, s | $t_h | $t_r | $(ratio "$t_r" "$t_h") (goal <= 10.5) |"
  echo "| floor, s | $t_f | $t_rf | $(ratio "$t_rf" "$t_f") |"
  echo "| polc peak RSS, MB | $((m_h / 1024)) | $((m_r / 1024)) | $(ratio "$m_r" "$m_h") (goal: flat) |"
  if [[ ${SKIP_SCALE:-0} != 1 ]]; then
    echo
    echo "## One template, N security group / endpoint pairs (gen_scale.py)"
    echo
    echo "| pairs | polc s | polc s minus a one-resource run ($t_e s) | cfn-guard s |"
    echo "|---|---|---|---|"
    for n in 500 1000 2500; do
      v=t_n$n
      echo "| $n | ${!v} | $(python3 -c "print(f'{${!v} - $t_e:.4f}')") | $([[ $n == 500 ]] && echo "$t_g500 ($(ratio "$t_g500" "$t_n500")x polc)") |"
    done
    echo
    echo "Linearity: (t2500 - t_empty) / (t500 - t_empty) = $(python3 -c "print(f'{($t_n2500 - $t_e) / max($t_n500 - $t_e, 1e-6):.2f}')") (linear: 5)."
  fi
  echo
  echo "## Goals"
  echo
  echo "- >= 30x faster than cfn-guard, headline policy: $(ratio "$t_g" "$t_h")x, $(yesno "$t_g / $t_h >= 30")"
  echo "- >= 20x faster than cfn-guard, whole pack: $(ratio "$t_g" "$t_p")x, $(yesno "$t_g / $t_p >= 20")"
  echo "- <= 1.5x the one-thread floor, headline policy (2 workers): $(ratio "$t_h" "$t_f"), $(yesno "$t_h / $t_f <= 1.5")"
  echo "- below the floor with 2 workers: $(yesno "$t_h < $t_f")"
  echo "- peak RSS <= 100 MB: $((m_h / 1024)) MB (pack $((m_p / 1024)) MB), $(yesno "$m_h <= 102400 and $m_p <= 102400")"
  echo "- peak RSS flat over 10x: $(ratio "$m_r" "$m_h"), $(yesno "$m_r <= $m_h * 1.1 + 4096")"
  echo "- 10x corpus <= 10.5x time: $(ratio "$t_r" "$t_h"), $(yesno "$t_r <= 10.5 * $t_h")"
  if [[ ${SKIP_SCALE:-0} != 1 ]]; then
    echo "- under 50 ms at 2,500 pairs: $t_n2500 s, $(yesno "$t_n2500 < 0.05")"
  fi
} >"$OUT"
cat "$OUT"
log "summary written to $OUT"
