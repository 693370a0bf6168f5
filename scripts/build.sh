#!/usr/bin/env bash
# Configures and builds vfido into ./build (or $VFIDO_BUILD_DIR). Extra arguments go to cmake's
# configure step, e.g. scripts/build.sh -DVFIDO_SANITIZE=ON.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${VFIDO_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja "$@" >/dev/null
cmake --build "$build" -j"$(nproc)"
