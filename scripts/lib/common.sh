# Sourced by the scripts beside it: the same logging, errors and --help for each.
#   . "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"; script_init NAME "$0"
# log MESSAGE: "[NAME] MESSAGE" on stderr.  die MESSAGE: logs "error: MESSAGE", exits 1.
# print_help: the script's header comment (from line 2 up to `set -euo pipefail`), then exit 0.
# no_arguments ARGS...: --help prints the help; any other argument is a usage error (exit 2).

script_init() { script_name="$1" script_path="$2"; }
log() { printf '[%s] %s\n' "$script_name" "$*" >&2; }
die() { log "error: $*"; exit 1; }
print_help() { sed -n '2,/^set -euo/p' "$script_path" | sed '$d; s/^# \{0,1\}//'; exit 0; }
no_arguments() {
  case "${1:-}" in
    '') ;;
    -h|--help) print_help ;;
    *) printf 'usage: %s (no arguments; --help says more)\n' "$script_path" >&2; exit 2 ;;
  esac
}
