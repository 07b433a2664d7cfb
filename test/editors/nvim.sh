#!/usr/bin/env bash
# Neovim headless as the LSP client of `atlas-lens lsp --stdio` (server/dist/cli.js): exit 0 iff
# the file's diagnostics include $EXPECT_RULE (default torch-load-unsafe) and the hover names
# $EXPECT_HOVER (default AML.T0011.000). usage: nvim.sh [FILE]  (default: the fixture's train.py)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
file="${1:-$root/client/test/fixture-workspace/train.py}"
state="$(mktemp -d)"; trap 'rm -rf "$state"' EXIT
export XDG_CONFIG_HOME="$state" XDG_DATA_HOME="$state" XDG_STATE_HOME="$state" XDG_CACHE_HOME="$state"
export ATLAS_LENS_CLI="$root/server/dist/cli.js"
cd "$(dirname "$file")"
timeout 150 nvim --headless -n -i NONE -u "$here/nvim-probe.lua" "$file" 2>&1
