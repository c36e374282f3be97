#!/usr/bin/env bash
# Makes the pod sandbox image registry.k8s.io/pause:3.10 without Docker or a registry: the static
# /pause of scripts/ensure-node-binaries.sh (tools/lab/images/pause/pause.c) in one layer, run as
# 65535:65535 like upstream, written as an image archive that holds both an OCI layout (index.json)
# and Docker's manifest.json, so `ctr -n k8s.io images import FILE` and `docker load -i FILE` both
# take it. Reproducible: the same binary gives the same bytes (file times are 0).
# (`lab images build pause` makes the same image with Docker, from tools/lab/images/pause/Dockerfile.)
#
# Written next to the binaries, ${OBSLAB_CACHE:-$HOME/.cache/obslab}/node/<key>/images/pause-3.10.tar;
# prints its path on the last line of stdout (progress goes to stderr). A second run is a no-op.
#
# Usage: scripts/build-pause-image.sh
# Env:   OBSLAB_CACHE, PAUSE_IMAGE (default registry.k8s.io/pause:3.10)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
image="${PAUSE_IMAGE:-registry.k8s.io/pause:3.10}"

# shellcheck source=lib/common.sh
. "$root/scripts/lib/common.sh"
script_init build-pause-image "$0"

no_arguments "$@"
[[ "$image" == *:* ]] || die "PAUSE_IMAGE=$image has no tag (want name:tag)"

bin_dir="$(bash "$root/scripts/ensure-node-binaries.sh" pause | tail -n1)"
[ -x "$bin_dir/pause" ] || die "scripts/ensure-node-binaries.sh pause did not leave $bin_dir/pause"
out="$(dirname "$bin_dir")/images/pause-${image##*:}.tar"
if [ -f "$out" ] && [ "$out" -nt "$bin_dir/pause" ]; then
  log "$image already in $out"
  printf '%s\n' "$out"
  exit 0
fi

case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) die "unknown architecture $(uname -m)" ;; esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs" "$work/image/blobs/sha256"
install -m 755 "$bin_dir/pause" "$work/rootfs/pause"
blob() { # file → its digest; the file moves into blobs/
  local digest
  digest="$(sha256sum "$1" | cut -d' ' -f1)"
  mv "$1" "$work/image/blobs/sha256/$digest"
  printf '%s\n' "$digest"
}
size() { stat -c %s "$work/image/blobs/sha256/$1"; }

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/rootfs" -cf "$work/layer.tar" pause
layer="$(blob "$work/layer.tar")"
printf '{"architecture":"%s","os":"linux","config":{"User":"65535:65535","Entrypoint":["/pause"],"Labels":{"dev.obslab.built-by":"scripts/build-pause-image.sh"}},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"scripts/build-pause-image.sh: tools/lab/images/pause/pause.c, static"}]}' \
  "$arch" "$layer" > "$work/config.json"
config="$(blob "$work/config.json")"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%s}]}' \
  "$config" "$(size "$config")" "$layer" "$(size "$layer")" > "$work/manifest.oci.json"
manifest="$(blob "$work/manifest.oci.json")"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
  "$manifest" "$(size "$manifest")" "$image" "${image##*:}" > "$work/image/index.json"
printf '{"imageLayoutVersion":"1.0.0"}' > "$work/image/oci-layout"
printf '[{"Config":"blobs/sha256/%s","RepoTags":["%s"],"Layers":["blobs/sha256/%s"]}]' "$config" "$image" "$layer" > "$work/image/manifest.json"

mkdir -p "$(dirname "$out")"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/image" -cf "$out.partial" .
mv "$out.partial" "$out"
log "$image ($(stat -c %s "$out") bytes, manifest sha256:$manifest) in $out"
printf '%s\n' "$out"
