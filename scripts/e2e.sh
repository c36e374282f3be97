#!/usr/bin/env bash
# End-to-end suites (`npm run e2e`): builds the workspace, makes sure the Kubernetes control-plane
# binaries and the real node's programs exist (built from Go modules when Go is installed), then runs every compiled
# e2e/dist/**/*.e2e.spec.js in one `node --test` run so the closing lines count everything.
# Without the binaries the control-plane suite is skipped locally and fails when CI=true.
# Usage: scripts/e2e.sh [--no-build] [extra node --test options, e.g. --test-name-pattern=garbage]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '[e2e] %s\n' "$*" >&2; }

build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi

if [ "$build" = 1 ]; then
  log "building the workspace (nx run-many -t build)"
  npx --no-install nx run-many -t build --output-style=stream
fi

if command -v go >/dev/null; then
  log "ensuring the Kubernetes binaries, kubelet and kube-proxy included (scripts/ensure-kube-binaries.sh --node)"
  KUBEBUILDER_ASSETS="$(bash scripts/ensure-kube-binaries.sh --node | tail -n1)"
  export KUBEBUILDER_ASSETS
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
  log "ensuring the real node's CoreDNS and kube-network-policies (scripts/ensure-node-binaries.sh)"
  OBSLAB_NODE_BIN_DIR="$(bash scripts/ensure-node-binaries.sh coredns kube-network-policies pause | tail -n1)"
  export OBSLAB_NODE_BIN_DIR
  log "OBSLAB_NODE_BIN_DIR=$OBSLAB_NODE_BIN_DIR"
else
  log "Go is not installed: using KUBEBUILDER_ASSETS${KUBEBUILDER_ASSETS:+=$KUBEBUILDER_ASSETS} or earlier built binaries, if any"
fi

shopt -s globstar nullglob
specs=(e2e/dist/**/*.e2e.spec.js)
if [ "${#specs[@]}" -eq 0 ]; then
  log "no compiled e2e specs under e2e/dist: build first (npm run build)"
  exit 1
fi
log "running ${#specs[@]} e2e spec file(s)"
exec node --test --test-reporter=spec "$@" "${specs[@]}"
