#!/usr/bin/env bash
# `npm test`: builds every project, lints it, then runs every unit and integration spec
# (`*.spec.js`, not the `*.e2e.spec.js` suites of `npm run e2e`) in one node:test run, so the
# closing lines count all of them. Integration specs start their own real servers (PostgreSQL).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

echo "[obslab] building"
nx run-many -t build --output-style=static
echo "[obslab] linting"
nx run-many -t lint --output-style=static
echo "[obslab] checking formatting (prettier)"
prettier --check . --log-level warn
# Compiled specs live in each project's dist/, except compose's, charts-ts's and operator's, whose
# renderings (compose.yaml, dist/) are committed beside them and which compile to lib/.
mapfile -t specs < <(find libs services tools e2e compose charts-ts kvm operator -path '*/node_modules' -prune -o \( -path '*/dist/*' -o -path 'compose/lib/*' -o -path 'charts-ts/lib/*' -o -path 'operator/lib/*' \) -name '*.spec.js' ! -name '*.e2e.spec.js' -print | sort)
if [ "${#specs[@]}" -eq 0 ]; then
  echo "[obslab] no compiled spec files found: did the build run?" >&2
  exit 1
fi
echo "[obslab] running ${#specs[@]} spec files"
exec node --test --test-reporter=spec "${specs[@]}"
