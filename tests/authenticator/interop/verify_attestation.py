#!/usr/bin/python3
"""vfido's attestation statements and RS256 signatures verified by python3-cryptography and by
python-fido2 0.9.1's own verifiers (Debian packages; run with /usr/bin/python3).

Usage: /usr/bin/python3 verify_attestation.py <path to attestation_fixture>

The fixture writes packed (x5c, ES256 and RS256 attestation keys), enterprise packed, fido-u2f
and packed self (RS256 credential) statements with their authenticatorData and clientDataHash,
the CA certificates, and an RS256 COSE key with a signature. Each statement is checked twice:
step by step with python3-cryptography (WebAuthn §8.2, §8.2.1, §8.6 and the certificate chain
up to root.pem), and with python-fido2's PackedAttestation / FidoU2FAttestation and
verify_x509_chain. A flipped bit must fail both. Prints one line per check and ends with
"python-cryptography: N passed, M failed"; exits 1 on any failure.
"""

import json
import os
import subprocess
import sys
import tempfile

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtensionOID, NameOID
from fido2 import cbor
from fido2.attestation import (
    AttestationType,
    FidoU2FAttestation,
    InvalidSignature,
    PackedAttestation,
    verify_x509_chain,
)
from fido2.cose import RS256, CoseKey
from fido2.ctap2 import AuthenticatorData

OID_AAGUID = x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.4")
OID_FW_VERSION = x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.5")
OID_SERNUM = x509.ObjectIdentifier("1.3.6.1.4.1.45724.1.1.2")

results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + str(detail)))


def raises(fn, *exceptions):
    try:
        fn()
    except exceptions:
        return True
    return False


def verify_with(public_key, signature, data, alg):
    """cryptography's verification for a COSE algorithm: ES256 (-7) or RS256 (-257)."""
    if alg == -7:
        assert isinstance(public_key, ec.EllipticCurvePublicKey)
        public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
    elif alg == -257:
        assert isinstance(public_key, rsa.RSAPublicKey)
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise ValueError("unexpected alg %r" % alg)


def issued_by(child, parent):
    """The child's signature verifies with the parent's key, and the names chain."""
    key = parent.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key.verify(child.signature, child.tbs_certificate_bytes, padding.PKCS1v15(), child.signature_hash_algorithm)
    else:
        key.verify(child.signature, child.tbs_certificate_bytes, ec.ECDSA(child.signature_hash_algorithm))
    return child.issuer == parent.subject


def flip(data, index):
    b = bytearray(data)
    b[index] ^= 0x01
    return bytes(b)


def der_integer(value):
    body = value.to_bytes((value.bit_length() + 8) // 8, "big")
    return bytes([0x02, len(body)]) + body


def check_attestation_certificate(name, cert, meta, enterprise):
    """WebAuthn §8.2.1 (and §8.2.2 for enterprise) as seen by python3-cryptography."""
    check(name + ": X.509 v3", cert.version == x509.Version.v3)
    subject = cert.subject

    def one(oid):
        attrs = subject.get_attributes_for_oid(oid)
        return attrs[0] if len(attrs) == 1 else None

    c, o, ou, cn = (one(NameOID.COUNTRY_NAME), one(NameOID.ORGANIZATION_NAME),
                    one(NameOID.ORGANIZATIONAL_UNIT_NAME), one(NameOID.COMMON_NAME))
    check(name + ": subject C, O, OU, CN each once", None not in (c, o, ou, cn), subject)
    if None not in (c, o, ou, cn):
        check(name + ": OU is 'Authenticator Attestation'", ou.value == "Authenticator Attestation")
        check(name + ": C is a two-letter PrintableString", c._type.name == "PrintableString" and len(c.value) == 2,
              c._type)
        check(name + ": O, OU, CN are UTF8Strings", all(a._type.name == "UTF8String" for a in (o, ou, cn)))
    bc = cert.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS)
    check(name + ": basicConstraints CA false, critical", bc.value.ca is False and bc.critical)
    ku = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE)
    check(name + ": keyUsage digitalSignature only", ku.value.digital_signature and not ku.value.key_cert_sign)
    aaguid = cert.extensions.get_extension_for_oid(OID_AAGUID)
    check(name + ": AAGUID extension = 04 10 <aaguid>, not critical",
          not aaguid.critical and aaguid.value.value == b"\x04\x10" + bytes.fromhex(meta["aaguid"]))
    fw = cert.extensions.get_extension_for_oid(OID_FW_VERSION)
    check(name + ": fw-version extension = INTEGER, not critical",
          not fw.critical and fw.value.value == der_integer(meta["firmware_version"]), fw.value.value.hex())
    has_sernum = any(e.oid == OID_SERNUM for e in cert.extensions)
    if enterprise:
        serial = bytes.fromhex(meta["enterprise_serial"])
        sernum = cert.extensions.get_extension_for_oid(OID_SERNUM)
        check(name + ": sernum = OCTET STRING <serial>, not critical",
              not sernum.critical and sernum.value.value == bytes([0x04, len(serial)]) + serial)
    else:
        check(name + ": no sernum outside enterprise attestation", not has_sernum)
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    check(name + ": subjectKeyIdentifier is SHA-1 of the public key (RFC 5280 4.2.1.2 (1))",
          ski.digest == x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest)


