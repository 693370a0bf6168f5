#!/usr/bin/env bash
# The hybrid transport as three programs on loopback: `vfido tunnel-server`, `vfido hybrid
# client` (the desktop: QR code as text, PNG and SVG; libfido2 registers and signs in) and `vfido
# hybrid authenticator` (the phone, reading the QR code's text). Then a linked session without a
# QR code, a QR code that does not parse, `vfido demo --transport hybrid` through the same server,
# and the server's graceful stop on SIGTERM.
# zbarimg (zbar-tools) decodes the PNG independently: it must give the same FIDO:/ text.
set -euo pipefail
vfido=$1
dir=$(mktemp -d)
# Attestation CAs (the yubikey-like phone attests with x5c) go to the test's own data directory.
export XDG_DATA_HOME=$dir/data
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$dir"/*.out; do echo "--- $f"; cat "$f"; done
  exit 1
}
free_port() {
  /usr/bin/python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, getattr(socket,'SOCK_'+sys.argv[1])); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" "$1"
}
wait_for() {  # file pattern seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "no '$2' in $1"
}

port=$(free_port STREAM)
advert=$(free_port DGRAM)
tunnel="ws://127.0.0.1:$port"

"$vfido" tunnel-server --listen "127.0.0.1:$port" >"$dir/server.out" 2>&1 &
server=$!
pids+=("$server")
wait_for "$dir/server.out" "listening on $tunnel" 10

"$vfido" hybrid client --tunnel-server "$tunnel" --advert "udp::$advert" --qr-file "$dir/qr.txt" \
  --png "$dir/qr.png" --svg "$dir/qr.svg" --links "$dir/links.json" --check --no-qr --timeout 30 \
  >"$dir/client.out" 2>&1 &
