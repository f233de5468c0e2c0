#!/usr/bin/env bash
# Builds the static polc and its Debian package, and exercises both (docs/install.md):
#   1. fetches the simdjson sources of the installed libsimdjson-dev from Debian's source package
#      (Debian ships no static simdjson; nothing else is fetched, and not from anywhere else);
#   2. builds build-static/polc with -DPOLC_STATIC=ON and checks that it is a static executable
#      (file, ldd), that it runs with an empty environment from an empty directory, and that
#      `polc check examples/templates` gives the same report as the dynamic build (build/polc);
#   3. `cpack -G DEB` makes dist/polc_<version>_amd64.deb, which is installed with apt-get, run on
#      the examples, and removed again.
# Usage: scripts/package.sh [--static-only] [DIST_DIR]   (default dist/). Run as root on Debian 12
# (apt-get). --static-only stops after building and checking build-static/polc (the GitHub
# Action and the GitLab template use it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
static_only=0
if [[ ${1:-} == --static-only ]]; then static_only=1; shift; fi
dist=${1:-dist}
bash scripts/setup.sh
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
fail() { echo "package: FAIL: $*"; exit 1; }

src=build-static/simdjson-src
if [[ ! -f $src/singleheader/simdjson.cpp ]]; then
  version=$(dpkg-query -W -f='${source:Upstream-Version}' libsimdjson-dev)
  echo "== simdjson $version sources from Debian's source package"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/lists/partial" "$tmp/parts"
  # deb-src entries for the archives this machine already uses, in a private apt state (the
  # system's own lists are untouched).
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && sed 's/^Types: deb$/Types: deb-src/' "$f" >"$tmp/parts/$(basename "$f")"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] && sed -n 's/^deb /deb-src /p' "$f" >"$tmp/parts/$(basename "$f").list"
  done
  apt_src=(-o APT::Sandbox::User=root -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$tmp/parts" -o Dir::State::Lists="$tmp/lists")
  apt-get "${apt_src[@]}" update -qq
  (cd "$tmp" && apt-get "${apt_src[@]}" source --download-only -qq "simdjson=$version-*" 2>/dev/null ||
    apt-get "${apt_src[@]}" source --download-only -qq simdjson)
  mkdir -p "$src"
  tar xzf "$tmp"/simdjson_*.orig.tar.gz --strip-components=1 -C "$src"
fi

echo "== static build (build-static)"
cmake -S . -B build-static -DCMAKE_BUILD_TYPE=Release -DPOLC_STATIC=ON \
  -DPOLC_SIMDJSON_SOURCE_DIR="$root/$src" -DPOLC_TESTS=OFF -DPOLC_BENCH=OFF >/dev/null
cmake --build build-static -j2 2>&1 | grep -E 'error|warning: Using' || true
static=build-static/polc
[[ -x $static ]] || fail "no build-static/polc"
file "$static" | grep -q 'statically linked' || fail "not static: $(file "$static")"
ldd_out=$(ldd "$static" 2>&1 || true)
[[ $ldd_out == *"not a dynamic executable"* ]] || fail "ldd lists libraries: $ldd_out"
empty=$(mktemp -d)
(cd "$empty" && env -i "$root/$static" --version) >/dev/null || fail "does not run with an empty environment"
echo "size: $(stat -c %s "$static") bytes ($(du -h "$static" | cut -f1))"

if ((static_only)); then
  rm -rf "$empty"
  echo "package: build-static/polc is a static executable"
  exit 0
fi

dynamic=build/polc
[[ -x $dynamic ]] || bash scripts/build.sh build >/dev/null
norm() {  # the run's duration and timestamps are the only parts that may differ between runs
  sed -E 's/; [0-9.]+s$//; s/"elapsed_seconds": [0-9.e+-]+/"elapsed_seconds": T/; s/"(start|end)TimeUtc": "[^"]*"/"\1TimeUtc": T/' "$1"
}
same() {  # same ARGS...: the static and dynamic builds give the same stdout and exit code
  local ra=0 rb=0
  (cd "$root" && "$static" "$@") >"$empty/a" 2>/dev/null || ra=$?
  (cd "$root" && "$dynamic" "$@") >"$empty/b" 2>/dev/null || rb=$?
  [[ $ra == "$rb" ]] || fail "exit $ra (static) and $rb (dynamic) on: polc $*"
  [[ $(norm "$empty/a") == "$(norm "$empty/b")" ]] || fail "static and dynamic builds differ on: polc $*"
}
same check --no-config -q examples/templates
same check --no-config -q --format json examples/templates
same check --no-config -q --format sarif examples/templates
same test policies
echo "static polc: same reports as the dynamic build on examples/templates and policies/"

echo "== Debian package"
(cd build-static && cpack -G DEB >/dev/null)
mkdir -p "$dist"
deb=$(ls build-static/polc_*_amd64.deb | head -1)
[[ -f $deb ]] || fail "cpack made no .deb"
cp "$deb" "$dist/"
deb="$dist/$(basename "$deb")"
info=$(dpkg-deb --info "$deb")
contents=$(dpkg-deb --contents "$deb")
grep -qE '^ Depends:' <<<"$info" && fail "the static package declares dependencies"
grep -q './usr/bin/polc$' <<<"$contents" || fail "no /usr/bin/polc in the package"
grep -q 'man1/polc.1' <<<"$contents" || fail "no man page in the package"
grep -q 'bash-completion/completions/polc$' <<<"$contents" || fail "no bash completion in the package"
if dpkg -s polc >/dev/null 2>&1; then fail "a package named polc is already installed; not replacing it"; fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$(realpath "$deb")" >/dev/null
installed=$(command -v polc || true)
[[ $installed == /usr/bin/polc ]] || { apt-get remove -y -qq polc >/dev/null; fail "apt-get install gave no /usr/bin/polc"; }
rc=0
(cd "$empty" && env -i /usr/bin/polc check --no-config -q "$root/examples/templates") >/dev/null || rc=$?
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq polc >/dev/null
[[ $rc == 1 ]] || fail "the installed polc exited $rc on the examples (expected 1: they hold findings)"
[[ ! -e /usr/bin/polc ]] || fail "apt-get remove left /usr/bin/polc"
rm -rf "$empty"
echo "package: $deb ($(stat -c %s "$deb") bytes) installs, checks the examples and removes cleanly"
