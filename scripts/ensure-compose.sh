#!/usr/bin/env bash
# Makes sure Docker Compose v2 exists and prints, on the last line of stdout, a DOCKER_CONFIG
# directory whose cli-plugins/docker-compose is that Compose (progress goes to stderr). Then
#   DOCKER_CONFIG=<that dir> docker compose ...
# works with any docker CLI >= 20.10 (Debian's docker.io 20.10 included); the same binary also
# runs standalone as `<that dir>/cli-plugins/docker-compose ...`.
#
# No GitHub download is needed: Compose is built from its Go module (github.com/docker/compose/v2)
# through the Go module proxy. `go install …/cmd@<tag>` refuses it (its go.mod has exclude
# directives), so the module's source is downloaded (`go mod download`) and built as the main
# module (`go build ./cmd`), which honours its go.mod and go.sum exactly. Cached in ${OBSLAB_CACHE:-$HOME/.cache/obslab}/compose/<version>/ with GOMODCACHE and GOCACHE
# under the same cache root, so a second run is a no-op.
#
# If `docker compose version` already reports v2.x (or later) on this machine, nothing is built
# and an empty line is printed (use the docker CLI's own plugin).
#
# Usage: scripts/ensure-compose.sh
# Env:   COMPOSE_VERSION (default below), OBSLAB_CACHE, DOCKER (docker CLI, default /usr/bin/docker
#        when it exists, else `docker`), OBSLAB_FORCE_COMPOSE_BUILD=1 to ignore an installed plugin
set -euo pipefail

# v2.40.3 is the last release published under the module path github.com/docker/compose/v2
# (later releases moved to …/compose/v5 and need a newer Go than Debian-era toolchains have).
COMPOSE_VERSION="${COMPOSE_VERSION:-v2.40.3}"
cache="${OBSLAB_CACHE:-$HOME/.cache/obslab}"
config_dir="$cache/compose/$COMPOSE_VERSION/docker-config"
plugin="$config_dir/cli-plugins/docker-compose"
docker_cli="${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || echo docker )}"

log() { printf '[ensure-compose] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

case "$COMPOSE_VERSION" in v2.*.*) ;; *) die "bad COMPOSE_VERSION \"$COMPOSE_VERSION\" (want v2.<minor>.<patch>)" ;; esac

if [ "${OBSLAB_FORCE_COMPOSE_BUILD:-}" != 1 ] && command -v "$docker_cli" >/dev/null; then
  installed="$("$docker_cli" compose version --short 2>/dev/null || true)"
  case "$installed" in
    2.*|v2.*|[3-9].*|v[3-9].*)
      log "docker compose $installed is already installed: nothing to build"
      printf '\n'
      exit 0 ;;
  esac
fi

if [ -x "$plugin" ] && "$plugin" version --short >/dev/null 2>&1; then
  log "compose $COMPOSE_VERSION already built: $plugin"
  printf '%s\n' "$config_dir"
  exit 0
fi

command -v go >/dev/null || die "Go is needed to build Docker Compose $COMPOSE_VERSION from its module (https://go.dev/doc/install), or install the docker-compose-plugin package"

export GOMODCACHE="$cache/go/mod"
export GOCACHE="$cache/go/build"
export GOFLAGS="-trimpath -mod=mod -buildvcs=false"
export CGO_ENABLED=0
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$GOMODCACHE" "$GOCACHE" "$config_dir/cli-plugins"

log "building Docker Compose $COMPOSE_VERSION with $(go version) (cold: several minutes on 2 cores)"
started=$SECONDS
# `go mod download` needs a module context for GOFLAGS=-mod=mod; an empty one will do.
(cd "$work" && go mod init obslab.local/compose-source >/dev/null 2>&1)
src="$(cd "$work" && go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$src" ] && [ -f "$src/go.mod" ] || die "could not download github.com/docker/compose/v2@$COMPOSE_VERSION from the Go module proxy"
cp -R "$src" "$work/compose" && chmod -R u+w "$work/compose"
(cd "$work/compose" && GOFLAGS="-trimpath -buildvcs=false -mod=mod" go build \
  -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
  -o "$plugin.partial" ./cmd)
mv "$plugin.partial" "$plugin"
log "built $("$plugin" version) in $((SECONDS - started)) s: $plugin"
printf '%s\n' "$config_dir"
