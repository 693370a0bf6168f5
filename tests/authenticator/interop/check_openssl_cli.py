#!/usr/bin/python3
"""vfido's certificates read and verified by the openssl CLI (Debian's `openssl` package).

Usage: /usr/bin/python3 check_openssl_cli.py <path to attestation_fixture>

The fixture writes a root CA, an intermediate CA and attestation certificates into a temporary
directory; this script asks `openssl x509 -text` what they contain and `openssl verify
-x509_strict` whether the chain holds, and that a wrong anchor, an expired certificate and a
tampered certificate do not. Prints one line per check and ends with "openssl: N passed, M
failed"; exits 1 on any failure.
"""

import base64
import json
import os
import re
import subprocess
import sys
import tempfile

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + detail))


def openssl(*args):
    p = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def text_of(path):
    rc, out = openssl("x509", "-in", path, "-noout", "-text", "-nameopt", "RFC2253,show_type")
    if rc != 0:
        raise RuntimeError("openssl x509 failed on %s: %s" % (path, out))
    return out


def verify(d, now, leaf, anchor="root.pem", untrusted="intermediate.pem"):
    args = ["verify", "-x509_strict", "-attime", str(now), "-CAfile", os.path.join(d, anchor)]
    if untrusted:
        args += ["-untrusted", os.path.join(d, untrusted)]
    return openssl(*args, leaf)


def tampered_copy(d, name):
    """The certificate with one bit of its signature (the last DER byte) inverted."""
    with open(os.path.join(d, name)) as f:
        pem = f.read()
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    der = bytearray(base64.b64decode(body))
    der[-1] ^= 0x01
    out = os.path.join(d, "tampered_" + name)
    b64 = base64.b64encode(bytes(der)).decode()
    with open(out, "w") as f:
        f.write("-----BEGIN CERTIFICATE-----\n")
        f.write("\n".join(b64[i:i + 64] for i in range(0, len(b64), 64)))
        f.write("\n-----END CERTIFICATE-----\n")
    return out


