#!/usr/bin/env bash
# Builds, once, a small OpenTelemetry Collector contrib distribution: the components that
# compose/config/otel-collector/config.yaml uses, plus the `nop` exporter (the rendered configs of a
# lab with Tempo or Loki turned off) and `debug` (the image's default config). (contrib's `file`
# exporter cannot be built from the module proxy: a module its tests import is not served.) Tests run `otelcol validate` on it; `lab images build` puts it into the local
# stand-in for the otel/opentelemetry-collector-contrib image.
# The collector version follows the image tag in compose/config/versions.json; the builder and the
# components come from the Go module proxy (no other download host). The binary is cached outside
# the repository in $OBSLAB_CACHE/otelcol/<version>-<manifest hash>/otelcol (default
# ~/.cache/obslab), and its path is printed on stdout. Needs Go (>= the version the collector's
# go.mod asks for). Cold: about 3 minutes.
# Usage: libs/dashboards/scripts/ensure-otelcol.sh [--path]   (--path: print where the binary is or
#        would be, build nothing)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cache="${OBSLAB_CACHE:-$HOME/.cache/obslab}"

log() { printf '[obslab] %s\n' "$*" >&2; }

image="$(sed -n 's/.*"otel-collector": *"\([^"]*\)".*/\1/p' "$root/compose/config/versions.json")"
version="${image##*:}"
if [[ ! "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
  log "cannot read the collector version from compose/config/versions.json (got '$image')"
  exit 1
fi
# Core modules are released as x.y.0; contrib may have patch releases on top.
core="v${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.0"
contrib="v$version"

# manifest OUTPUT_DIR: the builder's manifest.
manifest() {
  cat <<EOF
dist:
  name: otelcol
  description: obslab OpenTelemetry Collector (the lab's components, nop and debug)
  version: $version
  output_path: $1
receivers:
  - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver $core
processors:
  - gomod: go.opentelemetry.io/collector/processor/batchprocessor $core
  - gomod: go.opentelemetry.io/collector/processor/memorylimiterprocessor $core
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/processor/resourceprocessor $contrib
exporters:
  - gomod: go.opentelemetry.io/collector/exporter/otlpexporter $core
  - gomod: go.opentelemetry.io/collector/exporter/otlphttpexporter $core
  - gomod: go.opentelemetry.io/collector/exporter/nopexporter $core
  - gomod: go.opentelemetry.io/collector/exporter/debugexporter $core
extensions:
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/extension/healthcheckextension $contrib
EOF
}

# The cache key is the version and the manifest: adding a component builds anew.
dir="$cache/otelcol/$version-$(manifest OUT | sha256sum | cut -c1-12)"
bin="$dir/otelcol"
if [ "${1:-}" = --path ] || [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { log "Go is needed to build the collector: install Go and run again"; exit 1; }
log "building otelcol $version with the OpenTelemetry Collector Builder $core (a few minutes, once)"
export GOMODCACHE="${GOMODCACHE:-$cache/go/mod}" GOCACHE="${GOCACHE:-$cache/go/build}"
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
GOBIN="$work/bin" go install "go.opentelemetry.io/collector/cmd/builder@$core"
manifest "$work/out" > "$work/manifest.yaml"
"$work/bin/builder" --config "$work/manifest.yaml" >&2
mkdir -p "$dir.partial"
cp "$work/out/otelcol" "$dir.partial/otelcol"
rm -rf "$dir" && mv "$dir.partial" "$dir"
echo "$bin"
