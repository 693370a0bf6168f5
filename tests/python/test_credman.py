#!/usr/bin/python3
"""Credential management with python-fido2 0.9.1 (Debian's python3-fido2) against
`vfido serve --udp`.

Usage: /usr/bin/python3 tests/python/test_credman.py <path to vfido>

python-fido2's ClientPin sets a PIN and gets pinUvAuthTokens (getPinUvAuthTokenUsingPinWithPermissions,
both PIN/UV auth protocols); its CredentialManagement (authenticatorCredentialManagement 0x0A,
because the key advertises credMgmt) reads the metadata, enumerates RPs and credentials, updates
a user and deletes a credential. The transport and the server are vfido_udp.py's.

Prints one line per check and ends with "python-fido2 credman: N passed, M failed"; exits 1 on
any failure.
"""

import hashlib
import os
import sys

from fido2.cose import CoseKey, EdDSA, ES256
from fido2.ctap import CtapError
from fido2.ctap2 import ClientPin, Ctap2, CredentialManagement, PinProtocolV1, PinProtocolV2

from vfido_udp import Fatal, expect, expect_ctap_error, run

PIN = "314159"
CAPACITY = 100  # credstore::MemoryStore::kDefaultCapacity, what `vfido serve` uses

R = CredentialManagement.RESULT
PERM = ClientPin.PERMISSION


def rp_hash(rp_id):
    return hashlib.sha256(rp_id.encode()).digest()


def descriptor(cred_id):
    return {"type": "public-key", "id": cred_id}


