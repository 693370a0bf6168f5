#!/usr/bin/env bash
# CTest entry: crosscheck_fixture writes responses and vfido's verdicts, check.mjs verifies them
# with @simplewebauthn/server (installed by scripts/setup.sh with `npm ci` in this folder).
set -euo pipefail
fixture=$1
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/@simplewebauthn/server" ]; then
  echo "run_crosscheck: $here/node_modules is missing; run scripts/setup.sh (it runs npm ci here)" >&2
  exit 1
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$fixture" > "$out"
node "$here/check.mjs" "$out"
