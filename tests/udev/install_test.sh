#!/usr/bin/env bash
# udev/install.sh into a scratch root (--root: files only, nothing on the running system).
# Whether the rule does what it says is checked in a real kernel with udevadm (tests/vm).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
install=$repo/udev/install.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$install" --root "$tmp/r1" >/dev/null
rule=$tmp/r1/etc/udev/rules.d/70-vfido.rules
cmp -s "$rule" "$repo/udev/70-vfido.rules" || fail "plain install must copy the rule unchanged"
[ "$(cat "$tmp/r1/etc/modules-load.d/vfido.conf")" = uhid ] || fail "modules-load.d entry"
[ "$(stat -c %a "$rule")" = 644 ] || fail "rule mode"

# The rule's own lines: /dev/uhid (also as a static node) and the default VID:PID.
grep -q '^SUBSYSTEM=="misc", KERNEL=="uhid", .*TAG+="uaccess", OPTIONS+="static_node=uhid"' "$rule" || fail "uhid line"
grep -q 'KERNELS=="0003:1209:0001\.\*".*GROUP="vfido", MODE="0660", TAG+="uaccess"' "$rule" || fail "hidraw line"

# Extra pairs: normalised to the kernel's upper-case, 4-digit form.
"$install" --root "$tmp/r2" --vid 0x1050 --pid 407 --vid a2ca --pid BEEF >/dev/null
rule2=$tmp/r2/etc/udev/rules.d/70-vfido.rules
grep -q 'DEVPATH=="/devices/virtual/misc/uhid/\*", KERNELS=="0003:1050:0407\.\*"' "$rule2" || fail "pair 1050:0407"
grep -q 'KERNELS=="0003:A2CA:BEEF\.\*"' "$rule2" || fail "pair A2CA:BEEF"
[ "$(grep -c '^SUBSYSTEM=="hidraw"' "$rule2")" = 3 ] || fail "expected 3 hidraw lines"

# Bad arguments change nothing.
for args in "--vid 12345 --pid 1" "--vid 1050" "--pid 1" "--vid zz --pid 1" "--bogus"; do
  set +e; "$install" --root "$tmp/bad" $args >/dev/null 2>&1; rc=$?; set -e
  [ "$rc" = 2 ] || fail "'$args' exited $rc, expected 2"
  [ ! -e "$tmp/bad" ] || fail "'$args' wrote files"
done

"$install" --root "$tmp/r2" --uninstall >/dev/null
[ ! -e "$rule2" ] && [ ! -e "$tmp/r2/etc/modules-load.d/vfido.conf" ] || fail "uninstall left files"
echo "install_test: all checks passed"
