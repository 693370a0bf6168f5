// X.509 certificates: what the builder writes is read back field by field (RFC 5280, WebAuthn
// §8.2.1/§8.2.2), DER and PEM round trips, builder input checks, PEM private keys.
#include "authenticator/crypto/x509.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <string>

#include "authenticator/crypto/keys.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/rng.h"
#include "tests/authenticator/crypto/crypto_test_util.h"
#include "tests/authenticator/crypto/rsa_test_vector.h"
#include "tests/authenticator/crypto/test_pki.h"

namespace vfido::crypto {
namespace {

using test::flip_bit;
using test::kDay;
using test::kTestAaguid;
using test::kTestNow;
using test::make_test_pki;
using test::must;
using test::unhex;

const Extension* find_extension(const std::vector<Extension>& exts, std::string_view oid) {
  auto it = std::find_if(exts.begin(), exts.end(), [&](const Extension& e) { return e.oid == oid; });
  return it == exts.end() ? nullptr : &*it;
}

std::string aaguid_hex() { return to_hex(kTestAaguid); }

// A PEM text made by OpenSSL directly (keys of types and forms our own code never writes).
std::string openssl_pem(EVP_PKEY* pkey, const EVP_CIPHER* cipher = nullptr, const char* pass = nullptr) {
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(bio != nullptr);
  REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio, pkey, cipher, const_cast<char*>(pass),
                                        pass == nullptr ? 0 : static_cast<int>(std::string_view(pass).size()),
                                        nullptr, nullptr) == 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  return out;
}

}  // namespace

TEST_CASE("x509: a root CA reads back as a self-signed v3 CA") {
  auto pki = make_test_pki();
  const Certificate& root = pki.root;
  CHECK(root.version() == 3);
  CHECK(root.subject() == test::test_root_name());
  CHECK(root.issuer() == root.subject());
  CHECK(root.subject_text() == "CN=vfido test root CA,O=vfido test,C=US");
  CHECK(root.not_before() == kTestNow - kDay);
  CHECK(root.not_after() == kTestNow - kDay + 3650 * kDay);
  CHECK(root.signature_algorithm() == "ecdsa-with-SHA256");
  // RFC 5280 §4.1.2.2: 16 random octets, positive, the top two bits 01.
  Bytes serial = root.serial();
  CHECK(serial.size() == 16);
  CHECK((serial[0] & 0xC0) == 0x40);

  auto bc = root.basic_constraints();
  REQUIRE(bc.has_value());
  CHECK(bc->ca);
  CHECK(bc->critical);
  CHECK_FALSE(bc->path_len.has_value());
  CHECK(root.key_usage() == (key_usage::kKeyCertSign | key_usage::kCrlSign));
  auto ski = root.subject_key_id();
  REQUIRE(ski.has_value());
  CHECK(ski->size() == 20);  // SHA-1, RFC 5280 §4.2.1.2 method 1
  CHECK(root.authority_key_id() == ski);

  CHECK(root.certifies(pki.root_key));
  CHECK_FALSE(root.certifies(pki.leaf_key));
  CHECK(root.is_issued_by(root));
  CHECK(must(root.fido_extensions()) == FidoExtensions{});
  // The key usage BIT STRING as our DER writer made it: keyCertSign(5), cRLSign(6) -> 03 02 01 06.
  auto exts = root.extensions();
  const Extension* ku = find_extension(exts, "2.5.29.15");
  REQUIRE(ku != nullptr);
  CHECK(ku->critical);
  CHECK(to_hex(ku->value) == "03020106");
}

TEST_CASE("x509: an intermediate CA has pathLenConstraint 0 and points at the root") {
  auto pki = make_test_pki();
  const Certificate& ca = pki.intermediate;
  CHECK(ca.subject() == test::test_intermediate_name());
  CHECK(ca.issuer() == pki.root.subject());
  auto bc = ca.basic_constraints();
  REQUIRE(bc.has_value());
  CHECK(bc->ca);
  CHECK(bc->critical);
  CHECK(bc->path_len == std::optional<std::uint64_t>(0));
  CHECK(ca.authority_key_id() == pki.root.subject_key_id());
  CHECK(ca.subject_key_id() != pki.root.subject_key_id());
  CHECK(ca.is_issued_by(pki.root));
  CHECK_FALSE(ca.is_issued_by(ca));
  CHECK_FALSE(pki.root.is_issued_by(ca));
}

