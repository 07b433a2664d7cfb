#!/usr/bin/env bash
# npm run test:editors — ATLAS Lens in real editors:
#   1. tools into .tools/ on first run (install-tools.sh: Debian chromium + neovim, Node 24, code-server, drivers)
#   2. build (both bundles) and bundle the extension tests
#   3. the extension tests (client/test/suite, mocha) inside code-server, extension loaded from the repo
#   4. npm run package: the .vsix (checked to hold only the bundles, data/, rules/, README, LICENSE, icon)
#   5. the UI check: that .vsix installed into code-server; the status bar count, clicked, opens the
#      Problems panel with the finding; the hover card; screenshots in .tools/artifacts/ (problems.png, problems-hover.png)
#      then the workspace review: Scan Workspace, the Findings tree, the ATLAS matrix webview (matrix.png, matrix-selected.png)
#   6. Neovim headless as the LSP client of `atlas-lens lsp --stdio`
# Every step runs; the exit code is non-zero when one failed. VERBOSE=1 shows the editors' logs.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
TOOLS="${ATLAS_LENS_TOOLS:-$root/.tools}"
artifacts="$TOOLS/artifacts"
started=$(date +%s)
passed=0 failed=0 failures=()

step() { # step NAME COMMAND...
  local name="$1"; shift
  local t0=$(date +%s)
  echo "== $name"
  if "$@"; then
    passed=$((passed + 1)); echo "== $name: ok ($(( $(date +%s) - t0 )) s)"
  else
    failed=$((failed + 1)); failures+=("$name"); echo "== $name: FAILED ($(( $(date +%s) - t0 )) s)"
  fi
}

bash test/editors/install-tools.sh || { echo "== cannot install the editor-test tools"; exit 1; }
node scripts/build.mjs >"$TOOLS/build.log" 2>&1 && node test/editors/build-tests.mjs \
  || { cat "$TOOLS/build.log"; echo "== build failed"; exit 1; }
mkdir -p "$artifacts"
rm -f "$artifacts"/*.png "$artifacts"/*.vsix

step "extension tests in code-server" node test/editors/run-ext-tests.mjs
step "npm run package (.vsix)" bash test/editors/package.sh "$artifacts/atlas-lens.vsix"
if [ -f "$artifacts/atlas-lens.vsix" ]; then
  step "UI: installed .vsix, Problems panel" node test/editors/ui-problems.mjs "$artifacts/atlas-lens.vsix" "$artifacts/problems.png"
  step "UI: workspace review, ATLAS matrix" node test/editors/ui-review.mjs "$artifacts/atlas-lens.vsix" "$artifacts/matrix.png"
else
  failed=$((failed + 1)); failures+=("UI: no .vsix")
fi
step "Neovim headless over stdio" bash test/editors/nvim.sh

echo "== editor tests: $(( $(date +%s) - started )) s${failures[*]:+; failed: ${failures[*]}}"
echo "editors: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
