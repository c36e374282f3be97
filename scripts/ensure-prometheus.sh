#!/usr/bin/env bash
# Builds, once, Prometheus 3 and promtool of the version pinned in compose/config/versions.json
# (prom/prometheus:v3.Y.Z) from their Go module github.com/prometheus/prometheus v0.3YY.Z (Prometheus
# 3 publishes its Go module as v0.3YY.Z), through the Go module proxy only. Service discovery is
# chosen at build time: the lab uses static targets under compose and the Kubernetes SD in the
# manifests, so only those are built in (`remove_all_sd,enable_kubernetes_sd`), which halves the cold
# build. The web UI's assets are not in the module: the HTTP API is complete, the UI pages are not.
#
# Cached in ${OBSLAB_CACHE:-~/.cache/obslab}/prometheus/<version>-<tags hash>/{prometheus,promtool} with GOMODCACHE
# and GOCACHE under the same cache root; prints that directory on the last line of stdout (progress
# goes to stderr). A second run is a no-op. Cold: about 9 minutes on 2 cores.
# Usage: scripts/ensure-prometheus.sh [--path]   (--path: print the directory, build nothing)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${OBSLAB_CACHE:-$HOME/.cache/obslab}"

log() { printf '[ensure-prometheus] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

image="$(sed -n 's/.*"prometheus": *"\([^"]*\)".*/\1/p' "$root/compose/config/versions.json")"
tag="${image##*:}"
[[ "$tag" =~ ^v3\.([0-9]+)\.([0-9]+)$ ]] || die "cannot read a Prometheus 3 version from compose/config/versions.json (got '$image')"
version="3.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
module_version="v0.$((300 + BASH_REMATCH[1])).${BASH_REMATCH[2]}"
# Service discovery built in: static targets (compose) and Kubernetes (the manifests).
tags=remove_all_sd,enable_kubernetes_sd
# The cache key is the version and the build tags: changing either builds anew.
dir="$cache/prometheus/$version-$(printf '%s' "$tags" | sha256sum | cut -c1-8)"
if [ "${1:-}" = --path ] || { [ -x "$dir/prometheus" ] && [ -x "$dir/promtool" ]; }; then
  printf '%s\n' "$dir"
  exit 0
fi

command -v go >/dev/null || die "Go is needed to build Prometheus $version from its module (https://go.dev/doc/install)"
export GOMODCACHE="$cache/go/mod"
export GOCACHE="$cache/go/build"
export CGO_ENABLED=0 GOWORK=off
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
# The module ships a go.work (its web UI tooling): build the module alone.
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$GOMODCACHE" "$GOCACHE"

log "building Prometheus $version and promtool (module $module_version) with $(go version | cut -d' ' -f3) (cold: about 9 minutes on 2 cores)"
started=$SECONDS
(cd "$work" && GOFLAGS=-mod=mod go mod init obslab.local/prometheus-source >&2)
json="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "github.com/prometheus/prometheus@$module_version")" \
  || die "could not download github.com/prometheus/prometheus@$module_version from the Go module proxy: $(sed -n 's/.*"Error": "\(.*\)".*/\1/p' <<<"$json")"
src="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")"
[ -n "$src" ] && [ -f "$src/go.mod" ] || die "github.com/prometheus/prometheus@$module_version came without a go.mod"
cp -R "$src" "$work/prometheus" && chmod -R u+w "$work/prometheus"
pkg=github.com/prometheus/common/version
ldflags="-s -w -X $pkg.Version=$version -X $pkg.Revision=$module_version -X $pkg.Branch=HEAD -X $pkg.BuildUser=obslab -X $pkg.BuildDate=$(date -u +%Y%m%d-%H:%M:%S)"
mkdir -p "$dir.partial"
(cd "$work/prometheus" && GOFLAGS="-trimpath -buildvcs=false -mod=mod" go build \
  -tags "$tags" -ldflags "$ldflags" -o "$dir.partial/" ./cmd/prometheus ./cmd/promtool)
cp "$work/prometheus/documentation/examples/prometheus.yml" "$dir.partial/prometheus.yml"
cp "$work/prometheus/LICENSE" "$work/prometheus/NOTICE" "$dir.partial/"
rm -rf "$dir" && mv "$dir.partial" "$dir"
log "built $("$dir/prometheus" --version 2>&1 | head -n1) in $((SECONDS - started)) s: $dir"
printf '%s\n' "$dir"
