#!/bin/sh
# Installs what `vfido up` needs from the system, as root:
#   - the udev rule /etc/udev/rules.d/70-vfido.rules (logged-in user and group vfido get
#     /dev/uhid and the key's hidraw node), plus one line per extra --vid/--pid pair;
#   - the system group vfido;
#   - the uhid module, now (modprobe) and at every boot (/etc/modules-load.d/vfido.conf);
#   - reloads udev and re-applies the rule to /dev/uhid and to hidraw nodes.
#
#   sudo udev/install.sh [--vid HEX --pid HEX]... [--root DIR] [--uninstall]
#
# --root DIR writes the files below DIR and skips everything that changes the running system
# (group, modprobe, udevadm): for packaging and tests.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=""
uninstall=0
extra=""
vid=""

usage() { echo "usage: $0 [--vid HEX --pid HEX]... [--root DIR] [--uninstall]" >&2; exit 2; }
hex4() { # 1-4 hex digits (optional 0x) -> 4 upper-case digits, as in the kernel's HID names
  h=$(echo "$1" | sed 's/^0[xX]//')
  echo "$h" | grep -Eq '^[0-9A-Fa-f]{1,4}$' || { echo "$0: not a 16-bit hex ID: $1" >&2; exit 2; }
  printf '%04X' "0x$h"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --vid) [ $# -ge 2 ] || usage; vid=$(hex4 "$2"); shift 2 ;;
    --pid) [ $# -ge 2 ] && [ -n "$vid" ] || usage; extra="$extra $vid:$(hex4 "$2")"; vid=""; shift 2 ;;
    --root) [ $# -ge 2 ] || usage; root=$2; shift 2 ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) usage ;;
  esac
done
[ -z "$vid" ] || { echo "$0: --vid $vid needs a --pid after it" >&2; exit 2; }
live=1
[ -z "$root" ] || live=0
if [ "$live" = 1 ] && [ "$(id -u)" -ne 0 ]; then
  echo "$0: run as root (sudo $0)" >&2
  exit 1
fi

rule=$root/etc/udev/rules.d/70-vfido.rules
modules=$root/etc/modules-load.d/vfido.conf

reload_udev() {
  command -v udevadm >/dev/null 2>&1 || { echo "udevadm not found: udev will read the rule at next boot"; return 0; }
  udevadm control --reload-rules || true
  udevadm trigger --action=change --subsystem-match=misc --sysname-match=uhid || true
  udevadm trigger --action=change --subsystem-match=hidraw || true
}

if [ "$uninstall" = 1 ]; then
  rm -f "$rule" "$modules"
  [ "$live" = 0 ] || reload_udev
  echo "removed $rule and $modules (the group vfido and a loaded uhid module stay)"
  exit 0
fi

mkdir -p "$(dirname "$rule")" "$(dirname "$modules")"
cp "$here/70-vfido.rules" "$rule"
for pair in $extra; do
  v=${pair%:*}; p=${pair#*:}
  {
    echo ""
    echo "# Added by install.sh --vid $v --pid $p"
    grep '^SUBSYSTEM=="hidraw"' "$here/70-vfido.rules" | sed "s/0003:1209:0001\\./0003:$v:$p./"
  } >>"$rule"
done
chmod 644 "$rule"
echo "uhid" >"$modules"
chmod 644 "$modules"
echo "installed $rule$( [ -z "$extra" ] || echo " (with$extra)") and $modules"
[ "$live" = 1 ] || exit 0

if ! getent group vfido >/dev/null 2>&1; then
  groupadd --system vfido && echo "created the system group vfido"
fi
if modprobe uhid 2>/dev/null; then echo "loaded the uhid module"; else echo "warning: modprobe uhid failed; is CONFIG_UHID enabled in this kernel?" >&2; fi
reload_udev
user=${SUDO_USER:-}
echo
echo "Done. The user logged in at the seat gets access now (uaccess); log out and in if \`vfido up\` still"
echo "says permission denied. For ssh or other sessions without a seat, join the group:"
echo "  sudo usermod -aG vfido ${user:-USER}    # then start a new login session"
