#!/usr/bin/env bash
# Builds, once, the programs a real Kubernetes node needs beside kubelet and kube-proxy (those come
# from scripts/ensure-kube-binaries.sh --node), and prints the directory holding them on the last
# line of stdout (progress goes to stderr):
#
#   coredns                 github.com/coredns/coredns at COREDNS_VERSION (its default plugin set,
#                           checked to hold kubernetes, forward, cache, health, ready, errors, loop, reload)
#   kube-network-policies   sigs.k8s.io/kube-network-policies at KNP_VERSION, NetworkPolicy enforcement
#                           through nfqueue; see "nfqueue through nft_compat" below
#   pause                   tools/lab/images/pause/pause.c, static, with gcc (the real node imports it as
#                           registry.k8s.io/pause, its sandbox image, without Docker)
#   crictl                  sigs.k8s.io/cri-tools at CRICTL_VERSION (the CRI client for debugging)
#
# nfqueue through nft_compat: kube-network-policies sends a pod's new connections to userspace with
# the nftables `queue` statement, which needs CONFIG_NFT_QUEUE; kernels without it (this lab's VM
# kernel) reject the rule with "No such file or directory", while the xtables NFQUEUE target works
# through nft_compat (CONFIG_NFT_COMPAT, CONFIG_NETFILTER_XT_TARGET_NFQUEUE). The build therefore
# compiles a throw-away copy of the upstream module in which each `expr.Queue` is swapped for the
# NFQUEUE target (revision 3, the same queue number, bypass only with --fail-open), by an exact-match
# rewrite that fails the build if upstream's code no longer matches, so upstream stays the source of
# truth (Go refuses -overlay for files in the module cache). The rules work on any kernel with
# nft_compat, with or without nft_queue. The same copy gets a --kubeconfig flag (upstream reads only
# a pod's in-cluster config; with the flag unset it still does), so it runs as a process of the node.
#
# Cached in ${OBSLAB_CACHE:-$HOME/.cache/obslab}/node/<key>/bin, <key> naming the versions (and a hash
# of this recipe and the pause source), with GOMODCACHE and GOCACHE under the same cache root, so a
# second run is a no-op. Cold: a few minutes per Go program on 2 cores.
#
# Usage: scripts/ensure-node-binaries.sh [NAME...]   (NAME: coredns, kube-network-policies, pause,
#        crictl; default: all of them)
# Env:   COREDNS_VERSION, KNP_VERSION, CRICTL_VERSION (defaults below), OBSLAB_CACHE, CC (default gcc)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${OBSLAB_CACHE:-$HOME/.cache/obslab}"
COREDNS_VERSION="${COREDNS_VERSION:-v1.15.0}"
KNP_VERSION="${KNP_VERSION:-v0.8.0}"
CRICTL_VERSION="${CRICTL_VERSION:-v1.34.0}" # cri-tools follows Kubernetes minors (libs/control-plane/kube-version)
pause_source="$root/tools/lab/images/pause/pause.c"
all=(coredns kube-network-policies pause crictl)

# shellcheck source=lib/common.sh
. "$root/scripts/lib/common.sh"
script_init ensure-node-binaries "$0"
usage() { printf 'usage: %s [NAME...]   (NAME: %s)\n' "$0" "${all[*]}" >&2; exit 2; }

wanted=()
for arg in "$@"; do
  case "$arg" in
    -h|--help) print_help ;;
    coredns|kube-network-policies|pause|crictl) wanted+=("$arg") ;;
    *) log "unknown program '$arg'"; usage ;;
  esac