def decoded(st):
    """name, attStmt, authData bytes, clientDataHash and the parsed AuthenticatorData."""
    auth_data = bytes.fromhex(st["auth_data"])
    return (st["name"], cbor.decode(bytes.fromhex(st["att_stmt"])), auth_data, bytes.fromhex(st["client_data_hash"]),
            AuthenticatorData(auth_data))


def check_packed_x5c(st, meta, root, now):
    name, stmt, auth_data, cdh, ad = decoded(st)
    check(name + ": attStmt keys are alg, sig, x5c", sorted(stmt.keys()) == ["alg", "sig", "x5c"])
    certs = [x509.load_der_x509_certificate(der) for der in stmt["x5c"]]
    leaf = certs[0]
    check(name + ": x5c is [attestation certificate, intermediate], no root",
          len(certs) == 2 and all(c.subject != c.issuer for c in certs))
    check_attestation_certificate(name, leaf, meta, enterprise="enterprise" in name)
    check(name + ": AAGUID extension matches authData", leaf.extensions.get_extension_for_oid(OID_AAGUID).value.value[2:]
          == ad.credential_data.aaguid)
    try:
        verify_with(leaf.public_key(), stmt["sig"], auth_data + cdh, stmt["alg"])
        check(name + ": sig verifies over authData || clientDataHash (cryptography)", True)
    except (CryptoInvalidSignature, AssertionError, ValueError) as e:
        check(name + ": sig verifies over authData || clientDataHash (cryptography)", False, repr(e))
    check(name + ": flipped authData bit fails (cryptography)",
          raises(lambda: verify_with(leaf.public_key(), stmt["sig"], flip(auth_data, 0) + cdh, stmt["alg"]),
                 CryptoInvalidSignature))
    try:
        chain_ok = issued_by(leaf, certs[1]) and issued_by(certs[1], root) and issued_by(root, root)
    except CryptoInvalidSignature:
        chain_ok = False
    check(name + ": chain leaf -> intermediate -> root.pem (cryptography)", chain_ok)
    check(name + ": every certificate valid at the fixture's time",
          all(c.not_valid_before.timestamp() <= now <= c.not_valid_after.timestamp() for c in certs + [root]))

    result = PackedAttestation().verify(stmt, ad, cdh)
    check(name + ": python-fido2 PackedAttestation -> BASIC", result.attestation_type == AttestationType.BASIC)
    check(name + ": python-fido2 verify_x509_chain to root.pem",
          raises(lambda: verify_x509_chain(list(stmt["x5c"]) + [root.public_bytes(Encoding.DER)]),
                 InvalidSignature) is False)
    check(name + ": python-fido2 rejects a flipped clientDataHash bit",
          raises(lambda: PackedAttestation().verify(stmt, ad, flip(cdh, 5)), InvalidSignature))
    check(name + ": python-fido2 rejects a flipped authData bit",
          raises(lambda: PackedAttestation().verify(stmt, AuthenticatorData(flip(auth_data, 3)), cdh), InvalidSignature))