TEST_CASE("x509: an attestation certificate meets WebAuthn §8.2.1") {
  auto pki = make_test_pki();
  const Certificate& leaf = pki.leaf;
  CHECK(leaf.version() == 3);
  CHECK(leaf.subject() == DistinguishedName{"US", "vfido test", "Authenticator Attestation", "vfido test attestation"});
  CHECK(leaf.issuer() == pki.intermediate.subject());
  auto bc = leaf.basic_constraints();
  REQUIRE(bc.has_value());
  CHECK_FALSE(bc->ca);
  CHECK(bc->critical);
  CHECK(leaf.key_usage() == key_usage::kDigitalSignature);
  CHECK(leaf.authority_key_id() == pki.intermediate.subject_key_id());
  CHECK(leaf.is_issued_by(pki.intermediate));
  CHECK(leaf.certifies(pki.leaf_key));

  FidoExtensions fido = must(leaf.fido_extensions());
  CHECK(fido.aaguid == kTestAaguid);
  CHECK(fido.firmware_version == std::optional<std::uint64_t>(0x000100));
  CHECK_FALSE(fido.serial_number.has_value());  // §8.2.2: only in enterprise attestation
  CHECK_FALSE(fido.u2f_transports.has_value());

  auto exts = leaf.extensions();
  // §8.2.1: the AAGUID is an OCTET STRING inside the extension's OCTET STRING, not critical.
  const Extension* aaguid = find_extension(exts, "1.3.6.1.4.1.45724.1.1.4");
  REQUIRE(aaguid != nullptr);
  CHECK_FALSE(aaguid->critical);
  CHECK(to_hex(aaguid->value) == "0410" + aaguid_hex());
  const Extension* fw = find_extension(exts, "1.3.6.1.4.1.45724.1.1.5");
  REQUIRE(fw != nullptr);
  CHECK_FALSE(fw->critical);
  CHECK(to_hex(fw->value) == "02020100");  // INTEGER 256
  // cA FALSE is the DER default, so basicConstraints is the empty SEQUENCE.
  const Extension* basic = find_extension(exts, "2.5.29.19");
  REQUIRE(basic != nullptr);
  CHECK(to_hex(basic->value) == "3000");
  CHECK(find_extension(exts, "1.3.6.1.4.1.45724.1.1.2") == nullptr);
}

TEST_CASE("x509: the attestation certificate's public key is the leaf key, as COSE") {
  auto pki = make_test_pki();
  cbor::Value cose_key = must(pki.leaf.public_key_cose());
  CHECK(cose_key == pki.leaf_key.public_cose());
  Bytes msg = to_bytes("authData || clientDataHash");
  Bytes sig = must(pki.leaf_key.sign(msg));
  CHECK(verify_signature(cose_key, msg, sig));
  CHECK_FALSE(verify_signature(must(pki.root.public_key_cose()), msg, sig));
}

TEST_CASE("x509: enterprise serial number and U2F transports") {
  auto pki = make_test_pki();
  SeededRng rng(9);
  AttestationCertificateSpec spec = test::test_leaf_spec();
  spec.enterprise_serial_number = to_bytes("device-0042");
  spec.u2f_transports = u2f_transport::kUsb | u2f_transport::kNfc;
  spec.firmware_version = std::nullopt;
  Certificate leaf = must(make_attestation_certificate(spec, pki.leaf_key, pki.intermediate, pki.intermediate_key, rng));
  FidoExtensions fido = must(leaf.fido_extensions());
  CHECK(fido.serial_number == to_bytes("device-0042"));
  CHECK(fido.u2f_transports == std::optional<std::uint8_t>(u2f_transport::kUsb | u2f_transport::kNfc));
  CHECK_FALSE(fido.firmware_version.has_value());
  auto exts = leaf.extensions();
  const Extension* sernum = find_extension(exts, "1.3.6.1.4.1.45724.1.1.2");
  REQUIRE(sernum != nullptr);
  CHECK_FALSE(sernum->critical);
  CHECK(to_hex(sernum->value) == "040b" + to_hex(to_bytes("device-0042")));
  // FIDOU2FTransports uSB(2) and nFC(3): 0011 0000 with 4 unused bits.
  const Extension* transports = find_extension(exts, "1.3.6.1.4.1.45724.2.1.1");
  REQUIRE(transports != nullptr);
  CHECK(to_hex(transports->value) == "03020430");
}

