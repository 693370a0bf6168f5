#!/usr/bin/env bash
# `vfido up`/`down`/`status` as a user runs them, without a kernel device (--no-uhid): the
# instance lock, the refusal of a second daemon, status, down and signals. The uhid path itself
# is tested in tests/vm (a real kernel).
#   daemon_cli_test.sh /path/to/vfido
set -euo pipefail
vfido=$1
tmp=$(mktemp -d)
export XDG_RUNTIME_DIR=$tmp/run
mkdir -m 700 "$XDG_RUNTIME_DIR"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; for f in "$tmp"/*.out "$tmp"/*.err; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; } >&2; done; exit 1; }
expect_rc() { # expected-rc description command...
  local want=$1 what=$2; shift 2
  set +e; "$@" >"$tmp/last.out" 2>"$tmp/last.err"; local rc=$?; set -e
  [ "$rc" -eq "$want" ] || fail "$what: exit $rc, expected $want"
}
wait_for() { # file pattern
  for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  fail "timed out waiting for '$2' in $1"
}
# A process that exited but which this shell has not reaped yet is a zombie: kill -0 still
# succeeds on it, so look at its state in /proc instead.
alive() { # pid
  local st
  st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
start_up() { # name args...
  local name=$1; shift
  "$vfido" up "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pids+=($!)
  last_pid=$!
  wait_for "$tmp/$name.out" 'is up (pid'
}

# Usage errors.
expect_rc 2 "up with no transport" "$vfido" up --no-uhid
grep -q -- "--no-uhid leaves no transport" "$tmp/last.err" || fail "no-transport message"
expect_rc 2 "bad --vid" "$vfido" up --vid 12345 --no-uhid --unix "$tmp/x.sock"
expect_rc 2 "bad --instance" "$vfido" up --instance ../x --no-uhid --unix "$tmp/x.sock"
expect_rc 3 "status before anything runs" "$vfido" status
grep -q 'not running' "$tmp/last.out" || fail "status text when not running"
expect_rc 0 "down when nothing runs" "$vfido" down
grep -q 'was not running' "$tmp/last.out" || fail "down text when not running"
expect_rc 3 "ctl when nothing runs" "$vfido" ctl status
grep -q 'no vfido daemon to talk to: nothing listens on .*/default.ctl; start one with `vfido up`' "$tmp/last.err" ||
  fail "ctl message when not running: $(cat "$tmp/last.err")"
# The prompt presence mode needs a terminal: without one (setsid: no controlling terminal) the
# daemon refuses to start, saying so.
expect_rc 1 "up --presence prompt without a terminal" setsid -w "$vfido" up --presence prompt --no-uhid --unix "$tmp/p.sock"
grep -q 'needs a terminal' "$tmp/last.err" || fail "prompt message: $(cat "$tmp/last.err")"
expect_rc 1 "serve --uv prompt without a terminal" setsid -w "$vfido" serve --uv prompt --unix "$tmp/p.sock"
expect_rc 2 "serve --presence api without --control" "$vfido" serve --presence api --unix "$tmp/p.sock"
grep -q 'add --control PATH' "$tmp/last.err" || fail "serve api message"
expect_rc 2 "up with a bad --presence" "$vfido" up --presence sometimes --no-uhid --unix "$tmp/p.sock"
expect_rc 2 "up with an unknown --profile" "$vfido" up --profile no-such-model --no-uhid --unix "$tmp/p.sock"
[ ! -e "$tmp/p.sock" ] || fail "a refused daemon left its socket"

# One daemon per instance.
start_up first --no-uhid --unix "$tmp/k.sock"
first=$last_pid
[ -S "$tmp/k.sock" ] || fail "socket not created"
[ "$(cat "$XDG_RUNTIME_DIR/vfido/default.pid")" = "$first" ] || fail "pid file content"
expect_rc 1 "second up for the same key" "$vfido" up --no-uhid --unix "$tmp/k2.sock"
grep -q "already running (pid $first)" "$tmp/last.err" || fail "second up message: $(cat "$tmp/last.err")"
[ ! -e "$tmp/k2.sock" ] || fail "refused daemon created its socket"

expect_rc 0 "status while running" "$vfido" status
grep -q "running (pid $first)" "$tmp/last.out" || fail "status pid"
grep -q "unix: *$tmp/k.sock" "$tmp/last.out" || fail "status transports"
grep -q "none (--no-uhid)" "$tmp/last.out" || fail "status device line"
grep -q "control: *$XDG_RUNTIME_DIR/vfido/default.ctl" "$tmp/last.out" || fail "status control line"

# The control socket: the owner's only; vfido ctl speaks to it.
[ "$(stat -c %a "$XDG_RUNTIME_DIR/vfido/default.ctl")" = 600 ] || fail "control socket mode"
expect_rc 0 "ctl status" "$vfido" ctl status
grep -q "authenticators: k1" "$tmp/last.out" || fail "ctl status: $(cat "$tmp/last.out")"
expect_rc 0 "ctl list" "$vfido" ctl list
grep -q "k1: vfido (profile vfido)" "$tmp/last.out" || fail "ctl list: $(cat "$tmp/last.out")"
expect_rc 0 "ctl --json info" "$vfido" ctl --json info
/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["authenticatorId"] == "k1" and d["unix"] == [sys.argv[2]], d' \
  "$tmp/last.out" "$tmp/k.sock" || fail "ctl --json info is not the key's JSON"