def main():
    fixture = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="vfido-x509-") as d:
        subprocess.run([fixture, d], check=True, timeout=120)
        with open(os.path.join(d, "attestation.json")) as f:
            meta = json.load(f)
        now = meta["now"]
        aaguid = bytes.fromhex(meta["aaguid"])
        p = lambda name: os.path.join(d, name)

        leaf = text_of(p("leaf.pem"))
        check("leaf: X.509 v3", "Version: 3 (0x2)" in leaf)
        check("leaf: subject C is a PrintableString, O/OU/CN UTF8Strings (WebAuthn 8.2.1)",
              "CN=UTF8STRING:vfido test key attestation,OU=UTF8STRING:Authenticator Attestation,"
              "O=UTF8STRING:vfido test vendor,C=PRINTABLESTRING:US" in leaf, leaf)
        check("leaf: basicConstraints critical, CA:FALSE",
              re.search(r"Basic Constraints: critical\s+CA:FALSE", leaf) is not None)
        check("leaf: keyUsage critical, Digital Signature",
              re.search(r"Key Usage: critical\s+Digital Signature\s", leaf) is not None)
        check("leaf: subject and authority key identifiers",
              "Subject Key Identifier" in leaf and "Authority Key Identifier" in leaf)
        check("leaf: signed with ecdsa-with-SHA256 by the intermediate",
              "Signature Algorithm: ecdsa-with-SHA256" in leaf and "Issuer: CN=UTF8STRING:vfido test attestation CA 1" in leaf)
        check("leaf: id-fido-gen-ce-aaguid present and not critical",
              re.search(r"1\.3\.6\.1\.4\.1\.45724\.1\.1\.4:\s*\n", leaf) is not None)
        check("leaf: id-fido-gen-ce-fw-version present", "1.3.6.1.4.1.45724.1.1.5:" in leaf)
        check("leaf: no id-fido-gen-ce-sernum outside enterprise attestation", "1.3.6.1.4.1.45724.1.1.2" not in leaf)

        # The AAGUID extension's DER, found by asn1parse: OID, then OCTET STRING { OCTET STRING (16) }.
        rc, parsed = openssl("asn1parse", "-in", p("leaf.pem"))
        m = re.search(r"OBJECT\s+:1\.3\.6\.1\.4\.1\.45724\.1\.1\.4\n.*?OCTET STRING\s+\[HEX DUMP\]:([0-9A-F]+)", parsed)
        check("leaf: AAGUID extension value is 04 10 <aaguid>",
              rc == 0 and m is not None and bytes.fromhex(m.group(1)) == b"\x04\x10" + aaguid,
              m.group(1) if m else parsed[-400:])

        root = text_of(p("root.pem"))
        check("root: self-signed CA, basicConstraints critical CA:TRUE",
              re.search(r"Basic Constraints: critical\s+CA:TRUE\s", root) is not None)
        check("root: keyUsage critical, Certificate Sign, CRL Sign",
              re.search(r"Key Usage: critical\s+Certificate Sign, CRL Sign", root) is not None)
        inter = text_of(p("intermediate.pem"))
        check("intermediate: CA:TRUE, pathlen:0", re.search(r"CA:TRUE, pathlen:0", inter) is not None)

        enterprise = text_of(p("enterprise_leaf.pem"))
        check("enterprise leaf: id-fido-gen-ce-sernum present", "1.3.6.1.4.1.45724.1.1.2:" in enterprise)
        rc, parsed = openssl("asn1parse", "-in", p("enterprise_leaf.pem"))
        m = re.search(r"OBJECT\s+:1\.3\.6\.1\.4\.1\.45724\.1\.1\.2\n.*?OCTET STRING\s+\[HEX DUMP\]:([0-9A-F]+)", parsed)
        serial = bytes.fromhex(meta["enterprise_serial"])
        check("enterprise leaf: sernum is OCTET STRING <serial>",
              m is not None and bytes.fromhex(m.group(1)) == bytes([0x04, len(serial)]) + serial)
        rc, parsed = openssl("asn1parse", "-in", p("u2f_leaf.pem"))
        m = re.search(r"OBJECT\s+:1\.3\.6\.1\.4\.1\.45724\.2\.1\.1\n.*?OCTET STRING\s+\[HEX DUMP\]:([0-9A-F]+)", parsed)
        check("u2f leaf: transports BIT STRING uSB|nFC = 03 02 04 30", m is not None and m.group(1) == "03020430")

        rc, out = verify(d, now, p("leaf.pem"))
        check("verify -x509_strict: leaf -> intermediate -> root", rc == 0 and ": OK" in out, out)
        rc, out = verify(d, now, p("enterprise_leaf.pem"))
        check("verify -x509_strict: enterprise leaf", rc == 0 and ": OK" in out, out)
        rc, out = verify(d, now, p("intermediate.pem"), untrusted=None)
        check("verify -x509_strict: intermediate -> root", rc == 0 and ": OK" in out, out)
        rc, out = verify(d, now, p("leaf.pem"), anchor="other_root.pem")
        check("verify: another vendor's root fails", rc != 0 and "unable to get local issuer certificate" in out, out)
        rc, out = verify(d, now, p("leaf.pem"), untrusted=None)
        check("verify: without the intermediate fails", rc != 0, out)
        rc, out = verify(d, now, p("expired_leaf.pem"))
        check("verify: expired leaf fails", rc != 0 and "certificate has expired" in out, out)
        rc, out = verify(d, now - 2 * 86400, p("leaf.pem"))
        check("verify: before notBefore fails", rc != 0 and "not yet valid" in out, out)
        rc, out = verify(d, now, tampered_copy(d, "leaf.pem"))
        check("verify: tampered leaf signature fails", rc != 0 and "signature failure" in out, out)
        rc, out = verify(d, now, p("leaf.pem"), untrusted=os.path.basename(tampered_copy(d, "intermediate.pem")))
        check("verify: tampered intermediate fails", rc != 0, out)

    passed = sum(results)
    failed = len(results) - passed
    print("openssl: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
