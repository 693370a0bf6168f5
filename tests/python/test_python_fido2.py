#!/usr/bin/python3
"""python-fido2 0.9.1 (Debian's python3-fido2) against `vfido serve --udp`.

Usage: /usr/bin/python3 tests/python/test_python_fido2.py <path to vfido>

The UDP connection and the server process are vfido_udp.py's. Everything above the transport
is python-fido2's own code: CtapHidDevice (CTAPHID framing, INIT, PING), Ctap2 (which also
insists on canonical CBOR in every response), AttestationObject / AuthenticatorData /
AttestedCredentialData, CoseKey and the packed attestation verifier.
"""

import hashlib
import os
import sys

from fido2.attestation import (
    Attestation,
    AttestationType,
    InvalidSignature,
    PackedAttestation,
)
from fido2.cose import CoseKey, EdDSA, ES256, RS256
from fido2.ctap import CtapError
from fido2.ctap2 import AttestationObject, AuthenticatorData, Ctap2
from fido2.hid import CTAPHID

from vfido_udp import expect, expect_ctap_error, run

try:
    from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
except ImportError:  # pragma: no cover - cryptography is a dependency of python3-fido2
    CryptoInvalidSignature = Exception

MAX_HID_MESSAGE = 7609       # CTAP 2.1 §11.2.4: 57 + 128 * 59

# What `vfido serve` advertises with the default profile (authenticator/profile.h).
DEFAULT_AAGUID = bytes.fromhex("3d92011fb552406db13763434ee000d5")
DEFAULT_VERSIONS = ["U2F_V2", "FIDO_2_0", "FIDO_2_1_PRE", "FIDO_2_1"]
DEFAULT_MAX_MSG_SIZE = 1200

FLAG_UP = AuthenticatorData.FLAG.USER_PRESENT
FLAG_UV = AuthenticatorData.FLAG.USER_VERIFIED
FLAG_AT = AuthenticatorData.FLAG.ATTESTED


def cdh(label):
    """A clientDataHash (CTAP 2.1 §6.1 0x01) that differs per request."""
    return hashlib.sha256(label.encode() + os.urandom(16)).digest()


def rp_hash(rp_id):
    return hashlib.sha256(rp_id.encode()).digest()


def expect_bad_signature(key, message, signature):
    """A flipped bit in the signed data must make CoseKey.verify fail."""
    tampered = bytearray(message)
    tampered[-1] ^= 0x01
    try:
        key.verify(bytes(tampered), signature)
    except CryptoInvalidSignature:
        return
    raise AssertionError("signature also verified over tampered data")


