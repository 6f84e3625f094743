#!/usr/bin/env bash
# Installs a real VS Code (code-server's bundled VS Code server) and the Debian packages its
# install needs; with --for test (the default) also what the tests need (chromium, numpy, torch,
# the Vulkan loader). `npm start` runs it with --for start. Idempotent: a second run only checks.
# Why code-server: VS Code downloads (test-electron, electron) are unreachable here; npm works.
set -euo pipefail

CODE_SERVER_VERSION="4.100.3"   # = VS Code 1.100.3, the last line that runs on Node 20
RG_CACHE_NAME="vscode-ripgrep-cache-1.15.11"
RG_TARBALL="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
# code-server's native modules (kerberos, node-pty) build with these; rg seeds @vscode/ripgrep.
APT_START=(libkrb5-dev ripgrep python3 make g++)
APT_TEST=(chromium python3-numpy python3-torch libvulkan1)
PURPOSE="test"
[ "${1:-}" = "--for" ] && PURPOSE="${2:-test}"
case "$PURPOSE" in
  start) APT_PACKAGES=("${APT_START[@]}") ;;
  test) APT_PACKAGES=("${APT_START[@]}" "${APT_TEST[@]}") ;;
  *) echo "usage: $0 [--for start|test]" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEST="$ROOT/.vscode-test/code-server"
SERVER_MAIN="$DEST/node_modules/code-server/lib/vscode/out/server-main.js"
MARKER="$DEST/.installed-$CODE_SERVER_VERSION"

log() { echo "[install-vscode] $*"; }

# 1. Debian packages, apt-get update only when one is missing.
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  log "apt: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  log "apt: all present (${APT_PACKAGES[*]})"
fi

# 2. code-server into an ignored folder, not as a dependency of the extension.
if [ -f "$MARKER" ] && [ -f "$SERVER_MAIN" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $DEST"
  exit 0
fi

log "installing code-server@$CODE_SERVER_VERSION into $DEST (about 1 min, ~320 MB)"
rm -rf "$DEST"
mkdir -p "$DEST/tmp"
echo '{ "name": "vscode-test-code-server", "private": true }' > "$DEST/package.json"

# @vscode/ripgrep's postinstall downloads rg from GitHub (unreachable): pre-seed its cache
# with Debian's rg, in the TMPDIR the install will see.
export TMPDIR="$DEST/tmp"
mkdir -p "$TMPDIR/$RG_CACHE_NAME"
tar -czf "$TMPDIR/$RG_CACHE_NAME/$RG_TARBALL" -C "$(dirname "$(command -v rg)")" rg
log "seeded $TMPDIR/$RG_CACHE_NAME/$RG_TARBALL from $(command -v rg)"

# Installs run as root (unsafe_perm) and node-pty runs `npx node-gyp` (yes). Debian's python3
# first on PATH so node-gyp does not pick up some other interpreter.
start=$(date +%s)
(
  cd "$DEST"
  PATH="/usr/bin:$PATH" npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION"
)
[ -f "$SERVER_MAIN" ] || { log "ERROR: $SERVER_MAIN missing after install"; exit 1; }
rm -rf "$TMPDIR"
touch "$MARKER"
log "done in $(( $(date +%s) - start )) s: $SERVER_MAIN"
