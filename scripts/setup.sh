#!/usr/bin/env bash
# Installs every package vfido needs to build and test, from Debian's archive only.
# Idempotent: packages already present are skipped; `apt-get update` runs once, only if
# something is missing. Run as root (or with sudo) on Debian 12.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libssl-dev libcbor-dev libexpected-dev
  libboost-dev libboost-system-dev
  libfido2-dev fido2-tools libhidapi-dev
  doctest-dev libsqlite3-dev libcli11-dev nlohmann-json3-dev zlib1g-dev
  python3 python3-fido2 python3-cryptography openssl
  # WebAuthn client emulator: the public suffix list through libpsl, with Debian's list data
  libpsl-dev publicsuffix
  # hybrid: the desktop's QR code (terminal, PNG, SVG); zbarimg decodes it back in a test
  libqrencode-dev libpng-dev zbar-tools
  # passkey policies and scenarios (tools/policy, tools/scenario): YAML with line numbers
  libyaml-cpp-dev
  # tests/vm: boot a Debian kernel under QEMU with busybox, ssh-keygen and udevadm inside
  qemu-system-x86 busybox-static cpio udev openssh-client
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# Node.js and npm for the @simplewebauthn/server cross-check (tests/interop/simplewebauthn):
# Debian 12's nodejs (18) and npm, unless a node and npm are already installed (a Node.js from
# elsewhere that bundles npm conflicts with Debian's npm package).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  for p in nodejs npm; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The npm packages of the cross-check, exactly as package-lock.json pins them.
root=$(cd "$(dirname "$0")/.." && pwd)
swa="$root/tests/interop/simplewebauthn"
if [ ! -d "$swa/node_modules/@simplewebauthn/server" ] || [ "$swa/package-lock.json" -nt "$swa/node_modules" ]; then
  echo "setup: npm ci in tests/interop/simplewebauthn"
  (cd "$swa" && npm ci --no-audit --no-fund --loglevel=error)
fi
