#!/usr/bin/env bash
# The entrypoint of the local postgres stand-in, with the contract of the upstream image's
# docker-entrypoint.sh (docker-library/postgres, 18): on the first start of an empty $PGDATA it runs
# initdb with POSTGRES_USER and POSTGRES_PASSWORD (or *_FILE), adds `host all all all <method>` to
# pg_hba.conf (the method is password_encryption, scram-sha-256, unless POSTGRES_HOST_AUTH_METHOD is
# set), starts a socket-only server, creates POSTGRES_DB, runs /docker-entrypoint-initdb.d/*.{sh,sql,
# sql.gz} and stops it; then it execs the command (postgres) as PID 1. Started as root, it hands
# $PGDATA to postgres (uid 999) and re-executes itself as that user. Written for this image, not
# copied.
set -Eeuo pipefail

fail() { printf '%s: error: %s\n' "$0" "$*" >&2; exit 1; }

# VAR or VAR_FILE (exclusive) → VAR, with a default.
from_env_or_file() {
  local name="$1" default="${2:-}" file_name="${1}_FILE"
  if [ -n "${!name:-}" ] && [ -n "${!file_name:-}" ]; then fail "both $name and $file_name are set: set one"; fi
  local value="$default"
  if [ -n "${!name:-}" ]; then
    value="${!name}"
  elif [ -n "${!file_name:-}" ]; then
    [ -r "${!file_name}" ] || fail "$file_name=${!file_name} is not a readable file"
    value="$(< "${!file_name}")"
  fi
  export "$name=$value"
  unset "$file_name"
}

wants_help() {
  local arg
  for arg; do case "$arg" in -'?'|--help|--describe-config|-V|--version) return 0 ;; esac; done
  return 1
}

sql() { # psql against the temporary server, as POSTGRES_USER, stopping at the first error
  PGHOST= PGHOSTADDR= psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc "$@"
}

initialize() { # server arguments
  if [ -z "$POSTGRES_PASSWORD" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
    cat >&2 <<'EOF'
Error: the database is uninitialized and the superuser has no password. Set POSTGRES_PASSWORD (or
POSTGRES_PASSWORD_FILE) to a non-empty value. (POSTGRES_HOST_AUTH_METHOD=trust lets anyone who
reaches the port in without one: not recommended.)
EOF
    exit 1
  fi
  local old
  for old in /var/lib/postgresql/PG_VERSION /var/lib/postgresql/data/PG_VERSION; do
    [ "$PGDATA" != "/var/lib/postgresql/$PG_MAJOR/docker" ] || [ ! -s "$old" ] || fail "found data of another layout in ${old%/PG_VERSION}: since 18 the data lives in \$PGDATA=$PGDATA under one volume at /var/lib/postgresql (upgrade it with pg_upgrade)"
  done
  ls /docker-entrypoint-initdb.d/ >/dev/null

  # The server's compiled-in socket directory is /tmp; Debian's (and so upstream's, and psql's
  # default here) is /var/run/postgresql.
  local initdb_args=(--username="$POSTGRES_USER" --set unix_socket_directories=/var/run/postgresql)
  [ -z "${POSTGRES_INITDB_WALDIR:-}" ] || initdb_args+=(--waldir="$POSTGRES_INITDB_WALDIR")
  # POSTGRES_INITDB_ARGS is a shell-quoted string (upstream's contract): split it the same way.
  eval "initdb_args+=($POSTGRES_INITDB_ARGS)"
  # initdb reads the password from a file; a process substitution keeps it off disk (and must be
  # opened by the command itself: it closes when the command that made it ends).
  initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD")

  local method
  method="${POSTGRES_HOST_AUTH_METHOD:-$(postgres -C password_encryption "$@")}"
  printf '\nhost all all all %s\n' "$method" >> "$PGDATA/pg_hba.conf"

  export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
  NOTIFY_SOCKET= PGUSER="${PGUSER:-$POSTGRES_USER}" \
    pg_ctl -D "$PGDATA" -o "$(printf '%q ' "$@" -c listen_addresses= -p "${PGPORT:-5432}")" -w start
  if [ -z "$(POSTGRES_DB= sql --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")" ]; then
    sql --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
  fi
  local file
  for file in /docker-entrypoint-initdb.d/*; do
    [ -e "$file" ] || continue
    case "$file" in
      *.sh) printf '%s: running %s\n' "$0" "$file"; if [ -x "$file" ]; then "$file"; else . "$file"; fi ;;
      *.sql) printf '%s: running %s\n' "$0" "$file"; sql --dbname "$POSTGRES_DB" -f "$file" ;;
      *.sql.gz) printf '%s: running %s\n' "$0" "$file"; gunzip -c "$file" | sql --dbname "$POSTGRES_DB" ;;
      *) printf '%s: ignoring %s\n' "$0" "$file" ;;
    esac
  done
  PGUSER="${PGUSER:-$POSTGRES_USER}" pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGPASSWORD
  printf '\nPostgreSQL init process complete; ready for start up.\n\n'
}

main() {
  [ "${1:0:1}" != - ] || set -- postgres "$@"
  if [ "$1" != postgres ] || wants_help "$@"; then exec "$@"; fi

  from_env_or_file POSTGRES_PASSWORD
  from_env_or_file POSTGRES_USER postgres
  from_env_or_file POSTGRES_DB "$POSTGRES_USER"
  from_env_or_file POSTGRES_INITDB_ARGS

  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA" || : # postgres refuses a data directory others can read
  mkdir -p /var/run/postgresql || :
  chmod 3775 /var/run/postgresql || :
  if [ "$(id -u)" = 0 ]; then
    find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
  fi

  if [ -s "$PGDATA/PG_VERSION" ]; then
    printf '\nPostgreSQL Database directory appears to contain a database; Skipping initialization\n\n'
  else
    initialize "${@:2}"
  fi
  exec "$@"
}

main "$@"
