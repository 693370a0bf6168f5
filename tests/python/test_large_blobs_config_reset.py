#!/usr/bin/python3
"""python-fido2 0.9.1 against `vfido serve --udp`: the CTAP 2.1 commands authenticatorSelection,
authenticatorLargeBlobs (with largeBlobKey credentials), authenticatorConfig and
authenticatorReset, and the two ways to power-cycle the served key (SIGUSR1 and the solo1
simulator's reboot datagram).

Usage: /usr/bin/python3 tests/python/test_large_blobs_config_reset.py <path to vfido>

python-fido2 0.9.1 has no WebAuthn-level largeBlob helpers, so the checks use its CTAP2 classes:
Ctap2 (selection, reset, makeCredential/getAssertion with the largeBlobKey and minPinLength
extensions), LargeBlobs, Config and ClientPin. Its LargeBlobs.write_blob_array sends `length`
(as the fragment's size) with every fragment, which CTAP 2.1 §6.10.2 refuses for fragments
after the first; the arrays written here fit one fragment, where that does not matter.

The key runs with --reset-window-ms 1000 so that "after the window" takes a second.
"""

import hashlib
import os
import signal
import sys
import time

from fido2.ctap import CtapError
from fido2.ctap2 import AuthenticatorData, Ctap2
from fido2.ctap2.blob import LargeBlobs
from fido2.ctap2.config import Config
from fido2.ctap2.pin import ClientPin

from vfido_udp import expect, expect_ctap_error, run

RESET_WINDOW_MS = 1000
PIN = "12345678"
LONGER_PIN = "1234567890"
RP = "blobs.example"
LBW = ClientPin.PERMISSION.LARGE_BLOB_WRITE
# transports/udp/udp_transport.h kRebootDatagram: what solo1's test harness sends its simulator.
REBOOT_DATAGRAM = bytes.fromhex(
    "ac1052ca95e569de69e02ebff333485f13f9b2da34c5a8a340526697a9ab2e0b"
    "394d8d04973c134005be1a0140bff6045bb26eb77a73eaa47813f6b49a7250dc")


def cdh(label):
    return hashlib.sha256(label.encode() + os.urandom(16)).digest()