TEST_CASE("x509: a seeded Rng gives the same serials and keys") {
  auto a = make_test_pki(5);
  auto b = make_test_pki(5);
  auto c = make_test_pki(6);
  CHECK(a.leaf.serial() == b.leaf.serial());
  CHECK(a.root.serial() == b.root.serial());
  CHECK(must(a.leaf.public_key_cose()) == must(b.leaf.public_key_cose()));
  CHECK(a.root.subject_key_id() == b.root.subject_key_id());
  CHECK(a.leaf.serial() != c.leaf.serial());
  CHECK(a.root.serial() != a.intermediate.serial());
}

TEST_CASE("x509: an explicit serial is written as given") {
  auto pki = make_test_pki();
  SeededRng rng(1);
  AttestationCertificateSpec spec = test::test_leaf_spec();
  spec.serial = unhex("00ff01");  // a leading zero octet is not part of the value
  Certificate leaf = must(make_attestation_certificate(spec, pki.leaf_key, pki.intermediate, pki.intermediate_key, rng));
  CHECK(to_hex(leaf.serial()) == "ff01");
}

TEST_CASE("x509: DER and PEM round trips") {
  auto pki = make_test_pki();
  Bytes der = pki.leaf.der();
  CHECK(der.size() > 300);
  CHECK(must(Certificate::from_der(der)).der() == der);
  std::string pem = pki.leaf.pem();
  CHECK(pem.rfind("-----BEGIN CERTIFICATE-----\n", 0) == 0);
  CHECK(must(Certificate::from_pem(pem)).der() == der);
}

TEST_CASE("x509: from_der refuses anything but exactly one certificate") {
  Bytes der = make_test_pki().leaf.der();
  CHECK(Certificate::from_der({}).error() == X509Error::kMalformed);
  CHECK(Certificate::from_der(Bytes(der.begin(), der.end() - 1)).error() == X509Error::kMalformed);
  Bytes longer = der;
  longer.push_back(0);
  CHECK(Certificate::from_der(longer).error() == X509Error::kMalformed);
  CHECK(Certificate::from_der(to_bytes("not a certificate")).error() == X509Error::kMalformed);
  CHECK(Certificate::from_der(flip_bit(der, 0, 2)).error() == X509Error::kMalformed);  // SEQUENCE tag
}

TEST_CASE("x509: parse_pem_chain") {
  auto pki = make_test_pki();
  std::string chain = "leaf first, then the CAs\n" + pki.leaf.pem() + "\ncomment\n" + pki.intermediate.pem() + pki.root.pem();
  SUBCASE("every certificate, in order, text around blocks ignored") {
    auto certs = must(parse_pem_chain(chain));
    REQUIRE(certs.size() == 3);
    CHECK(certs[0].der() == pki.leaf.der());
    CHECK(certs[1].der() == pki.intermediate.der());
    CHECK(certs[2].der() == pki.root.der());
    const std::vector<Certificate> two = {pki.leaf, pki.intermediate};
    CHECK(to_pem_chain(two) == pki.leaf.pem() + pki.intermediate.pem());
  }
  SUBCASE("no certificate") {
    CHECK(parse_pem_chain("").error() == X509Error::kNoCertificate);
    CHECK(parse_pem_chain("just text\n").error() == X509Error::kNoCertificate);
  }
  SUBCASE("a broken block is kMalformed, never skipped") {
    std::string bad_base64 = pki.leaf.pem();
    bad_base64[40] = '*';
    CHECK(parse_pem_chain(bad_base64 + pki.root.pem()).error() == X509Error::kMalformed);
    std::string truncated = pki.leaf.pem();
    truncated.resize(truncated.size() - 20);
    CHECK(parse_pem_chain(truncated).error() == X509Error::kMalformed);
    auto key_pem = must(private_key_to_pem(pki.leaf_key));
    std::string with_key(reinterpret_cast<const char*>(key_pem.expose().data()), key_pem.size());
    CHECK(parse_pem_chain(pki.leaf.pem() + with_key).error() == X509Error::kMalformed);
    std::string not_der = "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n";
    CHECK(parse_pem_chain(not_der).error() == X509Error::kMalformed);
  }
  SUBCASE("Certificate::from_pem wants exactly one") {
    CHECK(Certificate::from_pem(chain).error() == X509Error::kMalformed);
    CHECK(Certificate::from_pem("").error() == X509Error::kNoCertificate);
  }
}

