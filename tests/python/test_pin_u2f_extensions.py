#!/usr/bin/python3
"""python-fido2 0.9.1 against `vfido serve --udp`: clientPIN (set, change, the per-power-cycle
lockout and its reset by a power cycle, tokens with permissions used in makeCredential and
getAssertion), the extensions (credProtect, hmac-secret, credBlob) through python-fido2's own
extension classes, RS256 and EdDSA credentials verified with its COSE classes, and CTAP1/U2F
through its Ctap1 class (register, authenticate in all three modes, fido-u2f verification).

Usage: /usr/bin/python3 tests/python/test_pin_u2f_extensions.py <path to vfido>
"""

import hashlib
import os
import sys

from fido2.attestation import FidoU2FAttestation, PackedAttestation
from fido2.cose import CoseKey
from fido2.ctap import CtapError
from fido2.ctap1 import APDU, ApduError, Ctap1
from fido2.ctap2 import AttestationObject, AuthenticatorData, Ctap2
from fido2.ctap2.extensions import CredBlobExtension, CredProtectExtension, HmacSecretExtension
from fido2.ctap2.pin import ClientPin, PinProtocolV1, PinProtocolV2

from vfido_udp import expect, expect_ctap_error, run

PIN = "4711-pin"
NEW_PIN = "0815-pin"
RP = {"id": "pin.example", "name": "PIN RP"}
REBOOT_DATAGRAM = bytes.fromhex(  # transports/udp/udp_transport.h: solo1's reboot datagram
    "ac1052ca95e569de69e02ebff333485f13f9b2da34c5a8a340526697a9ab2e0b"
    "394d8d04973c134005be1a0140bff6045bb26eb77a73eaa47813f6b49a7250dc")
MC = ClientPin.PERMISSION.MAKE_CREDENTIAL
GA = ClientPin.PERMISSION.GET_ASSERTION
FLAG_UV = AuthenticatorData.FLAG.USER_VERIFIED


def cdh(label):
    return hashlib.sha256(label.encode() + os.urandom(8)).digest()


def user(n):
    return {"id": b"user-%d" % n, "name": "user%d" % n, "displayName": "User %d" % n}