class Suite:
    def __init__(self, key):
        self.key = key
        self.ctap = Ctap2(key.dev)
        self.large_blob_key = None
        self.cred_id = None
        self.power_cycles = 0

    def info(self):
        return self.ctap.get_info()

    def fresh_ctap(self):
        """A new Ctap2: python-fido2's helpers read options from its cached getInfo."""
        self.ctap = Ctap2(self.key.dev)
        return self.ctap

    def token(self, permissions, pin=PIN):
        client_pin = ClientPin(self.ctap)
        return client_pin.protocol, client_pin.get_pin_token(pin, permissions)

    # --- getInfo and selection ------------------------------------------------------------------
    def get_info(self):
        info = self.info()
        o = info.options
        for name, want in (("largeBlobs", True), ("authnrCfg", True), ("setMinPINLength", True),
                           ("ep", False), ("alwaysUv", False), ("clientPin", False)):
            expect(o.get(name) is want, "options.%s = %r, want %r" % (name, o.get(name), want))
        for ext in ("largeBlobKey", "minPinLength"):
            expect(ext in info.extensions, "extension %s not listed" % ext)
        expect(info.max_large_blob is not None and info.max_large_blob >= 1024,
               "maxSerializedLargeBlobArray %r" % info.max_large_blob)
        expect(info.max_rpids_for_min_pin > 0, "maxRPIDsForSetMinPINLength %r" % info.max_rpids_for_min_pin)
        return "maxSerializedLargeBlobArray=%d maxRPIDsForSetMinPINLength=%d" % (
            info.max_large_blob, info.max_rpids_for_min_pin)

    def selection(self):
        self.ctap.selection()  # the simulated user touches: CTAP2_OK raises nothing
        return "touched"

    # --- largeBlobs ------------------------------------------------------------------------------
    def make_large_blob_credential(self):
        att = self.ctap.make_credential(
            cdh("make"), {"id": RP, "name": RP}, {"id": os.urandom(16), "name": "blob"},
            [{"type": "public-key", "alg": -7}], extensions={"largeBlobKey": True}, options={"rk": True})
        expect(att.large_blob_key is not None and len(att.large_blob_key) == 32,
               "largeBlobKey %r" % att.large_blob_key)
        self.large_blob_key = att.large_blob_key
        self.cred_id = att.auth_data.credential_data.credential_id
        # getAssertion hands out the same key.
        resp = self.ctap.get_assertion(RP, cdh("get"), extensions={"largeBlobKey": True})
        expect(resp.large_blob_key == self.large_blob_key, "getAssertion largeBlobKey differs")
        return "32-byte largeBlobKey from makeCredential and getAssertion"

    def large_blob_without_pin(self):
        blobs = LargeBlobs(self.ctap)
        expect(blobs.read_blob_array() == [], "a new key's array is not empty")
        data = b"vfido large blob " * 20
        blobs.put_blob(self.large_blob_key, data)
        expect(blobs.get_blob(self.large_blob_key) == data, "read back differs")
        expect(blobs.get_blob(os.urandom(32)) is None, "a wrong key decrypted an entry")
        expect(len(blobs.read_blob_array()) == 1, "array has %d entries" % len(blobs.read_blob_array()))
        return "%d bytes written and read back" % len(data)

    def large_blob_with_pin(self):
        ClientPin(self.ctap).set_pin(PIN)
        ctap = self.fresh_ctap()
        data = b"written with a PIN"
        # Protected now: a write without a token is refused (PUAT_REQUIRED, which python-fido2
        # 0.9.1 still calls PIN_REQUIRED).
        expect_ctap_error(CtapError.ERR.PIN_REQUIRED, lambda: LargeBlobs(ctap).put_blob(self.large_blob_key, data))
        # A token without lbw is refused too.
        protocol, mc_token = self.token(ClientPin.PERMISSION.MAKE_CREDENTIAL | ClientPin.PERMISSION.GET_ASSERTION)
        expect_ctap_error(CtapError.ERR.PIN_AUTH_INVALID,
                          lambda: LargeBlobs(ctap, protocol, mc_token).put_blob(self.large_blob_key, data))
        protocol, token = self.token(ClientPin.PERMISSION.LARGE_BLOB_WRITE)
        LargeBlobs(ctap, protocol, token).put_blob(self.large_blob_key, data)
        expect(LargeBlobs(ctap).get_blob(self.large_blob_key) == data, "read back differs")
        return "PUAT_REQUIRED without a token, PIN_AUTH_INVALID without lbw, written with lbw"

    # --- authenticatorConfig -------------------------------------------------------------------
    def config_with_pin(self):
        ctap = self.ctap
        expect_ctap_error(CtapError.ERR.PIN_REQUIRED, lambda: Config(ctap).toggle_always_uv())
        protocol, token = self.token(ClientPin.PERMISSION.AUTHENTICATOR_CFG)
        config = Config(ctap, protocol, token)
        config.toggle_always_uv()
        expect(self.info().options.get("alwaysUv") is True, "alwaysUv not on")
        expect(self.info().options.get("makeCredUvNotRqd") is False, "makeCredUvNotRqd still true with alwaysUv")
        config.toggle_always_uv()
        expect(self.info().options.get("alwaysUv") is False, "alwaysUv not off again")
        # enableEnterpriseAttestation: Config 0.9.1 has no method for it; its _call signs it.
        config._call(Config.CMD.ENABLE_ENTERPRISE_ATT)
        expect(self.info().options.get("ep") is True, "ep not enabled")
        return "toggleAlwaysUv on/off, enterprise attestation enabled (acfg token)"

    def set_min_pin_length(self):
        protocol, token = self.token(ClientPin.PERMISSION.AUTHENTICATOR_CFG)
        config = Config(self.ctap, protocol, token)
        config.set_min_pin_length(min_pin_length=len(LONGER_PIN), rp_ids=[RP])
        info = self.info()
        expect(info.min_pin_length == len(LONGER_PIN), "minPINLength %r" % info.min_pin_length)
        # The PIN is shorter than the new minimum: it must be changed.
        expect(info.force_pin_change is True, "forcePINChange %r" % info.force_pin_change)
        expect_ctap_error(CtapError.ERR.PIN_POLICY_VIOLATION,
                          lambda: config.set_min_pin_length(min_pin_length=len(LONGER_PIN) - 1))
        ClientPin(self.ctap).change_pin(PIN, LONGER_PIN)
        expect(self.info().force_pin_change is False, "forcePINChange still set after changePIN")
        # The minPinLength extension reports the minimum to the listed RP.
        protocol, mc = self.token(ClientPin.PERMISSION.MAKE_CREDENTIAL, pin=LONGER_PIN)
        h = cdh("minpin")
        att = self.ctap.make_credential(
            h, {"id": RP}, {"id": b"u", "name": "u"}, [{"type": "public-key", "alg": -7}],
            extensions={"minPinLength": True}, pin_uv_param=protocol.authenticate(mc, h),
            pin_uv_protocol=protocol.VERSION)
        ext = att.auth_data.extensions or {}
        expect(ext.get("minPinLength") == len(LONGER_PIN), "minPinLength output %r" % ext)
        return "minPINLength %d, forcePINChange until changePIN, extension output %r" % (
            len(LONGER_PIN), ext.get("minPinLength"))

    # --- power cycle and reset -------------------------------------------------------------------
    def reboot_datagram(self):
        # Three wrong PINs block PIN use until a power cycle (CTAP 2.1 §6.5.2.2).
        client_pin = ClientPin(self.ctap)
        for want in (CtapError.ERR.PIN_INVALID, CtapError.ERR.PIN_INVALID, CtapError.ERR.PIN_AUTH_BLOCKED):
            expect_ctap_error(want, lambda: client_pin.get_pin_token("00000000000", LBW))
        expect_ctap_error(CtapError.ERR.PIN_AUTH_BLOCKED, lambda: client_pin.get_pin_token(LONGER_PIN, LBW))
        self.key.send_datagram(REBOOT_DATAGRAM)
        # Datagrams are handled in order: the next request sees the power-cycled key, on the same
        # CTAPHID channel.
        ClientPin(self.ctap).get_pin_token(LONGER_PIN, LBW)
        return "PIN_AUTH_BLOCKED cleared; CTAPHID channel kept"

    def wait_out_the_window(self):
        time.sleep(RESET_WINDOW_MS / 1000.0 + 0.3)
        expect_ctap_error(CtapError.ERR.NOT_ALLOWED, self.ctap.reset)

    def reset_after_window(self):
        self.wait_out_the_window()
        return "NOT_ALLOWED %d ms after power-up" % (RESET_WINDOW_MS + 300)

    def reset_after_reboot_datagram(self):
        self.key.send_datagram(REBOOT_DATAGRAM)  # the reset window starts again
        self.ctap.reset()
        info = self.info()
        o = info.options
        expect(o.get("clientPin") is False, "clientPin %r after reset" % o.get("clientPin"))
        expect(o.get("ep") is False, "ep %r after reset" % o.get("ep"))
        expect(o.get("alwaysUv") is False, "alwaysUv %r after reset" % o.get("alwaysUv"))
        expect(info.min_pin_length == 4, "minPINLength %r after reset" % info.min_pin_length)
        expect(LargeBlobs(self.fresh_ctap()).read_blob_array() == [], "large-blob array not empty after reset")
        expect_ctap_error(CtapError.ERR.NO_CREDENTIALS, lambda: self.ctap.get_assertion(RP, cdh("gone")))
        return "credentials, PIN, settings and large blobs wiped"

    def sigusr1(self):
        self.wait_out_the_window()
        server = self.key.server
        start = len(server.lines)
        os.kill(server.proc.pid, signal.SIGUSR1)
        expect(server.wait_line(r"power cycle \(SIGUSR1\)", 5, start) is not None, "no power-cycle line on stdout")
        self.ctap.reset()  # allowed again: the window restarted
        return "stdout: %s; reset allowed again" % server.lines[-1]


