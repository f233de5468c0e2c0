#!/usr/bin/env bash
# Installs what polc needs to build and test, from Debian's packages only. Idempotent: packages
# already present are not reinstalled. Run as root (or with sudo) on Debian 12.
set -euo pipefail
packages=(cmake make g++ clang ccache pkg-config tao-pegtl-dev libyaml-dev libsimdjson-dev libcli11-dev catch2
  libbenchmark-dev libre2-dev libclang-rt-14-dev libxxhash-dev liburing-dev libssl-dev libbdd-dev libmimalloc-dev zlib1g-dev python3 python3-jsonschema python3-yaml zsh file
  lcov  # lcov: genhtml reads the tracefile of `polc test --coverage-lcov` (tests/coverage_test.cpp)
  nodejs)
# nodejs and npm: the LSP session test's client library (tests/lsp/install-client.sh). Debian's
# npm only when no npm is there (a Node.js from elsewhere brings its own).
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
