#!/usr/bin/env bash
# Fetches the LSP client library that tests/lsp/session_test.mjs drives `polc lsp` with
# (vscode-languageserver-protocol and vscode-jsonrpc, from the npm registry, MIT) into
# tests/lsp/node_modules/ (ignored by git). The build never downloads anything; the test skips
# when the packages are missing. Needs Node.js and npm (Debian: nodejs npm, scripts/setup.sh).
# Exit 0 when the packages are there afterwards, 1 otherwise (npm unreachable: the test skips).
set -uo pipefail
cd "$(dirname "$0")"
versions=(vscode-languageserver-protocol@3.17.5 vscode-jsonrpc@8.2.0)
if [[ -f node_modules/vscode-languageserver-protocol/package.json && -f node_modules/vscode-jsonrpc/package.json ]]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "install-client: npm is not installed; the LSP session test will be skipped" >&2
  exit 1
fi
# --prefix keeps everything inside tests/lsp; no package.json or lock file is written.
if ! timeout 180 npm install --prefix . --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
  "${versions[@]}" >&2; then
  echo "install-client: npm install failed (registry unreachable?); the LSP session test will be skipped" >&2
  exit 1
fi
test -f node_modules/vscode-languageserver-protocol/package.json
