#!/usr/bin/python3
"""The control API from Python, as README.md shows it: tools/examples/control_api.py (a plain
socket and json) drives `vfido serve --udp --presence api --control SOCKET` while python-fido2
0.9.1 (Debian's python3-fido2) talks CTAP to the same key.

Usage: /usr/bin/python3 tests/python/test_control_api.py <path to vfido>

Checks: the example lists the key; python-fido2's makeCredential waits until the example's
approve_pending() approves it; getCredentials returns that credential; a denied request ends
in CTAP2_ERR_OPERATION_DENIED; a P-256 key imported with addCredential (backup eligible) signs
an assertion python-cryptography verifies, and BS follows setBackupState; bad requests come
back as ControlError with the WebDriver error code.
"""

import base64
import hashlib
import os
import sys
import tempfile
import threading

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.ctap import CtapError
from fido2.ctap2 import Ctap2

from vfido_udp import expect, run

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "examples"))
from control_api import ControlError, VfidoControl, approve_pending  # noqa: E402

CONTROL = os.path.join(tempfile.mkdtemp(prefix="vfido-ctl-"), "control.sock")
RP = {"id": "python.example", "name": "Python RP"}
CDH = hashlib.sha256(b"client data").digest()
ES256 = [{"type": "public-key", "alg": -7}]
FLAG_BE, FLAG_BS = 0x08, 0x10


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def in_thread(fn):
    """Runs fn() on a thread; returns a function that joins it and returns (result, error)."""
    out = {}

    def body():
        try:
            out["result"] = fn()
        except Exception as e:  # handed to the caller
            out["error"] = e

    t = threading.Thread(target=body, daemon=True)
    t.start()

    def join():
        t.join(10)
        expect(not t.is_alive(), "the CTAP request did not finish")
        return out.get("result"), out.get("error")

    return join


def checks(results, key):
    ctap = Ctap2(key.dev)
    ctl = VfidoControl(CONTROL)
    state = {}

    def listed():
        keys = ctl.call("listAuthenticators")["authenticators"]
        expect(len(keys) == 1 and keys[0]["presence"] == "api", "keys: %r" % keys)
        return "%s %s" % (keys[0]["authenticatorId"], keys[0]["name"])

    def made_after_approval():
        user = {"id": b"user-py", "name": "pat", "displayName": "Pat"}
        join = in_thread(lambda: ctap.make_credential(CDH, RP, user, ES256, options={"rk": True}))
        approved = approve_pending(ctl, 2.0)
        att, error = join()
        expect(error is None, "makeCredential failed: %r" % error)
        expect(len(approved) == 1, "approved %r" % approved)
        expect(approved[0]["purpose"] == "makeCredential" and approved[0]["rpId"] == RP["id"] and
               approved[0]["userName"] == "pat", "request %r" % approved[0])
        state["id"] = att.auth_data.credential_data.credential_id
        return "credential %s" % b64(state["id"])

    def read_back():
        creds = ctl.call("getCredentials")["credentials"]
        ours = [c for c in creds if c["credentialId"] == b64(state["id"])]
        expect(len(ours) == 1, "getCredentials: %r" % creds)
        c = ours[0]
        expect(c["rpId"] == RP["id"] and c["isResidentCredential"] and c["userName"] == "pat", "credential %r" % c)
        expect(c["userHandle"] == b64(b"user-py"), "userHandle %r" % c["userHandle"])
        serialization.load_der_private_key(base64.urlsafe_b64decode(c["privateKey"] + "=="), password=None)
        return "signCount %d, BE %s" % (c["signCount"], c["backupEligibility"])

    def denied():
        allow = [{"type": "public-key", "id": state["id"]}]
        join = in_thread(lambda: ctap.get_assertion(RP["id"], CDH, allow))
        request = None
        for _ in range(100):
            pending = ctl.call("getPending")["requests"]
            if pending:
                request = pending[0]
                break
            threading.Event().wait(0.02)
        expect(request is not None, "nothing waited")
        ctl.call("answerPending", requestId=request["requestId"], approve=False)
        _, error = join()
        expect(isinstance(error, CtapError) and error.code == CtapError.ERR.OPERATION_DENIED, "got %r" % error)
        return "CTAP2_ERR_OPERATION_DENIED"

    def imported_signs_and_bs_follows():
        ctl.call("setPresenceMode", presence="approve")
        private = ec.generate_private_key(ec.SECP256R1())
        pkcs8 = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
        cred_id = os.urandom(32)
        ctl.call("addCredential", credentialId=b64(cred_id), isResidentCredential=True, rpId=RP["id"],
                 privateKey=b64(pkcs8), userHandle=b64(b"imported"), userName="imp", signCount=7,
                 backupEligibility=True, backupState=False)
        allow = [{"type": "public-key", "id": cred_id}]
        flags = []
        for backed_up in (False, True):
            ctl.call("setBackupState", credentialId=b64(cred_id), backupState=backed_up)
            assertion = ctap.get_assertion(RP["id"], CDH, allow)
            private.public_key().verify(assertion.signature, bytes(assertion.auth_data) + CDH, ec.ECDSA(hashes.SHA256()))
            flags.append(assertion.auth_data.flags & (FLAG_BE | FLAG_BS))
        expect(flags == [FLAG_BE, FLAG_BE | FLAG_BS], "BE/BS flags %r" % flags)
        return "flags 0x%02x then 0x%02x, counter %d" % (flags[0], flags[1], assertion.auth_data.counter)

    def errors_are_reported():
        try:
            ctl.call("setBackupState", credentialId=b64(state["id"]), backupState=True)
        except ControlError as e:
            expect(e.code == "invalid argument" and "not backup eligible" in str(e), str(e))
        else:
            raise AssertionError("setBackupState on a device-bound credential succeeded")
        try:
            ctl.call("noSuchMethod")
        except ControlError as e:
            expect(e.code == "unknown command", str(e))
            return str(e)[:60]
        raise AssertionError("an unknown method succeeded")

    results.check("the example lists the key", listed)
    results.check("makeCredential waits until approve_pending() approves it", made_after_approval)
    results.check("getCredentials returns it", read_back)
    results.check("a denied request ends in OPERATION_DENIED", denied)
    results.check("an imported key signs; BS follows setBackupState", imported_signs_and_bs_follows)
    results.check("errors come back as ControlError", errors_are_reported)
    ctl.close()


if __name__ == "__main__":
    status = run(sys.argv, "python control api", checks, extra_args=["--presence", "api", "--control", CONTROL])
    try:
        os.rmdir(os.path.dirname(CONTROL))  # the server removed its socket
    except OSError:
        pass
    sys.exit(status)
