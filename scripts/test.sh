#!/usr/bin/env bash
# README command 2: install what is missing, build, and run every test (CTest prints its
# summary line last). .ci/run calls exactly this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${VFIDO_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure --timeout 300
