#!/usr/bin/python3
"""Basic ("packed" with x5c) attestation as a relying party checks it, against `vfido serve --udp`.

Usage: /usr/bin/python3 tests/python/test_packed_attestation.py <path to vfido>

`vfido metadata export --profile yubikey-like` writes the model's metadata statement first: its
attestationRootCertificates hold the root of the CA vfido keeps for that profile. Then the key
runs (twice: as the profile, and with --aaguid) and python-fido2 0.9.1 makes credentials: its
PackedAttestation verifier checks the signature with x5c[0], and python3-cryptography checks that
x5c chains to the exported root and that the attestation certificate names the authenticator
data's AAGUID (WebAuthn L3 §8.2.1), and libfido2's `fido2-cred -V` verifies the statement.
Command-line errors of `vfido metadata export` are checked too.

Prints one line per check and "<name>: N passed, M failed" per run; exits 1 on any failure.
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor
from fido2.attestation import AttestationType, PackedAttestation
from fido2.ctap2 import Ctap2

from vfido_udp import expect, run

PROFILE = "yubikey-like"
OTHER_AAGUID = "00112233-4455-6677-8899-aabbccddeeff"
FIDO_GEN_CE_AAGUID = x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4")


def export(binary, *args):
    return subprocess.run([binary, "metadata", "export", *args], capture_output=True, text=True, timeout=30)


def issued_by(cert, issuer):
    issuer.public_key().verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    expect(cert.issuer == issuer.subject, "issuer name %s != %s" % (cert.issuer, issuer.subject))


def make_checks(root, want_aaguid):
    def checks(results, key):
        ctap = Ctap2(key.dev)
        state = {}

        def info():
            expect(str(uuid.UUID(bytes=bytes(ctap.info.aaguid))) == want_aaguid,
                   "getInfo aaguid %s" % uuid.UUID(bytes=bytes(ctap.info.aaguid)))
            return "aaguid %s" % want_aaguid

        results.check("getInfo names the AAGUID", info)

        def register():
            cdh = hashlib.sha256(os.urandom(16)).digest()
            att = ctap.make_credential(cdh, {"id": "attest.example", "name": "A"},
                                       {"id": b"u1", "name": "u", "displayName": "U"},
                                       [{"type": "public-key", "alg": -7}])
            expect(att.fmt == "packed", "fmt %r" % att.fmt)
            x5c = att.att_statement.get("x5c")
            expect(x5c and len(x5c) == 2, "x5c has %r certificates, want 2 (leaf, intermediate)" % (x5c and len(x5c)))
            result = PackedAttestation().verify(att.att_statement, att.auth_data, cdh)
            expect(result.attestation_type == AttestationType.BASIC, "type %r" % result.attestation_type)
            leaf, inter = (x509.load_der_x509_certificate(bytes(c)) for c in x5c)
            issued_by(leaf, inter)
            issued_by(inter, root)
            ext = leaf.extensions.get_extension_for_oid(FIDO_GEN_CE_AAGUID).value.value
            # The extension's value is an OCTET STRING holding the 16 bytes (04 10 ...).
            expect(ext[:2] == b"\x04\x10" and ext[2:] == bytes(att.auth_data.credential_data.aaguid),
                   "certificate AAGUID %s vs authData %s" % (ext.hex(), bytes(att.auth_data.credential_data.aaguid).hex()))
            expect(str(uuid.UUID(bytes=ext[2:])) == want_aaguid, "certificate AAGUID %s" % ext[2:].hex())
            # A tampered signature is refused by the same verifier.
            bad = dict(att.att_statement)
            sig = bytearray(bad["sig"])
            sig[-1] ^= 1
            bad["sig"] = bytes(sig)
            try:
                PackedAttestation().verify(bad, att.auth_data, cdh)
                raise AssertionError("a flipped signature bit verified")
            except AssertionError:
                raise
            except Exception:
                pass
            state["att"], state["cdh"] = att, cdh
            return "leaf %s <- %s <- exported root" % (leaf.subject.rfc4514_string(), inter.subject.rfc4514_string())

        results.check("packed x5c verifies and chains to the exported root", register)

        def fido2_cred_verify():
            # libfido2's own command-line verifier (fido2-cred -V): its input is the base64 lines
            # `fido2-cred -M` prints; authenticator data as the CBOR byte string libfido2 keeps.
            att, cdh = state["att"], state["cdh"]
            b64 = lambda b: base64.b64encode(bytes(b)).decode()
            lines = [b64(cdh), "attest.example", att.fmt, b64(cbor.encode(bytes(att.auth_data))),
                     b64(att.auth_data.credential_data.credential_id), b64(att.att_statement["sig"]),
                     b64(att.att_statement["x5c"][0])]
            ok = subprocess.run(["fido2-cred", "-V", "es256"], input="\n".join(lines) + "\n",
                                capture_output=True, text=True, timeout=30)
            expect(ok.returncode == 0 and "BEGIN PUBLIC KEY" in ok.stdout,
                   "fido2-cred -V exit %d: %s" % (ok.returncode, ok.stderr.strip()))
            sig = bytearray(att.att_statement["sig"])
            sig[-1] ^= 1
            lines[5] = b64(sig)
            bad = subprocess.run(["fido2-cred", "-V", "es256"], input="\n".join(lines) + "\n",
                                 capture_output=True, text=True, timeout=30)
            expect(bad.returncode != 0, "fido2-cred -V accepted a flipped signature bit")
            return "exit 0; a flipped signature bit: exit %d" % bad.returncode

        results.check("fido2-cred -V verifies the packed statement", fido2_cred_verify)

    return checks


def main(argv):
    if len(argv) != 2:
        print("usage: %s <path to vfido>" % argv[0])
        return 2
    binary = argv[1]
    failed = 0
    with tempfile.TemporaryDirectory() as data:
        os.environ["XDG_DATA_HOME"] = data  # the CA lives under $XDG_DATA_HOME/vfido/attestation

        first = export(binary, "--profile", PROFILE)
        out = os.path.join(data, "statement.json")
        second = export(binary, "--profile", PROFILE, "--out", out)
        bad = export(binary, "--profile", "no-such-profile")
        bad_att = export(binary, "--profile", PROFILE, "--attestation", "basic")
        checks = [
            (first.returncode == 0, "export exit %d: %s" % (first.returncode, first.stderr.strip())),
            (second.returncode == 0 and os.path.exists(out), "export --out exit %d" % second.returncode),
            (bad.returncode == 2 and "no-such-profile" in bad.stderr, "unknown profile: exit %d, %r" % (bad.returncode, bad.stderr)),
            (bad_att.returncode != 0 and "--attestation" in bad_att.stderr, "bad --attestation: %r" % bad_att.stderr),
        ]
        for ok, what in checks:
            print(("ok   " if ok else "FAIL ") + "metadata export: " + what)
            failed += 0 if ok else 1
        if first.returncode != 0:
            return 1
        statement = json.loads(first.stdout)
        with open(out) as f:
            again = json.load(f)
        roots = statement.get("attestationRootCertificates", [])
        same = roots == again.get("attestationRootCertificates") and len(roots) == 1
        print(("ok   " if same else "FAIL ") + "metadata export: one root, the same on every export")
        failed += 0 if same else 1
        root = x509.load_der_x509_certificate(base64.b64decode(roots[0]))
        root.public_key().verify(root.signature, root.tbs_certificate_bytes, ec.ECDSA(root.signature_hash_algorithm))
        aaguid = statement["aaguid"]
        ok = statement.get("attestationTypes") == ["basic_full"] and statement["authenticatorGetInfo"]["aaguid"] == aaguid.replace("-", "")
        print(("ok   " if ok else "FAIL ") + "metadata export: aaguid %s, attestationTypes %s" % (aaguid, statement.get("attestationTypes")))
        failed += 0 if ok else 1

        rc = run(argv, "packed attestation (%s)" % PROFILE, make_checks(root, aaguid), ["--profile", PROFILE])
        rc2 = run(argv, "packed attestation (%s --aaguid)" % PROFILE, make_checks(root, OTHER_AAGUID),
                  ["--profile", PROFILE, "--aaguid", OTHER_AAGUID])
    return 1 if failed or rc or rc2 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