class Suite:
    def __init__(self, dev):
        self.dev = dev
        self.ctap = None
        self.creds = {}  # name -> (rp_id, credential id, user entity, CoseKey)

    def ctap2(self):
        self.ctap = Ctap2(self.dev)
        o = self.ctap.info.options
        expect(o.get("credMgmt") is True, "options.credMgmt = %r" % o.get("credMgmt"))
        expect(o.get("credentialMgmtPreview") is True, "options.credentialMgmtPreview = %r" % o.get("credentialMgmtPreview"))
        expect(o.get("pinUvAuthToken") is True, "options.pinUvAuthToken = %r" % o.get("pinUvAuthToken"))
        expect(o.get("clientPin") is False, "options.clientPin = %r (a fresh key has no PIN)" % o.get("clientPin"))
        return "options=%s" % dict(o)

    def make(self, name, rp_id, alg, rk=True):
        user = {"id": ("uid:" + name).encode(), "name": name, "displayName": name.title()}
        att = self.ctap.make_credential(
            hashlib.sha256(name.encode() + os.urandom(8)).digest(), {"id": rp_id, "name": "RP " + rp_id}, user,
            [{"type": "public-key", "alg": alg}], options={"rk": True} if rk else None)
        cd = att.auth_data.credential_data
        self.creds[name] = (rp_id, cd.credential_id, user, cd.public_key)

    def make_credentials(self):
        # Before the PIN: an unprotected key makes discoverable credentials without UV.
        self.make("alice", "example.com", ES256.ALGORITHM)
        self.make("bob", "example.com", EdDSA.ALGORITHM)
        self.make("carol", "other.example", ES256.ALGORITHM)
        self.make("server", "example.com", ES256.ALGORITHM, rk=False)
        return "3 discoverable, 1 server-side"

    def set_pin(self):
        ClientPin(self.ctap).set_pin(PIN)
        info = self.ctap.get_info()
        expect(info.options.get("clientPin") is True, "clientPin still %r" % info.options.get("clientPin"))
        return "PIN set"

    def credman(self, protocol=None, permissions=PERM.CREDENTIAL_MGMT, rp_id=None):
        cp = ClientPin(self.ctap, protocol)
        token = cp.get_pin_token(PIN, permissions, rp_id)
        return CredentialManagement(self.ctap, cp.protocol, token)

    # --- the checks ---------------------------------------------------------------------------
    def metadata(self, protocol):
        cm = self.credman(protocol)
        meta = cm.get_metadata()
        existing, remaining = meta[R.EXISTING_CRED_COUNT], meta[R.MAX_REMAINING_COUNT]
        expect(existing == 3, "existingResidentCredentialsCount %r, want 3" % existing)
        expect(remaining == CAPACITY - 3, "maxPossibleRemaining %r, want %d" % (remaining, CAPACITY - 3))
        return "protocol %d: %d existing, %d remaining" % (cm.pin_uv_protocol.VERSION, existing, remaining)

    def enumerate_rps(self):
        rps = self.credman().enumerate_rps()
        expect(rps[0][R.TOTAL_RPS] == 2, "totalRPs %r, want 2" % rps[0].get(R.TOTAL_RPS))
        expect(len(rps) == 2, "%d RPs" % len(rps))
        seen = {}
        for r in rps:
            rp = r[R.RP]
            expect(r[R.RP_ID_HASH] == rp_hash(rp["id"]), "rpIDHash of %s" % rp["id"])
            expect(rp.get("name") == "RP " + rp["id"], "rp.name %r for %s" % (rp.get("name"), rp["id"]))
            seen[rp["id"]] = rp.get("name")
        expect(set(seen) == {"example.com", "other.example"}, "RPs %r" % sorted(seen))
        return "%s" % seen

    def enumerate_creds(self):
        creds = self.credman().enumerate_creds(rp_hash("example.com"))
        expect(len(creds) == 2, "%d credentials for example.com, want 2 (the server-side one is not listed)" % len(creds))
        expect(creds[0][R.TOTAL_CREDENTIALS] == 2, "totalCredentials %r" % creds[0].get(R.TOTAL_CREDENTIALS))
        by_id = {c[R.CREDENTIAL_ID]["id"]: c for c in creds}
        for name in ("alice", "bob"):
            _, cred_id, user, key = self.creds[name]
            expect(cred_id in by_id, "%s's credential not enumerated" % name)
            c = by_id[cred_id]
            expect(c[R.CREDENTIAL_ID]["type"] == "public-key", "credentialID.type %r" % c[R.CREDENTIAL_ID])
            expect(c[R.USER] == user, "user %r, want %r" % (c[R.USER], user))
            expect(CoseKey.parse(c[R.PUBLIC_KEY]) == key, "%s's public key differs from makeCredential's" % name)
            expect(c[R.CRED_PROTECT] == 1, "credProtect %r" % c.get(R.CRED_PROTECT))
            expect(R.LARGE_BLOB_KEY not in c, "largeBlobKey without the extension")
        # Newest first.
        expect(creds[0][R.CREDENTIAL_ID]["id"] == self.creds["bob"][1], "newest credential not first")
        expect(self.credman().enumerate_creds(rp_hash("nobody.example")) == [], "credentials for an unknown RP")
        return "alice (ES256) and bob (EdDSA), keys equal to makeCredential's"

    def bound_token(self):
        cm = self.credman(rp_id="example.com")
        # A token bound to an RP may enumerate that RP, nothing about the others.
        expect(len(cm.enumerate_creds(rp_hash("example.com"))) == 2, "bound token cannot enumerate its RP")
        expect_ctap_error(CtapError.ERR.PIN_AUTH_INVALID, cm.get_metadata)
        expect_ctap_error(CtapError.ERR.PIN_AUTH_INVALID, cm.enumerate_rps_begin)
        expect_ctap_error(CtapError.ERR.PIN_AUTH_INVALID, lambda: cm.enumerate_creds_begin(rp_hash("other.example")))
        carol = self.creds["carol"][1]
        expect_ctap_error(CtapError.ERR.PIN_AUTH_INVALID, lambda: cm.delete_cred(descriptor(carol)))
        return "own RP enumerated; metadata, RPs, other RP and delete elsewhere -> PIN_AUTH_INVALID"

    def errors(self):
        # A token without cm.
        cm = self.credman(permissions=PERM.GET_ASSERTION, rp_id="example.com")
        expect_ctap_error(CtapError.ERR.PIN_AUTH_INVALID, cm.get_metadata)
        # GetNext without Begin, and after another command.
        cm = self.credman()
        expect_ctap_error(CtapError.ERR.NOT_ALLOWED, cm.enumerate_rps_next)
        cm.enumerate_rps_begin()
        self.ctap.get_info()
        expect_ctap_error(CtapError.ERR.NOT_ALLOWED, cm.enumerate_rps_next)
        cm.enumerate_creds_begin(rp_hash("example.com"))
        expect_ctap_error(CtapError.ERR.NOT_ALLOWED, cm.enumerate_rps_next)  # not the continuation
        expect_ctap_error(CtapError.ERR.NOT_ALLOWED, cm.enumerate_creds_next)
        # No pinUvAuthParam: CTAP2_ERR_PUAT_REQUIRED, named PIN_REQUIRED (0x36) in python-fido2 0.9.1.
        expect_ctap_error(CtapError.ERR.PIN_REQUIRED, lambda: self.ctap.credential_mgmt(
            CredentialManagement.CMD.GET_CREDS_METADATA))
        # A subCommand the key does not know.
        expect_ctap_error(CtapError.ERR.INVALID_SUBCOMMAND, lambda: cm._call(0x20))
        return "PIN_AUTH_INVALID, NOT_ALLOWED, PUAT_REQUIRED, INVALID_SUBCOMMAND"

    def update_user(self):
        cm = self.credman()
        _, cred_id, user, _ = self.creds["alice"]
        cm.update_user_info(descriptor(cred_id), {"id": user["id"], "name": "alice.smith", "displayName": "Alice Smith"})
        creds = {c[R.CREDENTIAL_ID]["id"]: c for c in cm.enumerate_creds(rp_hash("example.com"))}
        got = creds[cred_id][R.USER]
        want = {"id": user["id"], "name": "alice.smith", "displayName": "Alice Smith"}
        expect(got == want, "user %r after the update, want %r" % (got, want))
        bob = self.creds["bob"]
        expect(creds[bob[1]][R.USER] == bob[2], "bob changed too")
        expect_ctap_error(CtapError.ERR.INVALID_PARAMETER, lambda: cm.update_user_info(
            descriptor(cred_id), {"id": b"uid:mallory", "name": "m"}))
        return "name and displayName replaced; another user.id -> INVALID_PARAMETER"

    def delete(self):
        cm = self.credman(PinProtocolV1())
        _, cred_id, _, _ = self.creds["alice"]
        cm.delete_cred(descriptor(cred_id))
        left = [c[R.CREDENTIAL_ID]["id"] for c in cm.enumerate_creds(rp_hash("example.com"))]
        expect(left == [self.creds["bob"][1]], "credentials left: %r" % left)
        expect(cm.get_metadata()[R.EXISTING_CRED_COUNT] == 2, "metadata still counts the deleted credential")
        expect_ctap_error(CtapError.ERR.NO_CREDENTIALS, lambda: cm.delete_cred(descriptor(cred_id)))
        server = self.creds["server"][1]
        expect_ctap_error(CtapError.ERR.NO_CREDENTIALS, lambda: cm.delete_cred(descriptor(server)))
        # It no longer signs; the server-side credential of the same RP still does.
        cdh = hashlib.sha256(b"after delete").digest()
        expect_ctap_error(CtapError.ERR.NO_CREDENTIALS, lambda: self.ctap.get_assertion(
            "example.com", cdh, allow_list=[descriptor(cred_id)]))
        resp = self.ctap.get_assertion("example.com", cdh, allow_list=[descriptor(server)])
        self.creds["server"][3].verify(resp.auth_data + cdh, resp.signature)
        # That getAssertion tested user presence, which ends every pinUvAuthToken's permissions
        # but lbw (CTAP 2.1 §6.2.2): the old token no longer manages credentials.
        expect_ctap_error(CtapError.ERR.PIN_AUTH_INVALID, cm.get_metadata)
        cm = self.credman(PinProtocolV1())
        # Deleting the last credential of an RP drops the RP from the enumeration.
        cm.delete_cred(descriptor(self.creds["carol"][1]))
        rps = [r[R.RP]["id"] for r in cm.enumerate_rps()]
        expect(rps == ["example.com"], "RPs after deleting carol: %r" % rps)
        return "deleted with protocol 1; gone from enumeration, metadata and getAssertion"


def checks(results, key):
    s = Suite(key.dev)
    if not results.check("getInfo: credMgmt, credentialMgmtPreview, pinUvAuthToken", s.ctap2):
        raise Fatal("no Ctap2 session")
    if not results.check("makeCredential: discoverable and server-side credentials", s.make_credentials):
        raise Fatal("no credentials to manage")
    if not results.check("ClientPin: setPIN", s.set_pin):
        raise Fatal("no PIN")
    results.check("getCredsMetadata (PIN/UV auth protocol 2)", lambda: s.metadata(PinProtocolV2()))
    results.check("getCredsMetadata (PIN/UV auth protocol 1)", lambda: s.metadata(PinProtocolV1()))
    results.check("enumerateRPs: ids, hashes, names", s.enumerate_rps)
    results.check("enumerateCredentials: user, id, public key, credProtect", s.enumerate_creds)
    results.check("a token bound to an RP", s.bound_token)
    results.check("errors", s.errors)
    results.check("updateUserInformation", s.update_user)
    results.check("deleteCredential", s.delete)


if __name__ == "__main__":
    sys.exit(run(sys.argv, "python-fido2 credman", checks))
