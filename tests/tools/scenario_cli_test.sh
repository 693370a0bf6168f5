#!/usr/bin/env bash
# `vfido scenario run` and `vfido demo` from the command line (see tests/CMakeLists.txt).
set -uo pipefail
vfido=$1
scenarios=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# 1. Every shipped scenario passes, and the JUnit XML says so.
"$vfido" scenario run "$scenarios"/*.yaml --junit "$work/all.xml" > "$work/all.out" 2>&1
status=$?
cat "$work/all.out"
[ $status -eq 0 ] || fail "shipped scenarios: exit $status"
grep -q '<testsuites name="vfido scenarios"' "$work/all.xml" || fail "no JUnit XML written"
grep -q 'failures="0" errors="0"' "$work/all.xml" || fail "JUnit XML reports failures for the shipped scenarios"
grep -q '<failure' "$work/all.xml" && fail "JUnit XML has a <failure> for the shipped scenarios"
n=$(ls "$scenarios"/*.yaml | wc -l)
[ "$(grep -c '<testsuite ' "$work/all.xml")" -eq "$n" ] || fail "expected $n test suites"

# 1b. The same over hybrid (caBLE v2): every ceremony a QR session through an in-process tunnel
# server, each key a phone; the outcomes must not change with the transport.
"$vfido" scenario run --transport hybrid "$scenarios"/*.yaml > "$work/hybrid.out" 2>&1
status=$?
[ $status -eq 0 ] || { cat "$work/hybrid.out"; fail "shipped scenarios over hybrid: exit $status"; }
grep -q "keys reached over hybrid" "$work/hybrid.out" || fail "the hybrid run does not say so"
grep -q ": 0 unexpected, 0 scenario error" "$work/hybrid.out" || fail "hybrid run summary: $(tail -1 "$work/hybrid.out")"
"$vfido" scenario run --transport usb "$scenarios/1-gpm-synced-allowed.yaml" > "$work/usb.out" 2>&1
[ $? -eq 2 ] || fail "--transport usb: expected a usage error"

# 2. A deliberately wrong expectation: exit 1, the step marked, a <failure> in the XML.
awk 'BEGIN{done=0} /expect: accepted/ && !done {sub(/accepted/, "refused"); done=1} {print}' \
  "$scenarios/1-gpm-synced-allowed.yaml" > "$work/wrong.yaml"
grep -q "expect: refused" "$work/wrong.yaml" || fail "could not make the wrong scenario"
"$vfido" scenario run "$work/wrong.yaml" --junit "$work/wrong.xml" > "$work/wrong.out" 2>&1
status=$?
cat "$work/wrong.out"
[ $status -eq 1 ] || fail "wrong expectation: exit $status, expected 1"
grep -q "UNEXPECTED: expected refused, got accepted" "$work/wrong.out" || fail "the unexpected step is not reported"
grep -q '<failure message="expected refused, got accepted"' "$work/wrong.xml" || fail "no <failure> in the JUnit XML"
grep -q 'failures="1"' "$work/wrong.xml" || fail "JUnit XML does not count the failure"

# 3. A wrong reason is a failure too.
awk 'BEGIN{done=0} /reason: synced \(BE=1\) passkey/ && !done {sub(/synced \(BE=1\) passkey/, "device-bound passkey"); done=1} {print}' \
  "$scenarios/1-gpm-synced-allowed.yaml" > "$work/reason.yaml"
"$vfido" scenario run "$work/reason.yaml" > "$work/reason.out" 2>&1
[ $? -eq 1 ] || fail "wrong reason: expected exit 1"
grep -q 'the reason does not contain "device-bound passkey"' "$work/reason.out" || fail "wrong reason not reported"

# 4. Malformed files: exit 2 and file:line:column: field: message on stderr; the JUnit XML has an <error>.
printf 'name: broken\nrelying_party:\n  rp_id: login.example.com\n  colour: blue\n' > "$work/broken.yaml"
"$vfido" scenario run "$work/broken.yaml" --junit "$work/broken.xml" > "$work/broken.out" 2> "$work/broken.err"
status=$?
cat "$work/broken.err"
[ $status -eq 2 ] || fail "malformed scenario: exit $status, expected 2"
grep -q "broken.yaml:4:3: relying_party.colour: unknown field" "$work/broken.err" || fail "malformed scenario: no file:line:field message"
grep -q "<error message=" "$work/broken.xml" || fail "malformed scenario: no <error> in the JUnit XML"

# 5. `vfido demo` runs the same scenarios as a table; `vfido demo --ctap` is the libfido2 walk-through.
"$vfido" demo --junit "$work/demo.xml" > "$work/demo.out" 2>&1
status=$?
cat "$work/demo.out"
[ $status -eq 0 ] || fail "vfido demo: exit $status"
grep -q "every outcome as expected" "$work/demo.out" || fail "vfido demo: no summary"
grep -q "SecurityError" "$work/demo.out" || fail "vfido demo: the no-UPN SecurityError row is missing"
grep -q 'failures="0" errors="0"' "$work/demo.xml" || fail "vfido demo: JUnit XML reports failures"
"$vfido" demo --ctap > "$work/ctap.out" 2>&1
status=$?
[ $status -eq 0 ] || { cat "$work/ctap.out"; fail "vfido demo --ctap: exit $status"; }
grep -q "demo: all steps passed" "$work/ctap.out" || fail "vfido demo --ctap: no success line"

if [ $failures -ne 0 ]; then
  echo "scenario_cli: $failures check(s) failed"
  exit 1
fi
echo "scenario_cli: all checks passed"
