#!/usr/bin/env bash
# `vfido webauthn register|login` as a user runs them: a Keeper-profile key behind `vfido serve
# --unix` and one behind --udp, registration on login.microsoft.com, sign-in from
# login.microsoftonline.com refused by the extension client (SecurityError, exit 1) and accepted
# by the browser client with a related-origins document, the store updated, usage errors exit 2.
#   webauthn_cli_test.sh /path/to/vfido
set -euo pipefail
vfido=$1
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$tmp/last.out" "$tmp/last.err" >&2 2>/dev/null || true; exit 1; }
expect_rc() { # expected-rc description command...
  local want=$1 what=$2; shift 2
  set +e; "$@" >"$tmp/last.out" 2>"$tmp/last.err"; local rc=$?; set -e
  [ "$rc" -eq "$want" ] || fail "$what: exit $rc, expected $want"
}
has() { grep -qF -- "$1" "$tmp/last.out" || fail "output lacks: $1"; }

"$vfido" serve --profile keeper --unix "$tmp/key.sock" --udp --udp-port 0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
pids+=($!)
for _ in $(seq 100); do grep -q "listening on udp" "$tmp/serve.out" 2>/dev/null && break; sleep 0.05; done
[ -S "$tmp/key.sock" ] || fail "no socket"

ms=(--device "unix:$tmp/key.sock" --store "$tmp/creds.json" --user dana@contoso.com)
expect_rc 0 "register" "$vfido" webauthn register "${ms[@]}" --origin https://login.microsoft.com
has '"type":"webauthn.create"'
has "RP: registered credential"
has "AAGUID 0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6, multiDevice, backed up yes"
[ "$(grep -c '"id"' "$tmp/creds.json")" -eq 1 ] || fail "store holds one credential"

expect_rc 1 "extension on microsoftonline.com" "$vfido" webauthn login "${ms[@]}" --client extension \
  --origin https://login.microsoftonline.com --rp-id login.microsoft.com
has "client: SecurityError: RP ID login.microsoft.com is not a registrable suffix of origin https://login.microsoftonline.com"

echo '{"origins": ["https://login.microsoftonline.com"]}' > "$tmp/webauthn.json"
expect_rc 0 "browser with related origins" "$vfido" webauthn login "${ms[@]}" --origin https://login.microsoftonline.com \
  --rp-id login.microsoft.com --well-known "login.microsoft.com=$tmp/webauthn.json" \
  --rp-origin https://login.microsoft.com --rp-origin https://login.microsoftonline.com
has '"origin":"https://login.microsoftonline.com"'
has "RP: signed in with credential"
has "(no counter: 0/0)"

# The RP refuses an origin it does not list.
expect_rc 1 "RP origin check" "$vfido" webauthn login "${ms[@]}" --origin https://login.microsoftonline.com \
  --rp-id login.microsoft.com --well-known "login.microsoft.com=$tmp/webauthn.json" --rp-origin https://login.microsoft.com
has "RP: refused: origin-not-allowed"

# Over UDP, with the username typed first (allow list from the store).
port=$(sed -n 's/.*listening on udp [^:]*:\([0-9]*\).*/\1/p' "$tmp/serve.out" | head -1)
[ -n "$port" ] || fail "no UDP port in: $(cat "$tmp/serve.out")"
expect_rc 0 "login over udp" "$vfido" webauthn login --device "udp:127.0.0.1:$port" --store "$tmp/creds.json" \
  --user dana@contoso.com --origin https://login.microsoft.com --allow-list
has "allowList=1"

expect_rc 2 "bad --client" "$vfido" webauthn login "${ms[@]}" --origin https://x.example --client chrome
expect_rc 2 "bad --origin" "$vfido" webauthn login "${ms[@]}" --origin x.example
expect_rc 2 "no such device" "$vfido" webauthn login --device "unix:$tmp/none.sock" --origin https://x.example
echo "webauthn_cli_test: all checks passed"
