#!/usr/bin/env bash
# Makes sure schemathesis (the task-api's property-based fuzz suite, from PyPI) is installed and
# prints, on the last line of stdout, the path of its `schemathesis` program (progress goes to
# stderr). It lives in a virtualenv outside the repository, keyed by the hash of the pinned
# requirements (scripts/schemathesis.requirements.txt: schemathesis and all it installs), in
# ${OBSLAB_CACHE:-$HOME/.cache/obslab}/schemathesis/<version>-<hash>/, so a second run is a no-op
# and a changed pin gets a fresh venv. Needs python3 >= 3.10 with venv (Debian: python3-venv).
#
# The fuzz spec finds the program there (or at $SCHEMATHESIS).
# Usage: scripts/ensure-schemathesis.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

requirements=scripts/schemathesis.requirements.txt
version="$(sed -n 's/^schemathesis==//p' "$requirements")"
key="$version-$(sha256sum "$requirements" | cut -c1-12)"
cache="${OBSLAB_CACHE:-$HOME/.cache/obslab}/schemathesis"
venv="$cache/$key"
program="$venv/bin/schemathesis"

log() { printf '[ensure-schemathesis] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [ -x "$program" ] && "$program" --version 2>/dev/null | grep -qF "$version"; then
  log "schemathesis $version already installed: $program"
  printf '%s\n' "$program"
  exit 0
fi

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || die "python3 is needed (Debian: apt-get install -y python3 python3-venv)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || die "schemathesis $version needs Python >= 3.10: $("$python" --version)"
log "installing schemathesis $version into $venv"
rm -rf "$venv.partial"
"$python" -m venv "$venv.partial" || die "cannot make a virtualenv (Debian: apt-get install -y python3-venv)"
"$venv.partial/bin/pip" install --quiet --disable-pip-version-check --no-input --no-deps --only-binary=:all: -r "$requirements" \
  || die "pip could not install $requirements"
"$venv.partial/bin/pip" check >&2 || die "the pinned requirements are inconsistent: regenerate $requirements"
rm -rf "$venv"
mv "$venv.partial" "$venv"
# A venv's scripts name their interpreter by absolute path: rewrite them for the final directory.
sed -i "1s|$venv.partial|$venv|" "$venv"/bin/* 2>/dev/null || true
"$program" --version >&2 || die "schemathesis does not run from $venv"
printf '%s\n' "$program"