client=$!
pids+=("$client")
wait_for "$dir/client.out" "waiting for the phone" 10
qr=$(cat "$dir/qr.txt")
[[ $qr == FIDO:/* ]] || fail "the QR text is not FIDO:/...: $qr"
[ "$(zbarimg --raw -q "$dir/qr.png")" = "$qr" ] || fail "zbarimg reads another text from the PNG"
grep -q "<svg" "$dir/qr.svg" || fail "no SVG"

"$vfido" hybrid authenticator --qr-file "$dir/qr.txt" --tunnel-server "$tunnel" --advert "udp::$advert" \
  --identity "$dir/phone.json" --listen-for-linked --linked-sessions 1 >"$dir/phone.out" 2>&1 &
phone=$!
pids+=("$phone")
wait "$client" || fail "the client failed"
grep -q "signature verified: yes" "$dir/client.out" || fail "no verified signature"
grep -q "linked phone \"vfido phone\" saved" "$dir/client.out" || fail "no linking information saved"
wait_for "$dir/phone.out" "hybrid session complete: 4 CTAP request(s), linking information sent" 10
wait_for "$dir/phone.out" "serving linked desktops" 10
[ "$(stat -c %a "$dir/links.json")" = 600 ] || fail "links.json is not 0600"

# Linked: no QR code this time.
"$vfido" hybrid client --tunnel-server "$tunnel" --advert "udp::$advert" --links "$dir/links.json" --linked \
  --timeout 30 >"$dir/client2.out" 2>&1 || fail "the linked client failed"
grep -q "contacting linked phone \"vfido phone\"" "$dir/client2.out" || fail "did not contact the linked phone"
grep -q "vfido: done" "$dir/client2.out" || fail "linked session incomplete"
wait "$phone" || fail "the phone failed"
grep -q "1 linked session(s) served" "$dir/phone.out" || fail "the phone served no linked session"

# A QR code whose digits do not parse: usage error 2, with the reason.
set +e
"$vfido" hybrid authenticator --qr "FIDO:/999" --tunnel-server "$tunnel" >"$dir/bad.out" 2>&1
rc=$?
set -e
[ "$rc" = 2 ] || fail "a bad QR code exited $rc"
grep -q "not a FIDO:/ QR code" "$dir/bad.out" || fail "no reason for the bad QR code"

# wss: a tunnel server with a configured certificate (self-signed for localhost); both ends trust
# it through --tunnel-ca; a client without it is refused at the TLS handshake.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
wss_port=$(free_port STREAM)
"$vfido" tunnel-server --listen "127.0.0.1:$wss_port" --cert "$dir/cert.pem" --key "$dir/key.pem" >"$dir/wss.out" 2>&1 &
pids+=("$!")
wss="wss://localhost:$wss_port"
wait_for "$dir/wss.out" "listening on wss://127.0.0.1:$wss_port" 10
set +e
"$vfido" hybrid client --tunnel-server "$wss" --advert "udp::$advert" --linked --links "$dir/links.json" \
  --timeout 5 >"$dir/untrusted.out" 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "a client that does not trust the certificate exited $rc"
grep -q "refused" "$dir/untrusted.out" || fail "no refusal for an untrusted certificate"
"$vfido" hybrid client --tunnel-server "$wss" --tunnel-ca "$dir/cert.pem" --advert "udp::$advert" \
  --qr-file "$dir/qr2.txt" --no-qr --check --timeout 30 >"$dir/wss_client.out" 2>&1 &
client=$!
pids+=("$client")
wait_for "$dir/wss_client.out" "waiting for the phone" 10
"$vfido" hybrid authenticator --qr-file "$dir/qr2.txt" --tunnel-server "$wss" --tunnel-ca "$dir/cert.pem" \
  --advert "udp::$advert" --profile yubikey-like >"$dir/wss_phone.out" 2>&1 || fail "the wss phone failed"
wait "$client" || fail "the wss client failed"
[ "$(grep -c "signature verified: yes" "$dir/wss_client.out")" = 4 ] || fail "the wss client did not verify 4 signatures"
grep -q "(YubiKey-like)" "$dir/wss_phone.out" || fail "the phone did not use the chosen profile"
"$vfido" demo --transport hybrid --no-qr --tunnel-server "$wss" --tunnel-ca "$dir/cert.pem" >"$dir/wss_demo.out" 2>&1 ||
  fail "the hybrid demo over wss failed"

# The demo over hybrid with this tunnel server: its own desktop and phone, then a linked session.
"$vfido" demo --transport hybrid --no-qr --tunnel-server "$tunnel" >"$dir/demo.out" 2>&1 || fail "the hybrid demo failed"
grep -q "linked reconnection" "$dir/demo.out" || fail "the demo made no linked reconnection"
[ "$(grep -c "signature verified: yes" "$dir/demo.out")" = 8 ] || fail "the demo did not verify 8 signatures"
grep -q "demo: all steps passed" "$dir/demo.out" || fail "the hybrid demo did not pass"

# The demo as the desktop only, with `vfido hybrid authenticator` as its phone: the phone reads
# the QR code from the demo's output.
"$vfido" demo --transport hybrid --external-phone --no-qr --tunnel-server "$tunnel" --advert "udp::$advert" \
  >"$dir/demo_ext.out" 2>&1 &
demo=$!
pids+=("$demo")
wait_for "$dir/demo_ext.out" "waiting for a phone" 10
qr=$(grep -o "FIDO:/[0-9]*" "$dir/demo_ext.out" | head -1)
"$vfido" hybrid authenticator --qr "$qr" --tunnel-server "$tunnel" --advert "udp::$advert" \
  >"$dir/demo_phone.out" 2>&1 || fail "the demo's external phone failed"
wait "$demo" || fail "the demo with an external phone failed"
grep -q "demo: all steps passed" "$dir/demo_ext.out" || fail "the demo with an external phone did not pass"

kill -TERM "$server"
wait "$server" || fail "the server did not stop cleanly"
grep -q "tunnel server stopped" "$dir/server.out" || fail "no stop line"
echo "hybrid CLI: all checks passed"
