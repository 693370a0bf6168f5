#!/usr/bin/env bash
# The real-kernel test of the uhid path: boots a Debian 12 kernel under QEMU (TCG, no KVM) with
# an initramfs holding busybox, vfido, libfido2's tools (fido2-token/-cred/-assert) and
# ssh-keygen, and runs tests/vm/guest_init.sh there (`vfido up`, then real hosts against
# /dev/hidrawN). Passes when the guest's verdict is PASS and every expected check reported.
#
#   vm_test.sh VFIDO_BINARY WORK_DIR
#
# The kernel package is downloaded from Debian's archive with `apt-get download` the first time
# and cached in WORK_DIR/kernel. Environment:
#   VFIDO_VM_KERNEL_PACKAGE  metapackage to resolve (default linux-image-cloud-amd64: small,
#                            and has uhid, hid, hid-generic as modules and hidraw built in)
#   VFIDO_VM_TIMEOUT         seconds before the VM is killed (default 150)
#   VFIDO_VM_ACCEL           QEMU accelerator (default tcg; KVM hangs on the CI machines)
# Needs (scripts/setup.sh installs them): qemu-system-x86, busybox-static, cpio, fido2-tools,
# openssh-client.
set -euo pipefail

vfido=$(readlink -f "$1")
work=$2
here=$(cd "$(dirname "$0")" && pwd)
package=${VFIDO_VM_KERNEL_PACKAGE:-linux-image-cloud-amd64}
timeout_s=${VFIDO_VM_TIMEOUT:-150}
accel=${VFIDO_VM_ACCEL:-tcg}

# Every check the guest must report; XFAIL is accepted only where listed in allowed_xfail.
expected_checks="modules vfido_up second_up_refused token_list status udev_uhid udev_hidraw udev_vidpid udev_fido_id token_info cred_make cred_verify
  assert_get assert_verify ssh_ecdsa_sk ssh_ed25519_sk ssh_ed25519_sk_resident command_log ctl_list ctl_pending
  ctl_second_key ctl_power_cycle garbage probe down gone"
allowed_xfail="ssh_ed25519_sk_resident"