TEST_CASE("x509: builder input is checked (RFC 5280, WebAuthn §8.2.1)") {
  auto pki = make_test_pki();
  SeededRng rng(3);
  auto leaf_with = [&](auto change) {
    AttestationCertificateSpec spec = test::test_leaf_spec();
    change(spec);
    return make_attestation_certificate(spec, pki.leaf_key, pki.intermediate, pki.intermediate_key, rng);
  };
  auto invalid = [](const X509Result<Certificate>& r) { return !r && r.error() == X509Error::kInvalidSpec; };
  CHECK(invalid(leaf_with([](auto& s) { s.country = "USA"; })));
  CHECK(invalid(leaf_with([](auto& s) { s.country = "us"; })));
  CHECK(invalid(leaf_with([](auto& s) { s.country.clear(); })));
  CHECK(invalid(leaf_with([](auto& s) { s.organization.clear(); })));
  CHECK(invalid(leaf_with([](auto& s) { s.common_name.clear(); })));
  CHECK(invalid(leaf_with([](auto& s) { s.common_name = std::string(65, 'x'); })));
  CHECK(invalid(leaf_with([](auto& s) { s.common_name = "bad \xff utf-8"; })));
  CHECK(invalid(leaf_with([](auto& s) { s.serial = Bytes(3, 0); })));
  CHECK(invalid(leaf_with([](auto& s) { s.serial = Bytes(20, 0x80); })));  // 21 octets with the sign octet
  CHECK(invalid(leaf_with([](auto& s) { s.validity = {kTestNow, kTestNow - 1}; })));
  CHECK(invalid(leaf_with([](auto& s) { s.validity = {-1, kTestNow}; })));
  CHECK(invalid(leaf_with([](auto& s) { s.validity.not_after = kNoWellDefinedExpiration + 1; })));
  CHECK(invalid(leaf_with([](auto& s) { s.enterprise_serial_number = Bytes(); })));
  CHECK(invalid(leaf_with([](auto& s) { s.enterprise_serial_number = Bytes(65, 1); })));
  CHECK(invalid(leaf_with([](auto& s) { s.u2f_transports = 0x20; })));
  // The limits themselves are fine: 64 characters (of two bytes each), 20 octets, 9999-12-31.
  auto ok = leaf_with([](auto& s) {
    s.common_name.clear();
    for (int i = 0; i < 64; ++i) s.common_name += "\xc3\xa9";
    s.serial = Bytes(20, 0x7F);
    s.validity.not_after = kNoWellDefinedExpiration;
  });
  REQUIRE(ok.has_value());
  CHECK(ok->subject().common_name.size() == 128);
  CHECK(ok->serial() == Bytes(20, 0x7F));
  CHECK(ok->not_after() == kNoWellDefinedExpiration);

  CertificateSpec end_entity_with_path_len;
  end_entity_with_path_len.subject.common_name = "x";
  end_entity_with_path_len.path_len = 1;
  CHECK(issue_certificate(end_entity_with_path_len, pki.leaf_key, &pki.root, pki.root_key, rng).error() ==
        X509Error::kInvalidSpec);
  CertificateSpec ca_with_aaguid;
  ca_with_aaguid.subject.common_name = "x";
  ca_with_aaguid.is_ca = true;
  ca_with_aaguid.fido.aaguid = kTestAaguid;
  CHECK(issue_certificate(ca_with_aaguid, pki.leaf_key, &pki.root, pki.root_key, rng).error() == X509Error::kInvalidSpec);
  CHECK(make_root_ca(DistinguishedName{}, test::test_validity(), pki.root_key, rng).error() == X509Error::kInvalidSpec);
}

