#!/usr/bin/env bash
# Builds the lab VM's base disk image with debootstrap (no cloud image can be downloaded here) and
# prints, on the last line of stdout, the directory holding it (progress goes to stderr):
#
#   base.qcow2    Debian 13 (trixie) root filesystem on /dev/vda (no partition table), ext4
#   vmlinuz       its kernel and initrd, for direct kernel boot
#   initrd.img    (libvirt <kernel>/<initrd>/<cmdline>, or qemu -kernel/-initrd/-append)
#
# The image is a *generic* cloud-init image: it has no user, no key, no sshd drop-in and no
# firewall rules. Everything that makes it the lab VM comes from the project's own cloud-init seed
# (kvm/src/cloud-init.ts). Packages that the seed asks for (docker.io, docker-compose, nftables,
# unattended-upgrades, rsync) are baked in, so a guest without outbound network (QEMU user-mode
# networking with restrict=on) finds them installed; its apt sources are removed for the same
# reason (`apt-get update` is then a no-op instead of a failure). SSH host keys are removed so
# every VM generates its own on first boot.
#
# Debian 13 because Compose v2 is packaged there (docker-compose 2.x provides the `docker compose`
# plugin); Debian 12 only has Compose 1.29, which has no `up --wait`.
#
# Cached in ${OBSLAB_CACHE:-$HOME/.cache/obslab}/vm/<recipe hash>/: a second run is a no-op.
# Needs root (debootstrap, chroot), debootstrap, qemu-utils, e2fsprogs.
#
# Usage: scripts/build-vm-image.sh [--force]
# Env:   OBSLAB_CACHE, DEBIAN_MIRROR (default: the first mirror in /etc/apt/sources.list(.d)),
#        VM_IMAGE_SIZE (default 4G; the root filesystem grows to the overlay's size on first boot)
set -euo pipefail

suite=trixie
cache="${OBSLAB_CACHE:-$HOME/.cache/obslab}"
size="${VM_IMAGE_SIZE:-4G}"
force=0
[ "${1:-}" = "--force" ] && force=1

log() { printf '[vm-image] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

find_mirror() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($i ~ /debian\/?$/) { print $i; exit } }' "$file"
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /debian\/?$/) { print $i; exit } }' "$file"
  done
}
mirror="${DEBIAN_MIRROR:-$(find_mirror | head -n1)}"
[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list(.d); set DEBIAN_MIRROR"

packages=(
  linux-image-amd64 systemd-sysv dbus udev kmod locales sudo netbase ca-certificates
  ifupdown isc-dhcp-client iproute2 procps e2fsprogs
  openssh-server cloud-init python3-cffi-backend
  docker.io docker-cli docker-compose nftables unattended-upgrades rsync
)

build() {
  local out="$1" work="$2" rootfs="$2/rootfs"
  log "debootstrap --variant=minbase $suite from $mirror (a few minutes)"
  debootstrap --variant=minbase --include="$(IFS=,; echo "${packages[*]}")" "$suite" "$rootfs" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  printf '/dev/vda / ext4 defaults,errors=remount-ro 0 1\n' >"$rootfs/etc/fstab"
  # cloud-init ends in "status: error" without the locale it sets.
  sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' "$rootfs/etc/locale.gen"
  chroot "$rootfs" locale-gen >/dev/null
  printf 'LANG=en_US.UTF-8\n' >"$rootfs/etc/default/locale"
  # A generic image: per-VM host keys, hostname and machine id come at first boot.
  rm -f "$rootfs"/etc/ssh/ssh_host_*
  : >"$rootfs/etc/machine-id"
  rm -f "$rootfs/var/lib/dbus/machine-id"
  printf 'localhost\n' >"$rootfs/etc/hostname"
  # Offline guest: no apt sources (see the header).
  rm -f "$rootfs/etc/apt/sources.list" "$rootfs"/etc/apt/sources.list.d/*
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
  cp "$(readlink -f "$rootfs/vmlinuz")" "$work/vmlinuz"
  cp "$(readlink -f "$rootfs/initrd.img")" "$work/initrd.img"
  log "making the disk image ($size ext4, then qcow2)"
  mkfs.ext4 -q -F -L root -d "$rootfs" "$work/root.raw" "$size"
  qemu-img convert -O qcow2 "$work/root.raw" "$work/base.qcow2"
  mkdir -p "$out"
  mv "$work/base.qcow2" "$work/vmlinuz" "$work/initrd.img" "$out/"
}

[ "$(id -u)" = 0 ] || die "needs root (debootstrap and chroot)"
for program in debootstrap qemu-img mkfs.ext4; do
  command -v "$program" >/dev/null || die "$program is needed: apt-get install -y debootstrap qemu-utils e2fsprogs"
done

key="$(printf '%s\n' "$(sed -n '/^packages=(/,/^}/p' "${BASH_SOURCE[0]}")" "$suite" "$mirror" "$size" | sha256sum | cut -c1-16)"
out="$cache/vm/$suite-$key"
if [ "$force" = 0 ] && [ -f "$out/base.qcow2" ] && [ -f "$out/vmlinuz" ] && [ -f "$out/initrd.img" ]; then
  log "image up to date (recipe $key): $out"
  printf '%s\n' "$out"
  exit 0
fi
started=$SECONDS
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
build "$out" "$work"
log "built in $((SECONDS - started)) s: $out ($(du -sh "$out/base.qcow2" | cut -f1))"
printf '%s\n' "$out"