done
[ "${#wanted[@]}" -gt 0 ] || wanted=("${all[@]}")
for version in "$COREDNS_VERSION" "$KNP_VERSION" "$CRICTL_VERSION"; do
  [[ "$version" =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "bad version '$version' (want vX.Y.Z)"
done

# Rewrites a copy of kube-network-policies (see above): every `expr.Queue` of pkg/networkpolicy
# becomes nfqueueTarget(num, bypass), defined in an added file, and cmd gets a --kubeconfig flag.
knp_patch() { # module-copy-dir
  local src="$1/pkg/networkpolicy" file patched
  for file in controller.go dnsagent.go; do
    [ -f "$src/$file" ] || die "kube-network-policies $KNP_VERSION has no pkg/networkpolicy/$file: update knp_patch in $0"
    patched="$src/.$file.patched"
    # controller.go: `queue := &expr.Queue{Num: N}` then `if c.config.FailOpen { queue.Flag = expr.QueueFlagBypass }`;
    # dnsagent.go: an inline `&expr.Queue{Num: N, Flag: expr.QueueFlagBypass}`.
    awk '
      /^\tqueue := &expr\.Queue\{Num: uint16\(c\.config\.QueueID\)\}$/ {
        if ((getline l1) > 0 && (getline l2) > 0 && (getline l3) > 0 &&
            l1 == "\tif c.config.FailOpen {" && l2 == "\t\tqueue.Flag = expr.QueueFlagBypass" && l3 == "\t}") {
          print "\tqueue := nfqueueTarget(uint16(c.config.QueueID), c.config.FailOpen)"; n++; next
        }
        bad = 1; exit 1
      }
      { n += gsub(/&expr\.Queue\{Num: uint16\(n\.nfQueueID\), Flag: expr\.QueueFlagBypass\}/, "nfqueueTarget(uint16(n.nfQueueID), true)"); print }
      END { if (bad || n == 0) exit 1 }
    ' "$src/$file" > "$patched" || die "the nfqueue rewrite no longer matches kube-network-policies $KNP_VERSION pkg/networkpolicy/$file: update knp_patch in $0"
    ! grep -n 'expr\.Queue' "$patched" >&2 || die "pkg/networkpolicy/$file still uses expr.Queue after the rewrite: update knp_patch in $0"
    mv "$patched" "$src/$file"
  done
  # v0.8.0 only reads the in-cluster config (a pod's service account); a node process needs a kubeconfig.
  main="$1/cmd/main.go"
  grep -q '^	config, err := rest\.InClusterConfig()$' "$main" \
    || die "kube-network-policies $KNP_VERSION cmd/main.go no longer calls rest.InClusterConfig() as expected: update knp_patch in $0"
  sed -i 's/^	config, err := rest\.InClusterConfig()$/	config, err := restConfig(rest.InClusterConfig)/' "$main"
  cat > "$1/cmd/kubeconfig_flag.go" <<'EOF'
// Added by scripts/ensure-node-binaries.sh (obslab): --kubeconfig, for running on a node outside a pod.
package main

import (
	"flag"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

var kubeconfig string

func init() {
	flag.StringVar(&kubeconfig, "kubeconfig", "", "Path to a kubeconfig file; empty: the in-cluster config of the pod's service account")
}

func restConfig(inCluster func() (*rest.Config, error)) (*rest.Config, error) {
	if kubeconfig == "" {
		return inCluster()
	}
	return clientcmd.BuildConfigFromFlags("", kubeconfig)
}
EOF
  cat > "$src/nfqueue_compat.go" <<'EOF'
// Added by scripts/ensure-node-binaries.sh (obslab): nfqueue through nft_compat, for kernels
// without CONFIG_NFT_QUEUE.
package networkpolicy

import (
	"encoding/binary"

	"github.com/google/nftables/expr"
	"github.com/google/nftables/xt"
)

// nfqueueTarget is the xtables NFQUEUE target, revision 3 (struct xt_NFQ_info_v3: queuenum,
// queues_total, flags; host byte order), which nft_compat runs like the `queue` statement.
func nfqueueTarget(num uint16, bypass bool) expr.Any {
	info := make([]byte, 8) // sizeof(struct xt_NFQ_info_v3) = 6, padded to XT_ALIGN
	binary.NativeEndian.PutUint16(info[0:], num)
	binary.NativeEndian.PutUint16(info[2:], 1) // one queue
	if bypass {
		binary.NativeEndian.PutUint16(info[4:], 1) // NFQ_FLAG_BYPASS: accept when nobody listens
	}
	unknown := xt.Unknown(info)
	return &expr.Target{Name: "NFQUEUE", Rev: 3, Info: &unknown}
}
EOF
}

recipe="$(declare -f knp_patch; cat "$pause_source")"
key="coredns-$COREDNS_VERSION.knp-$KNP_VERSION.crictl-$CRICTL_VERSION.$(printf '%s' "$recipe" | sha256sum | cut -c1-8)"
bin_dir="$cache/node/$key/bin"

missing=()
for name in "${wanted[@]}"; do [ -x "$bin_dir/$name" ] || missing+=("$name"); done
if [ "${#missing[@]}" = 0 ]; then
  log "${wanted[*]} already in $bin_dir"
  printf '%s\n' "$bin_dir"
  exit 0
fi
mkdir -p "$bin_dir"
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

go_env() {
  command -v go >/dev/null || die "Go is needed to build ${missing[*]} (https://go.dev/doc/install; this machine: /usr/local/go/bin)"
  export GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build"
  export GOFLAGS="-trimpath -buildvcs=false" CGO_ENABLED=0 GOWORK=off
  export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
  mkdir -p "$GOMODCACHE" "$GOCACHE"
}

# module_dir MODULE@VERSION: downloads the module (and its dependencies) and prints its directory.
module_dir() {
  local json dir
  json="$(cd "$work" && GOFLAGS=-mod=mod go mod download -json "$1")" \
    || die "could not download $1 from the Go module proxy ($(go env GOPROXY)): $(sed -n 's/.*"Error": "\(.*\)".*/\1/p' <<<"$json")"
  dir="$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
  [ -f "$dir/go.mod" ] || die "$1 came without a go.mod"
  (cd "$dir" && go mod download) || die "could not download the dependencies of $1"
  printf '%s\n' "$dir"
}

# go_build NAME MODULE_DIR PACKAGE [go build flags...]: builds from the module's own go.mod and go.sum.
go_build() {
  local name="$1" dir="$2" pkg="$3" started=$SECONDS
  shift 3
  log "building $name ($pkg; a cold build takes minutes)"
  (cd "$dir" && go build -mod=readonly -ldflags="-s -w${LDFLAGS_X:-}" "$@" -o "$bin_dir/.$name.partial" "$pkg") \
    || die "go build of $name failed (output above)"
  mv "$bin_dir/.$name.partial" "$bin_dir/$name"
  log "built $name in $((SECONDS - started)) s"
}

(cd "$work" && go mod init obslab.local/node-binaries >/dev/null 2>&1) || true
for name in "${missing[@]}"; do
  case "$name" in
    coredns)
      go_env
      dir="$(module_dir "github.com/coredns/coredns@$COREDNS_VERSION")"
      for plugin in kubernetes forward cache health ready errors loop reload; do
        grep -q "^$plugin:" "$dir/plugin.cfg" || die "CoreDNS $COREDNS_VERSION lacks the $plugin plugin in its default set (plugin.cfg)"
      done
      LDFLAGS_X=" -X github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION" go_build coredns "$dir" .
      plugins="$("$bin_dir/coredns" -plugins)"
      for plugin in kubernetes forward cache health ready errors loop reload; do
        grep -qx "$plugin" <<<"$plugins" || { rm -f "$bin_dir/coredns"; die "the built coredns lacks the $plugin plugin (coredns -plugins)"; }
      done
      ;;
    kube-network-policies)
      go_env
      dir="$(module_dir "sigs.k8s.io/kube-network-policies@$KNP_VERSION")"
      cp -R "$dir" "$work/kube-network-policies" && chmod -R u+w "$work/kube-network-policies"
      knp_patch "$work/kube-network-policies"
      log "kube-network-policies: nfqueue via the xtables NFQUEUE target (pkg/networkpolicy rewritten in a copy)"
      # -mod=mod: the added --kubeconfig needs client-go's clientcmd, whose sums upstream's go.sum lacks
      # (the versions are still upstream's go.mod requirements).
      LDFLAGS_X="" go_build kube-network-policies "$work/kube-network-policies" ./cmd -mod=mod
      ;;
    crictl)
      go_env
      dir="$(module_dir "sigs.k8s.io/cri-tools@$CRICTL_VERSION")"
      LDFLAGS_X=" -X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" go_build crictl "$dir" ./cmd/crictl
      ;;
    pause)
      cc="${CC:-gcc}"
      command -v "$cc" >/dev/null || die "a C compiler is needed for pause: apt-get install -y gcc libc6-dev"
      log "building pause from ${pause_source#"$root/"} ($cc -static)"
      "$cc" -Os -static -Wall -Werror -o "$bin_dir/.pause.partial" "$pause_source" \
        || die "$cc could not build a static pause (the static libc is in libc6-dev: apt-get install -y libc6-dev)"
      strip "$bin_dir/.pause.partial" 2>/dev/null || true
      mv "$bin_dir/.pause.partial" "$bin_dir/pause"
      ;;
  esac
done

for name in "${wanted[@]}"; do
  case "$name" in
    coredns) "$bin_dir/coredns" -version | sed -n 1p >&2 ;;
    crictl) "$bin_dir/crictl" --version >&2 ;;
    pause) "$bin_dir/pause" --version >&2 ;;
    kube-network-policies) log "kube-network-policies $KNP_VERSION (nfqueue via nft_compat)" ;;
  esac
done
log "binaries in $bin_dir"
printf '%s\n' "$bin_dir"