TEST_CASE("x509: the issuer key must belong to the issuer") {
  auto pki = make_test_pki();
  SeededRng rng(4);
  CHECK(make_attestation_certificate(test::test_leaf_spec(), pki.leaf_key, pki.intermediate, pki.root_key, rng).error() ==
        X509Error::kKeyMismatch);
  CertificateSpec self;
  self.subject.common_name = "self";
  self.is_ca = true;
  CHECK(issue_certificate(self, pki.root_key, nullptr, pki.leaf_key, rng).error() == X509Error::kKeyMismatch);
}

TEST_CASE("x509: Ed25519 and RSA issuers and subjects") {
  SeededRng rng(8);
  auto ed_root_key = must(PrivateKey::generate(cose::kAlgEdDsa, rng));
  auto rsa_key = must(PrivateKey::from_bytes(cose::kAlgRs256, unhex(test::rsa_vector::kKeyDer), {}));
  auto leaf_key = must(PrivateKey::generate(cose::kAlgEs256, rng));
  auto ed_root = must(make_root_ca(test::test_root_name(), test::test_validity(), ed_root_key, rng));
  CHECK(ed_root.signature_algorithm() == "ED25519");
  CHECK(must(ed_root.public_key_cose()) == ed_root_key.public_cose());
  auto rsa_ca = must(make_intermediate_ca(test::test_intermediate_name(), test::test_validity(), rsa_key, ed_root,
                                          ed_root_key, rng));
  CHECK(rsa_ca.signature_algorithm() == "ED25519");
  CHECK(must(rsa_ca.public_key_cose()) == rsa_key.public_cose());
  auto leaf = must(make_attestation_certificate(test::test_leaf_spec(), leaf_key, rsa_ca, rsa_key, rng));
  CHECK(leaf.signature_algorithm() == "RSA-SHA256");
  const std::vector<Certificate> intermediates = {rsa_ca};
  const std::vector<Certificate> anchors = {ed_root};
  CHECK(verify_chain(leaf, intermediates, anchors, kTestNow).has_value());
}

TEST_CASE("x509: fido_extensions refuses malformed values") {
  auto pki = make_test_pki();
  SeededRng rng(2);
  // Each case writes one raw extension value into an otherwise valid end-entity certificate.
  auto with_raw_extension = [&](std::string_view oid, std::string_view value_hex, bool twice = false) {
    CertificateSpec spec;
    spec.subject.common_name = "raw";
    Certificate cert = must(issue_certificate(spec, pki.leaf_key, &pki.intermediate, pki.intermediate_key, rng));
    X509* x = X509_dup(cert.native());
    REQUIRE(x != nullptr);
    ASN1_OBJECT* obj = OBJ_txt2obj(std::string(oid).c_str(), 1);
    ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
    Bytes v = unhex(value_hex);
    ASN1_OCTET_STRING_set(value, v.data(), static_cast<int>(v.size()));
    X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, value);
    REQUIRE(X509_add_ext(x, ext, -1) == 1);
    if (twice) REQUIRE(X509_add_ext(x, ext, -1) == 1);
    REQUIRE(X509_sign(x, pki.intermediate_key.evp_pkey(), EVP_sha256()) > 0);
    unsigned char* der = nullptr;
    int len = i2d_X509(x, &der);
    Bytes out(der, der + len);
    OPENSSL_free(der);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(value);
    ASN1_OBJECT_free(obj);
    X509_free(x);
    return must(Certificate::from_der(out));
  };
  auto malformed = [](const Certificate& c) {
    auto r = c.fido_extensions();
    return !r && r.error() == X509Error::kMalformed;
  };
  const std::string aaguid = to_hex(kTestAaguid);
  CHECK(must(with_raw_extension(kOidFidoAaguid, "0410" + aaguid).fido_extensions()).aaguid == kTestAaguid);
  CHECK(malformed(with_raw_extension(kOidFidoAaguid, aaguid)));                       // not wrapped
  CHECK(malformed(with_raw_extension(kOidFidoAaguid, "040f" + aaguid.substr(2))));  // 15 bytes
  CHECK(malformed(with_raw_extension(kOidFidoAaguid, "0410" + aaguid + "00")));     // trailing byte
  CHECK(malformed(with_raw_extension(kOidFidoAaguid, "0410" + aaguid, true)));      // twice
  CHECK(malformed(with_raw_extension(kOidFidoFwVersion, "0201ff")));                // negative
  CHECK(malformed(with_raw_extension(kOidFidoFwVersion, "0209010000000000000000")));  // 2^64
  CHECK(malformed(with_raw_extension(kOidFidoSerialNumber, "0400")));               // empty
  CHECK(malformed(with_raw_extension(kOidFidoU2fTransports, "03020431")));          // unused bit set
  CHECK(must(with_raw_extension(kOidFidoFwVersion, "020900ffffffffffffffff").fido_extensions()).firmware_version ==
        std::optional<std::uint64_t>(0xFFFFFFFFFFFFFFFFULL));
}

