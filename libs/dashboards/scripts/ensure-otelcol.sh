#!/usr/bin/env bash
# Builds, once, a minimal OpenTelemetry Collector with exactly the components that
# compose/config/otel-collector/config.yaml uses, so tests can run `otelcol validate` on it.
# The collector version follows the image tag in compose/config/versions.json; the builder and the
# components come from the Go module proxy (no other download host). The binary is cached outside
# the repository in $OBSLAB_CACHE/otelcol/<version>/otelcol (default ~/.cache/obslab), and its path
# is printed on stdout. Needs Go (>= the version the collector's go.mod asks for).
# Usage: libs/dashboards/scripts/ensure-otelcol.sh
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
dir="$cache/otelcol/$version"
bin="$dir/otelcol"
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { log "Go is needed to build the collector: install Go and run again"; exit 1; }
log "building otelcol $version with the OpenTelemetry Collector Builder $core (a few minutes, once)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
GOBIN="$work/bin" go install "go.opentelemetry.io/collector/cmd/builder@$core"
cat > "$work/manifest.yaml" <<EOF
dist:
  name: otelcol
  description: obslab config validator (the components of compose/config/otel-collector/config.yaml)
  output_path: $work/out
receivers:
  - gomod: go.opentelemetry.io/collector/receiver/otlpreceiver $core
processors:
  - gomod: go.opentelemetry.io/collector/processor/batchprocessor $core
  - gomod: go.opentelemetry.io/collector/processor/memorylimiterprocessor $core
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/processor/resourceprocessor $contrib
exporters:
  - gomod: go.opentelemetry.io/collector/exporter/otlpexporter $core
  - gomod: go.opentelemetry.io/collector/exporter/otlphttpexporter $core
extensions:
  - gomod: github.com/open-telemetry/opentelemetry-collector-contrib/extension/healthcheckextension $contrib
EOF
"$work/bin/builder" --config "$work/manifest.yaml" >&2
mkdir -p "$dir.partial"
cp "$work/out/otelcol" "$dir.partial/otelcol"
rm -rf "$dir" && mv "$dir.partial" "$dir"
echo "$bin"