expect_rc 1 "ctl remove of an unknown key" "$vfido" ctl remove k9
grep -q 'no authenticator "k9" (invalid argument)' "$tmp/last.err" || fail "ctl error text: $(cat "$tmp/last.err")"
expect_rc 2 "ctl with a bad subcommand" "$vfido" ctl frobnicate

# The prober (vfido probe) through the daemon's socket, and the command log it leaves.
expect_rc 0 "vfido probe unix:" "$vfido" probe "unix:$tmp/k.sock"
grep -q '^all checks passed$' "$tmp/last.out" || fail "probe output: $(cat "$tmp/last.out")"
# The probe waits for a touch with authenticatorSelection (CTAP 2.1 keys) and logs it.
grep -q 'level=info event=ctap cmd=authenticatorSelection cmd_code=0x0b status=CTAP2_OK status_code=0x00 ms=[0-9.]* waited=no' \
  "$tmp/first.err" || fail "no logfmt line for the probe's authenticatorSelection"
expect_rc 1 "vfido probe of a missing socket" "$vfido" probe "unix:$tmp/none.sock"
expect_rc 2 "vfido probe with a bad --ping-size" "$vfido" probe --ping-size 9000 "unix:$tmp/k.sock"

# Another instance runs beside it and is stopped on its own.
start_up second --instance second --no-uhid --unix "$tmp/s.sock"
second=$last_pid
expect_rc 0 "status of the second" "$vfido" status --instance second
grep -q "running (pid $second)" "$tmp/last.out" || fail "second status"
expect_rc 0 "down --instance second" "$vfido" down --instance second
alive "$second" && fail "second daemon still alive after down"
expect_rc 0 "first still running" "$vfido" status

# down waits until the daemon is gone and its files are removed.
expect_rc 0 "down" "$vfido" down
grep -q 'stopped' "$tmp/last.out" || fail "down text"
alive "$first" && fail "daemon still alive after down returned"
wait "$first" || fail "daemon exit status after SIGTERM: $?"
[ ! -e "$tmp/k.sock" ] || fail "socket left behind"
[ ! -e "$XDG_RUNTIME_DIR/vfido/default.pid" ] || fail "pid file left behind"
[ ! -e "$XDG_RUNTIME_DIR/vfido/default.state" ] || fail "state file left behind"
[ ! -e "$XDG_RUNTIME_DIR/vfido/default.ctl" ] || fail "control socket left behind"
grep -q 'level=info event=log msg="signal 15, stopping"' "$tmp/first.err" || fail "structured log of the stop"
expect_rc 3 "status after down" "$vfido" status

# SIGINT ends it the same way; the lock is free again afterwards.
start_up third --no-uhid --unix "$tmp/k.sock"
kill -INT "$last_pid"
wait "$last_pid" || fail "exit status after SIGINT"
[ ! -e "$tmp/k.sock" ] || fail "socket left behind after SIGINT"
expect_rc 3 "status after SIGINT" "$vfido" status

# A daemon killed outright leaves a stale pid file; the next one takes over.
start_up fourth --no-uhid --unix "$tmp/k.sock"
kill -KILL "$last_pid"; wait "$last_pid" 2>/dev/null || true
[ -e "$XDG_RUNTIME_DIR/vfido/default.pid" ] || fail "expected a stale pid file after SIGKILL"
expect_rc 3 "status with a stale pid file" "$vfido" status
start_up fifth --no-uhid --unix "$tmp/k.sock"
expect_rc 0 "down of the fifth" "$vfido" down

# Stores: vfido up keeps credentials in a device store; a second daemon on that store is
# refused, naming the holder; a credential imported through the control API is still there after
# a restart.
export XDG_DATA_HOME=$tmp/data
start_up store1 --instance s1 --no-uhid --unix "$tmp/s1.sock" --store shared --key-file "$tmp/shared.key"
holder=$last_pid
grep -q "vfido: store: new device store $tmp/data/vfido/shared.db" "$tmp/store1.out" || fail "store line"
expect_rc 1 "second up on the same device store" \
  "$vfido" up --instance s2 --no-uhid --unix "$tmp/s2.sock" --store shared --key-file "$tmp/shared.key"
grep -q "shared.db: in use by pid $holder (a device store is opened by one key at a time)" "$tmp/last.err" ||
  fail "second store user message: $(cat "$tmp/last.err")"
[ ! -e "$tmp/s2.sock" ] && [ ! -e "$XDG_RUNTIME_DIR/vfido/s2.pid" ] || fail "the refused daemon left files"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$tmp/cred.pem" 2>/dev/null
cred_id=AAECAwQFBgcICQoLDA0ODw  # 16 bytes, base64url
expect_rc 0 "ctl import into the store" "$vfido" ctl --instance s1 import --rp example.com --id "$cred_id" \
  --key "$tmp/cred.pem" --resident --user-handle dXNlcjE --user-name ann --sign-count 9
expect_rc 0 "down s1" "$vfido" down --instance s1
start_up store2 --instance s1 --no-uhid --unix "$tmp/s1.sock" --store shared --key-file "$tmp/shared.key"
expect_rc 0 "ctl credentials after a restart" "$vfido" ctl --instance s1 credentials
grep -Eq "^$cred_id +example.com +ann +yes +no +no +9\$" "$tmp/last.out" || fail "imported credential: $(cat "$tmp/last.out")"
expect_rc 0 "down s1 again" "$vfido" down --instance s1

echo "daemon_cli_test: all checks passed"
