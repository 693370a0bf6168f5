#!/bin/sh
# /init of the VM test's initramfs (tests/vm/vm_test.sh builds it): a Debian kernel, busybox,
# vfido, libfido2's tools and ssh-keygen. Loads uhid, starts `vfido up`, and checks what real
# hosts do with the key. Prints one line per check,
#   VFIDO-VM: CHECK <name> PASS|FAIL|XFAIL <seconds>s <detail>
# and a final
#   VFIDO-VM: VERDICT PASS|FAIL
# which the host script parses; then powers the VM off.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:/sbin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mkdir -p /run && mount -t tmpfs tmpfs /run
export HOME=/root XDG_RUNTIME_DIR=/run/user/0
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
cd /tmp

failed=0
uptime_s() { cut -d' ' -f1 /proc/uptime; }
report() { # name result start detail
  elapsed=$(awk -v a="$3" -v b="$(uptime_s)" 'BEGIN { printf "%.2f", b - a }')
  echo "VFIDO-VM: CHECK $1 $2 ${elapsed}s $4"
  [ "$2" = FAIL ] && failed=1
  return 0
}
# check NAME DETAIL 'SHELL COMMAND': runs the command (functions of this script included) in a
# subshell killed after 60 s; output in /tmp/NAME.log.
check() {
  name=$1; detail=$2; cmd=$3
  start=$(uptime_s)
  ( eval "$cmd" ) >"/tmp/$name.log" 2>&1 </dev/null &
  pid=$!
  ( sleep 60; kill -9 "$pid" 2>/dev/null ) &
  watchdog=$!
  wait "$pid"
  rc=$?
  kill "$watchdog" 2>/dev/null
  if [ "$rc" = 0 ]; then
    report "$name" PASS "$start" "$detail"
    return 0
  fi
  report "$name" FAIL "$start" "exit $rc from: $cmd"
  sed 's/^/    | /' "/tmp/$name.log"
  return 1
}
finish() {
  if [ -f /tmp/up.err ]; then echo "--- vfido up log (stderr)"; sed 's/^/    | /' /tmp/up.err; fi
  if [ "$failed" != 0 ]; then echo "--- kernel log (last 30 lines)"; dmesg | tail -30 | sed 's/^/    | /'; fi
  if [ "$failed" = 0 ]; then echo "VFIDO-VM: VERDICT PASS"; else echo "VFIDO-VM: VERDICT FAIL"; fi
  sync
  poweroff -f
}
wait_for() { # seconds command...: polls every 0.1 s
  n=$(( $1 * 10 )); shift
  while [ "$n" -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
  return 1
}

echo "VFIDO-VM: kernel $(uname -r), $(nproc) CPUs"

# 1. The kernel side: hid core, the generic driver (binds the device, makes /dev/hidrawN) and uhid.
check modules "hid, hid-generic, uhid loaded; /dev/uhid present" \
  'insmod /lib/modules/hid.ko && insmod /lib/modules/hid-generic.ko && insmod /lib/modules/uhid.ko && [ -c /dev/uhid ]' ||
  finish

# 2. The daemon.
vfido up >/tmp/up.out 2>/tmp/up.err &
up_pid=$!
start=$(uptime_s)
if wait_for 20 grep -q 'is up (pid' /tmp/up.out; then
  report vfido_up PASS "$start" "pid $up_pid: $(grep 'uhid device' /tmp/up.out)"
else
  report vfido_up FAIL "$start" "no 'is up' line"; cat /tmp/up.out; finish
fi
check second_up_refused "a second vfido up is refused" '! vfido up && vfido up 2>&1 | grep -q "already running (pid"'

# 3. libfido2 finds it like a USB key: fido2-token -L lists /dev/hidrawN with vfido's VID:PID.
start=$(uptime_s)
listed() { fido2-token -L >/tmp/token_list.log 2>&1 && grep -q 'vendor=0x1209, product=0x0001' /tmp/token_list.log; }
if wait_for 20 listed; then
  dev=$(grep 'vendor=0x1209, product=0x0001' /tmp/token_list.log | head -1 | cut -d: -f1)
  report token_list PASS "$start" "$(grep 'vendor=0x1209' /tmp/token_list.log | head -1)"
else
  report token_list FAIL "$start" "not listed: $(cat /tmp/token_list.log)"; finish
fi
check status "vfido status names $dev" "vfido status && vfido status | grep -q 'hidraw: *$dev'"
sed 's/^/    | /' /tmp/status.log

# udev/70-vfido.rules (installed with `udev/install.sh --root ... --vid 1050 --pid 0407`), applied
# by `udevadm test`, which runs the rules on a device and sets the node's group and mode.
# rule_applies SYSFS-DEVICE NODE: uaccess tag, group vfido (990), mode 0660.
rule_applies() {
  udevadm test "$1" >/tmp/udev.out 2>&1 && grep -q '^TAGS=.*:uaccess:' /tmp/udev.out &&
    [ "$(stat -c '%g %a' "$2")" = "990 660" ]
}
# rule_skips SYSFS-DEVICE NODE: no tag, the node stays root's, 0600.
rule_skips() {
  udevadm test "$1" >/tmp/udev.out 2>&1; ! grep -q '^TAGS=.*:uaccess:' /tmp/udev.out &&
    [ "$(stat -c '%g %a' "$2")" = "0 600" ]
}
check udev_uhid "70-vfido.rules: /dev/uhid gets uaccess, group vfido, 0660" \
  'rule_applies /sys/devices/virtual/misc/uhid /dev/uhid'
check udev_hidraw "70-vfido.rules: $dev gets uaccess, group vfido, 0660" \
  "rule_applies \$(readlink -f /sys/class/hidraw/${dev#/dev/}) $dev"
# A second key with a VID:PID added by install.sh --vid/--pid gets the same; a third with a pair
# the rule does not name gets nothing from it.
other_keys() {
  vfido up --instance listed --vid 1050 --pid 0407 --serial listed >/tmp/up2.out 2>&1 &
  listed_pid=$!
  vfido up --instance unlisted --vid 1234 --pid 5678 --serial unlisted >/tmp/up3.out 2>&1 &
  unlisted_pid=$!
  n=100; while [ $n -gt 0 ]; do
    [ "$(fido2-token -L | grep -c 'vendor=0x1050, product=0x0407\|vendor=0x1234, product=0x5678')" = 2 ] && break
    sleep 0.1; n=$((n - 1)); done
  listed=$(fido2-token -L | grep 'vendor=0x1050, product=0x0407' | cut -d: -f1)
  unlisted=$(fido2-token -L | grep 'vendor=0x1234, product=0x5678' | cut -d: -f1)
  [ -n "$listed" ] && [ -n "$unlisted" ] || { echo "keys not listed"; fido2-token -L; return 1; }
  rule_applies "$(readlink -f /sys/class/hidraw/${listed#/dev/})" "$listed" || { echo "rule missed $listed"; cat /tmp/udev.out; return 1; }
  rule_skips "$(readlink -f /sys/class/hidraw/${unlisted#/dev/})" "$unlisted" ||
    { echo "unexpected rules for $unlisted:"; cat /tmp/udev.out; ls -l "$unlisted"; return 1; }
  # Every way a daemon ends removes its device: SIGINT, and SIGKILL (the kernel destroys a uhid
  # device whose descriptor closes); the killed one's stale lock does not block a new start.
  kill -INT "$listed_pid"; kill -KILL "$unlisted_pid"
  wait "$listed_pid"; int_rc=$?
  n=50; while [ $n -gt 0 ] && { [ -e "$listed" ] || [ -e "$unlisted" ]; }; do sleep 0.1; n=$((n - 1)); done
  [ ! -e "$listed" ] || { echo "$listed still there after SIGINT"; return 1; }
  [ ! -e "$unlisted" ] || { echo "$unlisted still there after SIGKILL"; return 1; }
  [ "$int_rc" = 0 ] || { echo "vfido up exited $int_rc after SIGINT"; return 1; }
  vfido up --instance unlisted --no-uhid --unix /tmp/unlisted.sock >/tmp/up4.out 2>&1 &
  n=50; while [ $n -gt 0 ] && ! grep -q 'is up' /tmp/up4.out; do sleep 0.1; n=$((n - 1)); done
  grep -q 'is up' /tmp/up4.out || { echo "restart after SIGKILL failed:"; cat /tmp/up4.out; return 1; }
  vfido down --instance unlisted
}
check udev_vidpid "install.sh --vid 1050 --pid 0407 covers that pair; 1234:5678 stays root 0600; 3 keys at once; SIGINT and SIGKILL remove the device" \
  other_keys
# systemd's 60-fido-id.rules runs fido_id on every hidraw node and 70-uaccess.rules gives
# ID_SECURITY_TOKEN devices to the seat's user: it recognises vfido by its report descriptor,
# whatever the VID:PID. (Run directly: `udevadm test` events lack the SEQNUM fido_id wants.)
check udev_fido_id "systemd's fido_id: ID_SECURITY_TOKEN=1 for $dev" \
  "/usr/lib/udev/fido_id \$(readlink -f /sys/class/hidraw/${dev#/dev/}) | tee /dev/stderr | grep -qx 'ID_SECURITY_TOKEN=1'"

# 4. getInfo through fido2-token -I.
check token_info "getInfo with versions and AAGUID" \
  "fido2-token -I $dev >/tmp/info.txt && grep -q 'FIDO_2_0' /tmp/info.txt && grep -q '^aaguid' /tmp/info.txt"
sed 's/^/    | /' /tmp/info.txt

# 5. Registration and authentication with libfido2's tools, verified by the same tools.
printf '%s\n' 'Ki0RxwxtYb9lJRNlm4RnNnRENzlDIhu0XGVBnS8FKUM=' 'vfido.test' 'alice' 'dmZpZG8tdXNlci0x' >cred_param
check cred_make "fido2-cred -M (es256)" "fido2-cred -M -i cred_param $dev es256 >cred_out"
check cred_verify "fido2-cred -V: attestation verified" "fido2-cred -V -i cred_out -o cred_pub es256"
if [ -s cred_pub ]; then
  printf '%s\n' 'cmFuZG9tLWFzc2VydGlvbi1jaGFsbGVuZ2UtMzItYnk=' 'vfido.test' >assert_param
  head -1 cred_pub >>assert_param
  tail -n +2 cred_pub >pubkey.pem
fi
check assert_get "fido2-assert -G -p" "fido2-assert -G -p -i assert_param $dev >assert_out"
check assert_verify "fido2-assert -V -p: signature verified with the credential key" \
  'fido2-assert -V -p -i assert_out pubkey.pem es256'

# 6. OpenSSH security keys (ssh-keygen runs /usr/lib/openssh/ssh-sk-helper, built on libfido2).
check ssh_ecdsa_sk "ssh-keygen -t ecdsa-sk" \
  'ssh-keygen -q -t ecdsa-sk -N "" -f /tmp/id_ecdsa_sk && grep -q "^sk-ecdsa-sha2-nistp256@openssh.com " /tmp/id_ecdsa_sk.pub'
check ssh_ed25519_sk "ssh-keygen -t ed25519-sk" \
  'ssh-keygen -q -t ed25519-sk -N "" -f /tmp/id_ed25519_sk && grep -q "^sk-ssh-ed25519@openssh.com " /tmp/id_ed25519_sk.pub'
# A resident key needs the credProtect extension (OpenSSH refuses "unprotected" resident keys).
# Required as soon as getInfo advertises credProtect; until then the refusal is expected.
start=$(uptime_s)
if timeout 60 ssh-keygen -q -t ed25519-sk -O resident -N "" -f /tmp/id_resident >/tmp/ssh_resident.log 2>&1 </dev/null &&
   grep -q "^sk-ssh-ed25519@openssh.com " /tmp/id_resident.pub; then
  report ssh_ed25519_sk_resident PASS "$start" "ssh-keygen -t ed25519-sk -O resident"
elif ! fido2-token -I "$dev" | grep -q 'credProtect' && grep -q 'feature not supported' /tmp/ssh_resident.log; then
  report ssh_ed25519_sk_resident XFAIL "$start" "key lacks credProtect: $(tr '\n' ' ' </tmp/ssh_resident.log)"
else
  report ssh_ed25519_sk_resident FAIL "$start" "$(tr '\n' ' ' </tmp/ssh_resident.log)"
fi

# 7. The daemon logged each CTAP command with its status.
check command_log "logfmt lines for makeCredential and getAssertion with CTAP2_OK" \
  'grep -q "event=ctap cmd=authenticatorMakeCredential .*status=CTAP2_OK" /tmp/up.err && grep -q "event=ctap cmd=authenticatorGetAssertion .*status=CTAP2_OK" /tmp/up.err'

# 7b. The control API through `vfido ctl`: the key is listed with its hidraw node; a touch is
# answered through the API (presence mode api); a second key gets its own uhid device and goes
# away when removed; a power cycle leaves the key working.
check ctl_list "vfido ctl list names k1 and $dev" "vfido ctl list | tee /dev/stderr | grep -q 'serial vfido-default, $dev'"
ctl_pending() {
  vfido ctl presence --presence api || return 1
  fido2-assert -G -p -i assert_param "$dev" >/tmp/assert_api.out 2>&1 &
  a=$!
  if ! vfido ctl pending --wait 20 | tee /dev/stderr | grep -q 'sign in .*vfido.test'; then kill "$a"; return 1; fi
  vfido ctl approve || { kill "$a"; return 1; }
  wait "$a" || { cat /tmp/assert_api.out; return 1; }
  vfido ctl presence --presence approve
}
check ctl_pending "presence api: fido2-assert -G waits until vfido ctl approve" ctl_pending
keys_listed() { [ "$(fido2-token -L | grep -c 'vendor=0x1209, product=0x0001')" = "$1" ]; }
ctl_second_key() {
  vfido ctl add --profile yubikey-like | tee /dev/stderr | grep -q '^k2: ' || return 1
  wait_for 20 keys_listed 2 || { echo "k2 not listed"; fido2-token -L; return 1; }
  vfido ctl remove k2 && wait_for 20 keys_listed 1
}
check ctl_second_key "vfido ctl add: a second uhid key; vfido ctl remove: gone" ctl_second_key
check ctl_power_cycle "vfido ctl power-cycle; getInfo still answers" \
  "vfido ctl power-cycle && fido2-token -I $dev | grep -q '^aaguid'"

# 8. Hosts that misbehave do not wedge the daemon: random reports of every size (numbered ones
# included), a flood beyond uhid's queue, and a host opening and closing the node in a loop.
garbage() {
  dd if=/dev/urandom of="$dev" bs=65 count=300 2>/dev/null
  dd if=/dev/urandom of="$dev" bs=64 count=100 2>/dev/null
  for size in 2 3 7 33 63; do dd if=/dev/urandom of="$dev" bs=$size count=20 2>/dev/null; done
  i=0; while [ $i -lt 50 ]; do exec 3<>"$dev"; exec 3>&-; i=$((i + 1)); done
  sleep 1  # let the CTAPHID layer's transaction timeouts pass
  kill -0 "$up_pid" && fido2-token -I "$dev" | grep -q '^aaguid' &&
    grep -q 'uhid: dropped a .*-byte output report: non-zero report number' /tmp/up.err
}
check garbage "random and numbered reports, a flood, 50 open/close: the key still answers getInfo" garbage

# 9. Raw CTAPHID conformance through hidraw (hidapi).
if vfido probe --help >/dev/null 2>&1; then
  check probe "vfido probe: every check PASS" 'vfido probe'
  sed 's/^/    | /' /tmp/probe.log
fi

# 10. vfido down removes the device.
check down "vfido down" 'vfido down'
wait "$up_pid"
up_rc=$?
check gone "fido2-token -L no longer lists the key; $dev removed; vfido up exited $up_rc" \
  "! fido2-token -L | grep -q 'vendor=0x1209, product=0x0001' && [ ! -e $dev ] && [ $up_rc = 0 ]"
finish