TEST_CASE("x509: private keys in PEM") {
  SeededRng rng(11);
  SUBCASE("our own PKCS #8 output reads back for every algorithm") {
    std::vector<PrivateKey> keys;
    keys.push_back(must(PrivateKey::generate(cose::kAlgEs256, rng)));
    keys.push_back(must(PrivateKey::generate(cose::kAlgEdDsa, rng)));
    keys.push_back(must(PrivateKey::from_bytes(cose::kAlgRs256, unhex(test::rsa_vector::kKeyDer), {})));
    for (const PrivateKey& k : keys) {
      CAPTURE(k.cose_alg());
      SecretBytes pem = must(private_key_to_pem(k));
      std::string text(reinterpret_cast<const char*>(pem.expose().data()), pem.size());
      CHECK(text.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
      PrivateKey back = must(private_key_from_pem(text));
      CHECK(back.cose_alg() == k.cose_alg());
      CHECK(back.public_bytes() == k.public_bytes());
      CHECK(to_hex(back.private_bytes().expose()) == to_hex(k.private_bytes().expose()));
    }
  }
  SUBCASE("the key is found after a certificate in the same text") {
    auto pki = make_test_pki();
    SecretBytes pem = must(private_key_to_pem(pki.leaf_key));
    std::string text = pki.leaf.pem() + std::string(reinterpret_cast<const char*>(pem.expose().data()), pem.size());
    CHECK(must(private_key_from_pem(text)).public_bytes() == pki.leaf_key.public_bytes());
  }
  SUBCASE("encrypted keys are refused without prompting") {
    EVP_PKEY* p = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    REQUIRE(p != nullptr);
    std::string encrypted = openssl_pem(p, EVP_aes_256_cbc(), "secret");
    EVP_PKEY_free(p);
    CHECK(encrypted.find("ENCRYPTED PRIVATE KEY") != std::string::npos);
    CHECK(private_key_from_pem(encrypted).error() == X509Error::kMalformed);
  }
  SUBCASE("other curves are kUnsupportedKey") {
    EVP_PKEY* p = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
    REQUIRE(p != nullptr);
    std::string text = openssl_pem(p);
    EVP_PKEY_free(p);
    CHECK(private_key_from_pem(text).error() == X509Error::kUnsupportedKey);
  }
  SUBCASE("no key, or a broken one") {
    CHECK(private_key_from_pem("").error() == X509Error::kMalformed);
    CHECK(private_key_from_pem(make_test_pki().leaf.pem()).error() == X509Error::kMalformed);
    CHECK(private_key_from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").error() ==
          X509Error::kMalformed);
  }
}

TEST_CASE("x509: errors map to CTAP status and have descriptions") {
  CHECK(to_ctap_status(X509Error::kInternal) == CtapStatus::kOther);
  CHECK(to_ctap_status(X509Error::kMalformed) == CtapStatus::kInvalidParameter);
  CHECK(describe(X509Error::kExpired) == "certificate has expired");
  CHECK_FALSE(describe(X509Error::kUntrusted).empty());
}

}  // namespace vfido::crypto