def checks(results, key):
    s = Suite(key)
    if not results.check("getInfo: largeBlobs, authnrCfg, setMinPINLength, ep, alwaysUv", s.get_info):
        return
    results.check("selection: touched -> OK", s.selection)
    if results.check("makeCredential/getAssertion with largeBlobKey", s.make_large_blob_credential):
        results.check("LargeBlobs without a PIN: put_blob, get_blob", s.large_blob_without_pin)
        results.check("LargeBlobs with a PIN: token with lbw", s.large_blob_with_pin)
    results.check("Config with a PIN: toggleAlwaysUv, enableEnterpriseAttestation", s.config_with_pin)
    results.check("Config setMinPINLength, forcePINChange, minPinLength extension", s.set_min_pin_length)
    results.check("reboot datagram: power cycle clears PIN_AUTH_BLOCKED", s.reboot_datagram)
    results.check("reset after the window -> NOT_ALLOWED", s.reset_after_window)
    results.check("reboot datagram, then reset within the new window", s.reset_after_reboot_datagram)
    results.check("SIGUSR1 after the window: power cycle, reset allowed again", s.sigusr1)


if __name__ == "__main__":
    sys.exit(run(sys.argv, "python-fido2 largeBlobs/config/reset", checks,
                 extra_args=["--reset-window-ms", str(RESET_WINDOW_MS)]))
