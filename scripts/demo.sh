#!/usr/bin/env bash
# README command 1: install what is missing, build, and run the main job (`vfido demo`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
exec "${VFIDO_BUILD_DIR:-$root/build}/tools/vfido" demo
