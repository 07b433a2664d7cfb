#!/usr/bin/env bash
# npm run package: a production build of both bundles, then the .vsix with @vscode/vsce from .tools/
# (installed by install-tools.sh on first use). Output: atlas-lens-<version>.vsix at the repo root
# (git-ignored), or the path given as $1. The bundles hold every dependency, so the .vsix carries
# no node_modules (--no-dependencies) and installs without `npm install`.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="${ATLAS_LENS_TOOLS:-$root/.tools}"
cd "$root"
[ -x "$TOOLS/drv/node_modules/.bin/vsce" ] && [ -x "$TOOLS/node/bin/node" ] || bash test/editors/install-tools.sh
node scripts/build.mjs --production >"$TOOLS/build.log" 2>&1 || { cat "$TOOLS/build.log"; exit 1; }
version=$(node -p 'require("./package.json").version')
out="${1:-$root/atlas-lens-$version.vsix}"
# vsce 4 needs Node >= 22: run it on .tools' Node 24.
"$TOOLS/node/bin/node" "$TOOLS/drv/node_modules/@vscode/vsce/vsce" package --no-dependencies --allow-missing-repository --no-rewrite-relative-links \
  -o "$out" >"$TOOLS/vsce.log" 2>&1 || { cat "$TOOLS/vsce.log"; echo "vsce package failed"; exit 1; }
# The .vsix must hold only the bundles, data/, rules/, README, LICENSE and the icon.
python3 - "$out" <<'PY'
import re, sys, zipfile
names = [n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.startswith('extension/')]
allowed = re.compile(r'^extension/(package\.json|readme\.md|LICENSE(\.txt)?|client/images/(icon\.png|atlas-lens\.svg)|client/dist/extension\.js'
                     r'|server/dist/(server\.js|typescript-analysis\.js|scan-worker\.js|validated-data\.json|[\w-]+\.wasm)|data/.+|rules/.+)$', re.I)
stray = [n for n in names if not allowed.match(n)]
required = ['extension/client/dist/extension.js', 'extension/server/dist/server.js', 'extension/server/dist/typescript-analysis.js', 'extension/server/dist/tree-sitter-python.wasm']
missing = [n for n in required if n not in names]
if stray or missing:
    sys.exit(f'unexpected files in the .vsix: {stray}; missing: {missing}')
print(f'{len(names)} files in the .vsix, all expected')
PY
echo "packaged $out ($(du -h "$out" | cut -f1))"