# ---------------------------------------------------------------------------------------------
# The checks.
# ---------------------------------------------------------------------------------------------
class Suite:
    def __init__(self, dev):
        self.dev = dev
        self.ctap = None
        self.info = None
        self.creds = {}  # name -> (AttestationObject, rp_id)

    # --- getInfo ------------------------------------------------------------------------
    def get_info(self):
        self.ctap = Ctap2(self.dev)  # runs getInfo, strict canonical-CBOR check on
        info = self.ctap.get_info()
        self.info = info
        # The default profile (authenticator/profile.h): FIDO_2_0 only, because the core has no
        # clientPIN and CTAP 2.1 §6.4 ties FIDO_2_1 to clientPin/pinUvAuthToken.
        expect(info.versions == DEFAULT_VERSIONS, "versions %r, want %r" % (info.versions, DEFAULT_VERSIONS))
        if "FIDO_2_1" in info.versions:
            expect("clientPin" in info.options, "FIDO_2_1 advertised without clientPin")
        expect(isinstance(info.aaguid, bytes) and len(info.aaguid) == 16, "aaguid %r" % info.aaguid)
        expect(info.aaguid == DEFAULT_AAGUID, "aaguid %s, want %s" % (info.aaguid.hex(), DEFAULT_AAGUID.hex()))
        expect(info.aaguid == self.ctap.info.aaguid, "aaguid differs between two getInfo calls")
        algs = [(a.get("type"), a.get("alg")) for a in (info.algorithms or [])]
        want_algs = [("public-key", ES256.ALGORITHM), ("public-key", EdDSA.ALGORITHM), ("public-key", RS256.ALGORITHM)]
        expect(algs == want_algs, "algorithms %r, want %r" % (algs, want_algs))
        o = info.options
        expect(o.get("rk") is True, "options.rk = %r" % o.get("rk"))
        expect(o.get("up", True) is True, "options.up = %r" % o.get("up"))
        expect(o.get("plat", False) is False, "options.plat = %r" % o.get("plat"))
        expect(o.get("uv") is not True, "options.uv = True but the key has no built-in UV")
        expect(info.max_msg_size == DEFAULT_MAX_MSG_SIZE, "maxMsgSize %r, want %d" % (info.max_msg_size, DEFAULT_MAX_MSG_SIZE))
        expect(info.transports == ["usb"], "transports %r" % info.transports)
        return "versions=%s aaguid=%s algs=%s options=%s maxMsgSize=%s" % (
            ",".join(info.versions), info.aaguid.hex(), [a for _, a in algs], dict(o), info.max_msg_size)

    # --- makeCredential ----------------------------------------------------------------------
    def make_credential(self, name, rp_id, alg, rk=False, user_id=None, user_name="alice"):
        h = cdh("make " + name)
        user = {"id": user_id or os.urandom(16), "name": user_name, "displayName": user_name.title()}
        att = self.ctap.make_credential(
            h, {"id": rp_id, "name": rp_id}, user, [{"type": "public-key", "alg": alg}],
            options={"rk": True} if rk else None)
        expect(isinstance(att, AttestationObject), "not an AttestationObject")
        ad = att.auth_data
        expect(ad.rp_id_hash == rp_hash(rp_id), "rpIdHash is not SHA-256(rp.id)")
        expect(ad.flags & FLAG_UP, "UP flag clear")
        expect(not ad.flags & FLAG_UV, "UV flag set without UV")
        expect(ad.flags & FLAG_AT, "AT flag clear")
        cd = ad.credential_data
        expect(cd is not None, "no attested credential data")
        expect(cd.aaguid == self.info.aaguid, "attested AAGUID %s != getInfo AAGUID %s" % (cd.aaguid.hex(), self.info.aaguid.hex()))
        expect(len(cd.credential_id) > 0, "empty credential ID")
        expect(cd.public_key.ALGORITHM == alg, "credential key alg %r, asked for %r" % (cd.public_key.ALGORITHM, alg))
        self.creds[name] = (att, rp_id, h, user)
        return att, h, user

    def verify_packed_self(self, att, h, alg):
        expect(att.fmt == "packed", "fmt %r, want packed" % att.fmt)
        stmt = att.att_statement
        expect(stmt.get("alg") == alg, "attStmt.alg %r, want %r" % (stmt.get("alg"), alg))
        expect("x5c" not in stmt, "self attestation must not carry x5c")
        verifier_cls = Attestation.for_type("packed")
        expect(verifier_cls is PackedAttestation, "Attestation.for_type('packed') is %r" % verifier_cls)
        result = verifier_cls().verify(stmt, att.auth_data, h)
        expect(result.attestation_type == AttestationType.SELF, "attestation type %r" % result.attestation_type)
        # The same statement over a different clientDataHash must not verify.
        other = bytes(b ^ 0xFF for b in h)
        try:
            verifier_cls().verify(stmt, att.auth_data, other)
        except InvalidSignature:
            pass
        else:
            raise AssertionError("packed attestation verified over the wrong clientDataHash")

    def make_es256(self):
        att, h, _ = self.make_credential("es256", "example.com", ES256.ALGORITHM)
        self.verify_packed_self(att, h, ES256.ALGORITHM)
        return "credId %d bytes, counter %d, packed self attestation verified" % (
            len(att.auth_data.credential_data.credential_id), att.auth_data.counter)

    def make_eddsa(self):
        att, h, _ = self.make_credential("eddsa", "example.com", EdDSA.ALGORITHM)
        self.verify_packed_self(att, h, EdDSA.ALGORITHM)
        return "credId %d bytes, counter %d, packed self attestation verified" % (
            len(att.auth_data.credential_data.credential_id), att.auth_data.counter)

    def make_unsupported_alg(self):
        algs = [a.get("alg") for a in (self.info.algorithms or [])]
        unsupported = next(a for a in (-257, -37, -39, -65535) if a not in algs)
        # CTAP 2.1 §6.1.2 step 3: no supported algorithm in pubKeyCredParams.
        expect_ctap_error(CtapError.ERR.UNSUPPORTED_ALGORITHM, lambda: self.ctap.make_credential(
            cdh("bad alg"), {"id": "example.com"}, {"id": b"u1", "name": "u"},
            [{"type": "public-key", "alg": unsupported}]))
        return "alg %d -> UNSUPPORTED_ALGORITHM" % unsupported

    def make_excluded(self):
        att, _, _, _ = self.creds["es256"]
        cred_id = att.auth_data.credential_data.credential_id
        # CTAP 2.1 §6.1.2 step 7: a credential in excludeList that this key holds.
        expect_ctap_error(CtapError.ERR.CREDENTIAL_EXCLUDED, lambda: self.ctap.make_credential(
            cdh("excluded"), {"id": "example.com"}, {"id": b"u2", "name": "u"},
            [{"type": "public-key", "alg": ES256.ALGORITHM}],
            exclude_list=[{"type": "public-key", "id": cred_id}]))
        return "CREDENTIAL_EXCLUDED"

    # --- getAssertion ------------------------------------------------------------------------
    def assert_with_allow_list(self, name):
        att, rp_id, _, _ = self.creds[name]
        cd = att.auth_data.credential_data
        h = cdh("get " + name)
        resp = self.ctap.get_assertion(rp_id, h, allow_list=[{"type": "public-key", "id": cd.credential_id}])
        ad = resp.auth_data
        expect(resp.credential["id"] == cd.credential_id, "wrong credential in the response")
        expect(ad.rp_id_hash == rp_hash(rp_id), "rpIdHash is not SHA-256(rpId)")
        expect(ad.flags & FLAG_UP, "UP flag clear")
        expect(not ad.flags & FLAG_AT, "AT flag set in an assertion")
        key = CoseKey.parse(dict(cd.public_key))
        key.verify(ad + h, resp.signature)  # raises InvalidSignature
        resp.verify(h, key)                 # the library's own helper, same check
        expect_bad_signature(key, ad + h, resp.signature)
        return resp

    def get_assertion_counter(self, name):
        att = self.creds[name][0]
        first = self.assert_with_allow_list(name)
        second = self.assert_with_allow_list(name)
        c0, c1, c2 = att.auth_data.counter, first.auth_data.counter, second.auth_data.counter
        expect(c1 > c0, "assertion counter %d not above makeCredential counter %d" % (c1, c0))
        expect(c2 > c1, "second assertion counter %d not above first %d" % (c2, c1))
        return "signatures verified; counters %d -> %d -> %d" % (c0, c1, c2)

    def discoverable_single(self):
        att, _, user = self.make_credential("rk-solo", "solo.example", ES256.ALGORITHM, rk=True,
                                               user_name="solo")
        h = cdh("get solo")
        resp = self.ctap.get_assertion("solo.example", h)
        cd = att.auth_data.credential_data
        expect(resp.credential["id"] == cd.credential_id, "wrong credential")
        expect(resp.user is not None and resp.user.get("id") == user["id"], "user.id %r" % resp.user)
        expect(resp.number_of_credentials in (None, 1), "numberOfCredentials %r" % resp.number_of_credentials)
        CoseKey.parse(dict(cd.public_key)).verify(resp.auth_data + h, resp.signature)
        expect(resp.auth_data.counter > att.auth_data.counter, "counter did not increase")
        return "resident credential found without allowList, signature verified"

    def discoverable_two(self):
        rp = "two.example"
        att_a, _, user_a = self.make_credential("rk-a", rp, ES256.ALGORITHM, rk=True, user_name="anna")
        att_b, _, user_b = self.make_credential("rk-b", rp, EdDSA.ALGORITHM, rk=True, user_name="bert")
        by_id = {
            att_a.auth_data.credential_data.credential_id: (att_a, user_a),
            att_b.auth_data.credential_data.credential_id: (att_b, user_b),
        }
        expect(len(by_id) == 2, "the two credentials have the same ID")
        h = cdh("get two")
        first = self.ctap.get_assertion(rp, h)
        expect(first.number_of_credentials == 2, "numberOfCredentials %r, want 2" % first.number_of_credentials)
        second = self.ctap.get_next_assertion()  # CTAP 2.1 §6.3
        seen = []
        for resp in (first, second):
            cid = resp.credential["id"]
            expect(cid in by_id, "unknown credential %s" % cid.hex())
            att, user = by_id[cid]
            expect(resp.user is not None and resp.user.get("id") == user["id"], "user.id mismatch")
            expect(resp.auth_data.rp_id_hash == rp_hash(rp), "rpIdHash")
            key = CoseKey.parse(dict(att.auth_data.credential_data.public_key))
            key.verify(resp.auth_data + h, resp.signature)  # same clientDataHash for both
            expect_bad_signature(key, resp.auth_data + h, resp.signature)
            seen.append(cid)
        expect(len(set(seen)) == 2, "getNextAssertion returned the same credential twice")
        # CTAP 2.1 §6.2.2 step 12: newest credential first.
        expect(seen[0] == att_b.auth_data.credential_data.credential_id, "newest credential is not first")
        # CTAP 2.1 §6.3 step 3: no more credentials -> NOT_ALLOWED.
        expect_ctap_error(CtapError.ERR.NOT_ALLOWED, self.ctap.get_next_assertion)
        return "2 credentials (ES256 %s, EdDSA %s), newest first, both signatures verified" % (
            user_a["name"], user_b["name"])

    def no_credentials(self):
        # CTAP 2.1 §6.2.2 step 10/11: nothing applicable -> CTAP2_ERR_NO_CREDENTIALS.
        expect_ctap_error(CtapError.ERR.NO_CREDENTIALS,
                          lambda: self.ctap.get_assertion("nobody.example", cdh("none")))
        att = self.creds["es256"][0]
        known = att.auth_data.credential_data.credential_id
        # A credential of example.com is not usable for another RP.
        expect_ctap_error(CtapError.ERR.NO_CREDENTIALS, lambda: self.ctap.get_assertion(
            "other.example", cdh("none2"), allow_list=[{"type": "public-key", "id": known}]))
        # An ID the key never issued.
        bogus = bytes(b ^ 0x5A for b in known)
        expect_ctap_error(CtapError.ERR.NO_CREDENTIALS, lambda: self.ctap.get_assertion(
            "example.com", cdh("none3"), allow_list=[{"type": "public-key", "id": bogus}]))
        return "unknown RP, foreign RP, unknown ID -> CtapError NO_CREDENTIALS (0x2E)"

    # --- CTAPHID ping ------------------------------------------------------------------------
    def ping_max(self):
        payload = os.urandom(MAX_HID_MESSAGE)
        echoed = self.dev.ping(payload)
        expect(echoed == payload, "echo differs (%d bytes back)" % len(echoed))
        small = self.dev.call(CTAPHID.PING, b"vfido")
        expect(small == b"vfido", "short echo differs")
        return "%d bytes echoed in %d reports each way" % (len(payload), 1 + (MAX_HID_MESSAGE - 57 + 58) // 59)


def checks(results, key):
    s = Suite(key.dev)
    if not results.check("getInfo: versions, aaguid, algorithms, options", s.get_info):
        return

    results.check("makeCredential ES256: packed self attestation", s.make_es256)
    results.check("makeCredential EdDSA: packed self attestation", s.make_eddsa)
    results.check("makeCredential unsupported alg -> UNSUPPORTED_ALGORITHM", s.make_unsupported_alg)
    if "es256" in s.creds:
        results.check("makeCredential excludeList -> CREDENTIAL_EXCLUDED", s.make_excluded)
        results.check("getAssertion ES256 allowList: signature, counters increase",
                      lambda: s.get_assertion_counter("es256"))
    if "eddsa" in s.creds:
        results.check("getAssertion EdDSA allowList: signature, counters increase",
                      lambda: s.get_assertion_counter("eddsa"))
    results.check("getAssertion discoverable (no allowList)", s.discoverable_single)
    results.check("getAssertion + getNextAssertion over two discoverable credentials", s.discoverable_two)
    if "es256" in s.creds:
        results.check("getAssertion NO_CREDENTIALS as CtapError", s.no_credentials)
    results.check("CTAPHID_PING %d bytes" % MAX_HID_MESSAGE, s.ping_max)


if __name__ == "__main__":
    sys.exit(run(sys.argv, "python-fido2", checks))