class Suite:
    def __init__(self, key):
        self.key = key
        self.ctap = Ctap2(key.dev)

    def client_pin(self, protocol=None):
        return ClientPin(self.ctap, protocol)

    # --- clientPIN ------------------------------------------------------------------------------
    def set_and_change_pin(self):
        cp = self.client_pin()
        cp.set_pin(PIN)
        expect(cp.get_pin_retries()[0] == 8, "retries after setPIN")
        cp.change_pin(PIN, NEW_PIN)
        expect_ctap_error(CtapError.ERR.PIN_INVALID, lambda: cp.get_pin_token(PIN, GA))
        cp.change_pin(NEW_PIN, PIN)
        token = cp.get_pin_token(PIN, MC | GA, RP["id"])
        expect(len(token) == 32, "token length %d" % len(token))
        return "set, changed, changed back; retries %d" % cp.get_pin_retries()[0]

    def lockout_and_power_cycle(self):
        cp = self.client_pin(PinProtocolV1())
        expect_ctap_error(CtapError.ERR.PIN_INVALID, lambda: cp.get_pin_token("0000", GA))
        expect_ctap_error(CtapError.ERR.PIN_INVALID, lambda: cp.get_pin_token("0000", GA))
        expect_ctap_error(CtapError.ERR.PIN_AUTH_BLOCKED, lambda: cp.get_pin_token("0000", GA))
        expect_ctap_error(CtapError.ERR.PIN_AUTH_BLOCKED, lambda: cp.get_pin_token(PIN, GA))
        retries, power_cycle = cp.get_pin_retries()
        expect(retries == 5 and power_cycle, "retries %r, powerCycleState %r" % (retries, power_cycle))
        self.key.send_datagram(REBOOT_DATAGRAM)
        token = cp.get_pin_token(PIN, GA, RP["id"])
        expect(cp.get_pin_retries()[0] == 8, "a right PIN restores the retries")
        return "3 wrong PINs -> PIN_AUTH_BLOCKED; after a power cycle the PIN works (%d-byte token)" % len(token)

    def tokens_with_permissions(self):
        for protocol in (PinProtocolV2(), PinProtocolV1()):
            cp = self.client_pin(protocol)
            token = cp.get_pin_token(PIN, MC, RP["id"])
            h = cdh("mc")
            att = self.ctap.make_credential(h, RP, user(1), [{"type": "public-key", "alg": -7}],
                                            options={"rk": True},
                                            pin_uv_param=protocol.authenticate(token, h),
                                            pin_uv_protocol=protocol.VERSION)
            expect(att.auth_data.flags & FLAG_UV, "UV flag with a token")
            # The token was for mc only: getAssertion with it is refused.
            h2 = cdh("ga")
            expect_ctap_error(CtapError.ERR.PIN_AUTH_INVALID, lambda: self.ctap.get_assertion(
                RP["id"], h2, pin_uv_param=protocol.authenticate(token, h2), pin_uv_protocol=protocol.VERSION))
            ga_token = cp.get_pin_token(PIN, GA, RP["id"])
            h3 = cdh("ga")
            a = self.ctap.get_assertion(RP["id"], h3, pin_uv_param=protocol.authenticate(ga_token, h3),
                                        pin_uv_protocol=protocol.VERSION)
            a.verify(h3, att.auth_data.credential_data.public_key)
            expect(a.user.get("name") == "user1", "user name returned with UV: %r" % a.user)
        return "mc-only and ga-only tokens, protocols 2 and 1; signatures verified"

    # --- extensions -----------------------------------------------------------------------------
    def cred_protect(self):
        ext = CredProtectExtension(self.ctap)
        inputs = ext.process_create_input({"credentialProtectionPolicy": CredProtectExtension.POLICY.REQUIRED})
        cp = self.client_pin()
        token = cp.get_pin_token(PIN, MC, RP["id"])
        h = cdh("cp")
        att = self.ctap.make_credential(h, RP, user(2), [{"type": "public-key", "alg": -7}],
                                        extensions={ext.NAME: inputs}, options={"rk": True},
                                        pin_uv_param=cp.protocol.authenticate(token, h),
                                        pin_uv_protocol=cp.protocol.VERSION)
        expect(att.auth_data.extensions == {"credProtect": 3}, "extension output %r" % att.auth_data.extensions)
        cred = {"type": "public-key", "id": att.auth_data.credential_data.credential_id}
        expect_ctap_error(CtapError.ERR.NO_CREDENTIALS,
                          lambda: self.ctap.get_assertion(RP["id"], cdh("x"), allow_list=[cred]))
        return "credProtect 3: invisible without UV"

    def hmac_secret(self):
        results = []
        for protocol in (PinProtocolV2(), PinProtocolV1()):
            ext = HmacSecretExtension(self.ctap, protocol)
            att = self.ctap.make_credential(cdh("hs"), RP, user(3), [{"type": "public-key", "alg": -7}],
                                            extensions={ext.NAME: ext.process_create_input({"hmacCreateSecret": True})})
            expect(ext.process_create_output(att.auth_data) == {"hmacCreateSecret": True}, "hmac-secret create output")
            cred = {"type": "public-key", "id": att.auth_data.credential_data.credential_id}
            salt1, salt2 = os.urandom(32), os.urandom(32)

            def get(salts, token=None):
                ext_in = ext.process_get_input({"hmacGetSecret": salts})
                h = cdh("hs")
                kwargs = {}
                if token is not None:
                    cp = ClientPin(self.ctap, protocol)
                    kwargs = {"pin_uv_param": protocol.authenticate(token, h), "pin_uv_protocol": protocol.VERSION}
                a = self.ctap.get_assertion(RP["id"], h, allow_list=[cred], extensions={ext.NAME: ext_in}, **kwargs)
                a.verify(h, att.auth_data.credential_data.public_key)
                return ext.process_get_output(a.auth_data)["hmacGetSecret"]

            one = get({"salt1": salt1})
            expect(get({"salt1": salt1}) == one, "output1 stable for the same salt")
            both = get({"salt1": salt1, "salt2": salt2})
            expect(both["output1"] == one["output1"] and both["output2"] != one["output1"], "two salts")
            token = ClientPin(self.ctap, protocol).get_pin_token(PIN, GA, RP["id"])
            with_uv = get({"salt1": salt1}, token)
            expect(with_uv["output1"] != one["output1"], "UV changes CredRandom")
            results.append("protocol %d ok" % protocol.VERSION)
        return "; ".join(results)

    def cred_blob(self):
        ext = CredBlobExtension(self.ctap)
        blob = b"vfido credBlob"
        cp = self.client_pin()
        token = cp.get_pin_token(PIN, MC, RP["id"])
        h = cdh("cb")
        att = self.ctap.make_credential(h, RP, user(4), [{"type": "public-key", "alg": -8}],
                                        extensions={ext.NAME: ext.process_create_input({"credBlob": blob})},
                                        options={"rk": True}, pin_uv_param=cp.protocol.authenticate(token, h),
                                        pin_uv_protocol=cp.protocol.VERSION)
        expect(att.auth_data.extensions.get("credBlob") is True, "credBlob stored: %r" % att.auth_data.extensions)
        cred = {"type": "public-key", "id": att.auth_data.credential_data.credential_id}
        h2 = cdh("cb")
        a = self.ctap.get_assertion(RP["id"], h2, allow_list=[cred],
                                    extensions={ext.NAME: ext.process_get_input({"getCredBlob": True})})
        a.verify(h2, att.auth_data.credential_data.public_key)
        expect(a.auth_data.extensions.get("credBlob") == blob, "credBlob read back: %r" % a.auth_data.extensions)
        return "%d-byte credBlob on an EdDSA credential" % len(blob)

    def rs256_and_eddsa(self):
        out = []
        for alg in (-257, -8):
            h = cdh("alg")
            att = self.ctap.make_credential(h, RP, user(5), [{"type": "public-key", "alg": alg}])
            # packed self attestation, checked by python-fido2's verifier
            PackedAttestation().verify(att.att_statement, att.auth_data, h)
            key = att.auth_data.credential_data.public_key
            expect(key.ALGORITHM == alg, "COSE alg %r" % key.ALGORITHM)
            cred = {"type": "public-key", "id": att.auth_data.credential_data.credential_id}
            h2 = cdh("alg")
            a = self.ctap.get_assertion(RP["id"], h2, allow_list=[cred])
            a.verify(h2, key)
            out.append("%s verified" % type(key).__name__)
        return ", ".join(out)

    # --- CTAP1/U2F ------------------------------------------------------------------------------
    def u2f(self):
        ctap1 = Ctap1(self.key.dev)
        expect(ctap1.get_version() == "U2F_V2", "U2F version")
        app = hashlib.sha256(b"https://u2f.example").digest()
        chal = os.urandom(32)
        reg = ctap1.register(chal, app)
        reg.verify(app, chal)  # the attestation signature, with the certificate's key
        # The same registration as WebAuthn's fido-u2f attestation statement.
        att = AttestationObject.from_ctap1(app, reg)
        FidoU2FAttestation().verify(att.att_statement, att.auth_data, chal)
        sig = ctap1.authenticate(chal, app, reg.key_handle)
        sig.verify(app, chal, reg.public_key)
        expect(sig.user_presence & 1, "user presence bit")
        sig2 = ctap1.authenticate(chal, app, reg.key_handle, check_only=False)
        expect(sig2.counter == sig.counter + 1, "counter %d then %d" % (sig.counter, sig2.counter))
        try:
            ctap1.authenticate(chal, app, reg.key_handle, check_only=True)
            raise AssertionError("check-only succeeded")
        except ApduError as e:
            expect(e.code == APDU.USE_NOT_SATISFIED, "check-only answered 0x%04x" % e.code)
        try:
            ctap1.authenticate(chal, hashlib.sha256(b"other").digest(), reg.key_handle)
            raise AssertionError("authenticate for another application succeeded")
        except ApduError as e:
            expect(e.code == APDU.WRONG_DATA, "wrong application answered 0x%04x" % e.code)
        return "register (fido-u2f verified), authenticate (counter %d, %d), check-only, wrong application" % (
            sig.counter, sig2.counter)


def checks(results, key):
    s = Suite(key)
    results.check("U2F through Ctap1", s.u2f)
    results.check("RS256 and EdDSA credentials verify", s.rs256_and_eddsa)
    results.check("ClientPin: setPIN, changePIN, tokens", s.set_and_change_pin)
    results.check("hmac-secret with both PIN protocols", s.hmac_secret)
    results.check("tokens with permissions in makeCredential/getAssertion", s.tokens_with_permissions)
    results.check("three wrong PINs, then a power cycle", s.lockout_and_power_cycle)
    results.check("credProtect", s.cred_protect)
    results.check("credBlob", s.cred_blob)


if __name__ == "__main__":
    sys.exit(run(sys.argv, "python-fido2 pin/u2f/extensions", checks))