die() { echo "vm_test: $*" >&2; exit 1; }
t0=$(date +%s.%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

for tool in qemu-system-x86_64 cpio gzip ldd fido2-token fido2-cred fido2-assert ssh-keygen udevadm; do
  command -v "$tool" >/dev/null || die "$tool is missing; run scripts/setup.sh"
done
busybox=/bin/busybox
[ -x "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 || die "$busybox is missing or not static; run scripts/setup.sh (busybox-static)"
sk_helper=/usr/lib/openssh/ssh-sk-helper
[ -x "$sk_helper" ] || die "$sk_helper is missing; run scripts/setup.sh (openssh-client)"

mkdir -p "$work/kernel"
work=$(cd "$work" && pwd)

# --- 1. The kernel: a Debian package, downloaded once --------------------------------------
resolve_package() { apt-cache depends "$package" 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }'; }
image_pkg=$(resolve_package || true)
if [ -z "$image_pkg" ]; then
  # No package lists yet (a fresh machine): fetch them, as setup.sh would.
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq >/dev/null 2>&1 || true; fi
  image_pkg=$(resolve_package || true)
fi
if [ -z "$image_pkg" ]; then
  # Offline: a kernel cached by an earlier run will do.
  image_pkg=$(ls "$work/kernel" 2>/dev/null | grep '^linux-image-' | head -1 || true)
fi
[ -n "$image_pkg" ] || die "cannot resolve $package (apt-cache depends) and no kernel is cached in $work/kernel"
kdir=$work/kernel/$image_pkg
if [ ! -f "$kdir/vmlinuz" ]; then
  echo "vm_test: downloading $image_pkg from Debian's archive"
  rm -rf "$kdir" "$work/kernel/download"
  mkdir -p "$work/kernel/download"
  (cd "$work/kernel/download" && apt-get download "$image_pkg" >/dev/null 2>&1) ||
    { [ "$(id -u)" -eq 0 ] && apt-get update -qq >/dev/null 2>&1 && (cd "$work/kernel/download" && apt-get download "$image_pkg" >/dev/null); } ||
    die "apt-get download $image_pkg failed"
  deb=$(ls "$work/kernel/download"/*.deb | head -1)
  dpkg-deb -x "$deb" "$work/kernel/download/root"
  mkdir -p "$kdir"
  cp "$work/kernel/download/root"/boot/vmlinuz-* "$kdir/vmlinuz"
  for m in hid uhid hid-generic; do
    f=$(find "$work/kernel/download/root/lib/modules" -name "$m.ko*" | head -1)
    [ -n "$f" ] || die "$image_pkg has no $m module"
    cp "$f" "$kdir/"
  done
  rm -rf "$work/kernel/download"
fi
for m in hid uhid hid-generic; do
  [ -f "$kdir/$m.ko" ] || die "$kdir/$m.ko missing (compressed modules are not supported by this script)"
done

# --- 2. The initramfs ------------------------------------------------------------------------
root=$work/initramfs
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/lib/openssh,etc,dev,proc,sys,tmp,run,root,lib/modules}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
# A program and every shared library ldd names for it, at the same paths.
copy_with_libs() { # source destination-inside-root
  install -D -m 755 "$1" "$root$2"
  ldd "$1" | awk '/=> \// { print $3 } /^[ \t]*\// { print $1 }' | while read -r lib; do
    [ -e "$root$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib"
  done
}
copy_with_libs "$vfido" /usr/bin/vfido
for t in fido2-token fido2-cred fido2-assert ssh-keygen udevadm; do copy_with_libs "$(command -v "$t")" "/usr/bin/$t"; done
copy_with_libs "$sk_helper" /usr/lib/openssh/ssh-sk-helper
cp "$kdir"/*.ko "$root/lib/modules/"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nvfido:x:990:\n' >"$root/etc/group"
# vfido's rule through its install script (files only), run by `udevadm test` in the guest, and
# systemd's fido_id, the helper of its 60-fido-id.rules.
[ -x /usr/lib/udev/fido_id ] || die "/usr/lib/udev/fido_id is missing; run scripts/setup.sh (udev)"
copy_with_libs /usr/lib/udev/fido_id /usr/lib/udev/fido_id
"$here/../../udev/install.sh" --root "$root" --vid 1050 --pid 0407 >/dev/null
printf 'passwd: files\ngroup: files\n' >"$root/etc/nsswitch.conf"
install -m 755 "$here/guest_init.sh" "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"
echo "vm_test: kernel $image_pkg, initramfs $(du -h "$work/initramfs.gz" | cut -f1), prepared in $(elapsed) s"

# --- 3. Boot -----------------------------------------------------------------------------------
console=$work/console.log
set +e
timeout --kill-after=5 "$timeout_s" qemu-system-x86_64 -accel "$accel" -machine q35 -cpu max -smp 2 -m 768 \
  -nographic -no-reboot -nic none \
  -kernel "$kdir/vmlinuz" -initrd "$work/initramfs.gz" \
  -append "console=ttyS0 panic=-1 quiet loglevel=4 rdinit=/init" </dev/null >"$console" 2>&1
qemu_rc=$?
set -e
tr -d '\r' <"$console" >"$console.txt"

# --- 4. Verdict --------------------------------------------------------------------------------
problems=()
if [ "$qemu_rc" -eq 124 ] || [ "$qemu_rc" -eq 137 ]; then problems+=("the VM did not finish within $timeout_s s"); fi
grep -q '^VFIDO-VM: VERDICT PASS$' "$console.txt" || problems+=("no PASS verdict from the guest")
for c in $expected_checks; do
  line=$(grep "^VFIDO-VM: CHECK $c " "$console.txt" | head -1 || true)
  result=$(echo "$line" | awk '{ print $4 }')
  case "$result" in
    PASS) ;;
    XFAIL) echo " $allowed_xfail " | grep -q " $c " || problems+=("$c: XFAIL is not allowed") ;;
    "") problems+=("$c: not reported") ;;
    *) problems+=("$c: $result") ;;
  esac
done

grep '^VFIDO-VM: CHECK ' "$console.txt" | sed 's/^VFIDO-VM: CHECK /  /'
if [ ${#problems[@]} -ne 0 ]; then
  echo "vm_test: FAILED after $(elapsed) s:"
  printf '  - %s\n' "${problems[@]}"
  echo "----- guest console ($console) -----"
  cat "$console.txt"
  exit 1
fi
xfails=$(grep -c '^VFIDO-VM: CHECK [a-z0-9_]* XFAIL ' "$console.txt" || true)
echo "vm_test: $(( $(echo $expected_checks | wc -w) - xfails )) checks passed, $xfails expected failure(s), in a real kernel ($(grep -m1 -o 'VFIDO-VM: kernel .*' "$console.txt" | cut -d' ' -f3-)), $(elapsed) s"