def check_fido_u2f(st):
    name, stmt, auth_data, cdh, ad = decoded(st)
    check(name + ": attStmt keys are sig, x5c with one certificate",
          sorted(stmt.keys()) == ["sig", "x5c"] and len(stmt["x5c"]) == 1)
    cert = x509.load_der_x509_certificate(stmt["x5c"][0])
    key = cert.public_key()
    check(name + ": attestation key is P-256 (WebAuthn 8.6)",
          isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1")
    cose = ad.credential_data.public_key
    point = b"\x04" + cose[-2] + cose[-3]
    data = b"\x00" + ad.rp_id_hash + cdh + ad.credential_data.credential_id + point
    try:
        key.verify(stmt["sig"], data, ec.ECDSA(hashes.SHA256()))
        check(name + ": sig over 0x00 || rpIdHash || cdh || credentialId || 04||x||y (cryptography)", True)
    except CryptoInvalidSignature:
        check(name + ": sig over 0x00 || rpIdHash || cdh || credentialId || 04||x||y (cryptography)", False)
    result = FidoU2FAttestation().verify(stmt, ad, cdh)
    check(name + ": python-fido2 FidoU2FAttestation -> BASIC", result.attestation_type == AttestationType.BASIC)
    check(name + ": python-fido2 rejects a flipped clientDataHash bit",
          raises(lambda: FidoU2FAttestation().verify(stmt, ad, flip(cdh, 0)), InvalidSignature))


def check_self_rs256(st):
    name, stmt, auth_data, cdh, ad = decoded(st)
    check(name + ": alg -257, no x5c", stmt.get("alg") == -257 and "x5c" not in stmt)
    result = PackedAttestation().verify(stmt, ad, cdh)
    check(name + ": python-fido2 PackedAttestation -> SELF", result.attestation_type == AttestationType.SELF)
    check(name + ": python-fido2 rejects a flipped authData bit",
          raises(lambda: PackedAttestation().verify(stmt, AuthenticatorData(flip(auth_data, 1)), cdh), InvalidSignature))


def check_rs256(meta):
    rs = meta["rs256"]
    cose = cbor.decode(bytes.fromhex(rs["cose_key"]))
    msg = bytes.fromhex(rs["message"])
    sig = bytes.fromhex(rs["signature"])
    check("rs256: COSE_Key is {1: 3, 3: -257, -1: n, -2: e} (RFC 8230)",
          sorted(cose.keys()) == [-2, -1, 1, 3] and cose[1] == 3 and cose[3] == -257)
    n = int.from_bytes(cose[-1], "big")
    e = int.from_bytes(cose[-2], "big")
    check("rs256: n is 2048 bits, minimal; e = 65537",
          n.bit_length() == 2048 and len(cose[-1]) == 256 and cose[-2] == b"\x01\x00\x01")
    key = rsa.RSAPublicNumbers(e, n).public_key()
    try:
        key.verify(sig, msg, padding.PKCS1v15(), hashes.SHA256())
        check("rs256: signature verifies (cryptography, PKCS#1 v1.5 SHA-256)", True)
    except CryptoInvalidSignature:
        check("rs256: signature verifies (cryptography, PKCS#1 v1.5 SHA-256)", False)
    check("rs256: flipped signature bit fails (cryptography)",
          raises(lambda: key.verify(flip(sig, 100), msg, padding.PKCS1v15(), hashes.SHA256()), CryptoInvalidSignature))
    check("rs256: flipped message bit fails (cryptography)",
          raises(lambda: key.verify(sig, flip(msg, 0), padding.PKCS1v15(), hashes.SHA256()), CryptoInvalidSignature))
    cose_key = CoseKey.parse(cose)
    check("rs256: python-fido2 parses it as RS256", isinstance(cose_key, RS256))
    check("rs256: python-fido2 verifies", not raises(lambda: cose_key.verify(msg, sig), CryptoInvalidSignature))


def main():
    fixture = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="vfido-attestation-") as d:
        subprocess.run([fixture, d], check=True, timeout=120)
        with open(os.path.join(d, "attestation.json")) as f:
            meta = json.load(f)
        with open(os.path.join(d, "root.pem"), "rb") as f:
            root = x509.load_pem_x509_certificate(f.read())
        now = meta["now"]
        bc = root.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS)
        check("root: CA true, critical, self-signed", bc.value.ca and bc.critical and issued_by(root, root))
        names = []
        for st in meta["statements"]:
            names.append(st["name"])
            if st["name"].startswith("packed-self"):
                check_self_rs256(st)
            elif st["fmt"] == "packed":
                check_packed_x5c(st, meta, root, now)
            elif st["fmt"] == "fido-u2f":
                check_fido_u2f(st)
            else:
                check("unexpected statement " + st["name"], False)
        check("all statement kinds present",
              names == ["packed", "packed-enterprise", "packed-rs256", "fido-u2f", "packed-self-rs256"], names)
        check_rs256(meta)

    passed = sum(results)
    failed = len(results) - passed
    print("python-cryptography: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
