// Attestation statements: packed full (Basic/AttCA) and enterprise attestation with x5c, fido-u2f,
// and the existing none and packed self. Each statement is checked the way a relying party does
// (WebAuthn §8.2 and §8.6 verification procedures), with a flipped bit that must fail.
#include "authenticator/attestation.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "authenticator/authenticator_data.h"
#include "authenticator/cbor/codec.h"
#include "authenticator/crypto/hash.h"
#include "authenticator/profile.h"
#include "tests/authenticator/attestation_scenario.h"
#include "tests/authenticator/crypto/crypto_test_util.h"
#include "tests/authenticator/crypto/rsa_test_vector.h"

using namespace vfido;
using test::flip_bit;
using test::kTestAaguid;
using test::kTestNow;
using test::make_attestation_scenario;
using test::must;

namespace {

Bytes concat(ByteSpan a, ByteSpan b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

std::vector<crypto::Certificate> x5c_of(const cbor::Value& stmt) {
  std::vector<crypto::Certificate> certs;
  const cbor::Value* x5c = stmt.find("x5c");
  REQUIRE(x5c != nullptr);
  REQUIRE(x5c->is_array());
  for (const cbor::Value& der : x5c->as_array()) {
    REQUIRE(der.is_bytes());
    certs.push_back(must(crypto::Certificate::from_der(der.as_bytes())));
  }
  return certs;
}

// WebAuthn §8.2 verification procedure, x5c case, and §8.2.1 certificate requirements, then
// the trust path to `root` (WebAuthn §7.1 step 21). False on the first failed check.
bool verify_packed_x5c(const cbor::Value& stmt, ByteSpan auth_data, ByteSpan cdh, const crypto::Certificate& root) {
  const cbor::Value* alg = stmt.find("alg");
  const cbor::Value* sig = stmt.find("sig");
  if (alg == nullptr || !alg->as_int64() || sig == nullptr || !sig->is_bytes() || stmt.as_map().size() != 3) {
    return false;
  }
  auto certs = x5c_of(stmt);
  if (certs.empty()) return false;
  const crypto::Certificate& leaf = certs.front();
  auto key = leaf.public_key_cose();
  if (!key || key->find(3)->as_int64() != alg->as_int64()) return false;  // alg matches the certificate key
  if (!crypto::verify_signature(*key, concat(auth_data, cdh), sig->as_bytes())) return false;
  // §8.2.1: version 3; subject C, O, OU = "Authenticator Attestation", CN; cA FALSE.
  crypto::DistinguishedName subject = leaf.subject();
  auto bc = leaf.basic_constraints();
  if (leaf.version() != 3 || subject.country.empty() || subject.organization.empty() || subject.common_name.empty() ||
      subject.organizational_unit != "Authenticator Attestation" || !bc || bc->ca) {
    return false;
  }
  // §8.2 step 2: an AAGUID extension matches authData's aaguid and is not critical.
  auto parsed = AuthenticatorData::parse(auth_data);
  auto fido = leaf.fido_extensions();
  if (!parsed || !parsed->attested || !fido) return false;
  if (fido->aaguid && *fido->aaguid != parsed->attested->aaguid) return false;
  for (const auto& ext : leaf.extensions()) {
    if (ext.oid == crypto::kOidFidoAaguid && ext.critical) return false;
  }
  std::vector<crypto::Certificate> intermediates(certs.begin() + 1, certs.end());
  return crypto::verify_chain(leaf, intermediates, std::vector{root}, kTestNow).has_value();
}

// WebAuthn §8.6 verification procedure.
bool verify_fido_u2f(const cbor::Value& stmt, ByteSpan auth_data, ByteSpan cdh) {
  const cbor::Value* sig = stmt.find("sig");
  if (sig == nullptr || !sig->is_bytes() || stmt.as_map().size() != 2) return false;
  auto certs = x5c_of(stmt);
  if (certs.size() != 1) return false;  // step 2: exactly one certificate
  auto key = certs[0].public_key_cose();
  if (!key || key->find(-1) == nullptr || key->find(-1)->as_int64() != cose::kCrvP256) return false;
  auto parsed = AuthenticatorData::parse(auth_data);
  if (!parsed || !parsed->attested) return false;
  const cbor::Value& cred = parsed->attested->public_key;
  Bytes point = concat(Bytes{0x04}, concat(cred.find(-2)->as_bytes(), cred.find(-3)->as_bytes()));
  Bytes data = concat(Bytes{0x00}, concat(parsed->rp_id_hash, concat(cdh, concat(parsed->attested->credential_id, point))));
  return crypto::verify_signature(*key, data, sig->as_bytes());
}

AuthenticatorProfile basic_profile(const test::AttestationScenario& s) {
  AuthenticatorProfile p;
  p.aaguid = kTestAaguid;
  p.attestation = AttestationMode::kBasic;
  p.attestation_material = s.material;
  p.enterprise_attestation_material = s.enterprise_material;
  return p;
}

}  // namespace

TEST_CASE("attestation: packed full attestation verifies, chain and all") {
  auto s = make_attestation_scenario();
  AttestationStatement att = must(make_packed_attestation(*s.material, s.auth_data, s.client_data_hash));
  CHECK(att.fmt == "packed");
  CHECK(att.att_stmt.find("alg")->as_int64() == cose::kAlgEs256);
  auto certs = x5c_of(att.att_stmt);
  REQUIRE(certs.size() == 2);  // the attestation certificate and the intermediate, not the root
  CHECK(certs[0].der() == s.material->certificate().der());
  CHECK(certs[1].der() == s.ca.intermediate.der());
  CHECK(verify_packed_x5c(att.att_stmt, s.auth_data, s.client_data_hash, s.ca.root));

  SUBCASE("a flipped bit in authData, clientDataHash or sig fails") {
    CHECK_FALSE(verify_packed_x5c(att.att_stmt, flip_bit(s.auth_data, 40), s.client_data_hash, s.ca.root));
    CHECK_FALSE(verify_packed_x5c(att.att_stmt, s.auth_data, flip_bit(s.client_data_hash, 0), s.ca.root));
    cbor::Value tampered = att.att_stmt;
    for (auto& [k, v] : tampered.as_map()) {
      if (k.as_text() == "sig") v = cbor::Value::bytes(flip_bit(v.as_bytes(), 10));
    }
    CHECK_FALSE(verify_packed_x5c(tampered, s.auth_data, s.client_data_hash, s.ca.root));
  }
  SUBCASE("another vendor's root does not anchor it") {
    auto other = make_attestation_scenario(2);
    CHECK_FALSE(verify_packed_x5c(att.att_stmt, s.auth_data, s.client_data_hash, other.ca.root));
  }
  SUBCASE("the AAGUID in authData must match the certificate's") {
    auto parsed = must(AuthenticatorData::parse(s.auth_data));
    parsed.attested->aaguid[0] ^= 0x01;
    Bytes other_aaguid = must(parsed.serialize());
    AttestationStatement resigned = must(make_packed_attestation(*s.material, other_aaguid, s.client_data_hash));
    CHECK_FALSE(verify_packed_x5c(resigned.att_stmt, other_aaguid, s.client_data_hash, s.ca.root));
  }
}

TEST_CASE("attestation: the packed statement encodes in canonical order alg, sig, x5c") {
  auto s = make_attestation_scenario();
  AttestationStatement att = must(make_packed_attestation(*s.material, s.auth_data, s.client_data_hash));
  Bytes encoded = must(cbor::encode(att.att_stmt));
  std::string text(encoded.begin(), encoded.end());
  auto alg = text.find("\x63" "alg");
  auto sig = text.find("\x63" "sig");
  auto x5c = text.find("\x63" "x5c");
  CHECK(encoded[0] == 0xA3);  // a map of three
  CHECK(alg == 1);
  CHECK(alg < sig);
  CHECK(sig < x5c);
}

TEST_CASE("attestation: an RS256 attestation key gives alg -257") {
  auto s = make_attestation_scenario();
  SeededRng rng(5);
  auto rsa = must(crypto::PrivateKey::from_bytes(cose::kAlgRs256, test::unhex(test::rsa_vector::kKeyDer), {}));
  auto cert = must(crypto::make_attestation_certificate(test::scenario_leaf_spec(kTestNow), rsa, s.ca.intermediate,
                                                        s.ca.intermediate_key, rng));
  auto material = must(AttestationMaterial::create(std::move(rsa), {cert, s.ca.intermediate, s.ca.root}));
  AttestationStatement att = must(make_packed_attestation(material, s.auth_data, s.client_data_hash));
  CHECK(att.att_stmt.find("alg")->as_int64() == cose::kAlgRs256);
  CHECK(att.att_stmt.find("sig")->as_bytes().size() == 256);
  CHECK(x5c_of(att.att_stmt).size() == 2);  // the self-signed root given to create() is left out
  CHECK(verify_packed_x5c(att.att_stmt, s.auth_data, s.client_data_hash, s.ca.root));
  CHECK_FALSE(verify_packed_x5c(att.att_stmt, flip_bit(s.auth_data, 0), s.client_data_hash, s.ca.root));
}

TEST_CASE("attestation: enterprise attestation carries the serial number, basic does not") {
  auto s = make_attestation_scenario();
  CHECK(s.enterprise_material->fido_extensions().serial_number == to_bytes(test::kScenarioEnterpriseSerial));
  CHECK_FALSE(s.material->fido_extensions().serial_number.has_value());
  AuthenticatorProfile p = basic_profile(s);
  REQUIRE(p.validate().has_value());

  AttestationStatement ep = must(make_attestation(p, true, s.credential_key, s.auth_data, s.client_data_hash));
  CHECK(ep.fmt == "packed");
  auto certs = x5c_of(ep.att_stmt);
  REQUIRE_FALSE(certs.empty());
  CHECK(certs[0].der() == s.enterprise_material->certificate().der());
  CHECK(must(certs[0].fido_extensions()).serial_number == to_bytes(test::kScenarioEnterpriseSerial));
  CHECK(verify_packed_x5c(ep.att_stmt, s.auth_data, s.client_data_hash, s.ca.root));

  AttestationStatement basic = must(make_attestation(p, false, s.credential_key, s.auth_data, s.client_data_hash));
  CHECK(x5c_of(basic.att_stmt)[0].der() == s.material->certificate().der());
  CHECK(verify_packed_x5c(basic.att_stmt, s.auth_data, s.client_data_hash, s.ca.root));
}

TEST_CASE("attestation: make_attestation for a profile follows its mode") {
  auto s = make_attestation_scenario();
  AuthenticatorProfile p = basic_profile(s);
  SUBCASE("none stays none, even for an enterprise request") {
    p.attestation = AttestationMode::kNone;
    for (bool enterprise : {false, true}) {
      AttestationStatement att = must(make_attestation(p, enterprise, s.credential_key, s.auth_data, s.client_data_hash));
      CHECK(att.fmt == "none");
      CHECK(att.att_stmt.as_map().empty());
    }
  }
  SUBCASE("self is packed without x5c, signed by the credential key") {
    p.attestation = AttestationMode::kSelf;
    AttestationStatement att = must(make_attestation(p, false, s.credential_key, s.auth_data, s.client_data_hash));
    CHECK(att.fmt == "packed");
    CHECK(att.att_stmt.find("x5c") == nullptr);
    CHECK(att.att_stmt.find("alg")->as_int64() == cose::kAlgEs256);
    Bytes signed_data = concat(s.auth_data, s.client_data_hash);
    CHECK(crypto::verify_signature(s.credential_key.public_cose(), signed_data, att.att_stmt.find("sig")->as_bytes()));
  }
  SUBCASE("missing material is kOther, never a statement without x5c") {
    p.attestation_material.reset();
    CHECK(make_attestation(p, false, s.credential_key, s.auth_data, s.client_data_hash).error() == CtapStatus::kOther);
    p.enterprise_attestation_material.reset();
    p.attestation = AttestationMode::kSelf;
    CHECK(make_attestation(p, true, s.credential_key, s.auth_data, s.client_data_hash).error() == CtapStatus::kOther);
  }
  SUBCASE("the mode-only overload cannot do basic attestation") {
    CHECK(make_attestation(AttestationMode::kBasic, s.credential_key, s.auth_data, s.client_data_hash).error() ==
          CtapStatus::kOther);
  }
}

TEST_CASE("attestation: fido-u2f statement (WebAuthn §8.6)") {
  auto s = make_attestation_scenario();
  auto parsed = must(AuthenticatorData::parse(s.auth_data));
  AttestationStatement att = must(make_fido_u2f_attestation(*s.material, parsed.rp_id_hash, s.client_data_hash,
                                                            s.credential_id, s.credential_key.public_bytes()));
  CHECK(att.fmt == "fido-u2f");
  CHECK(att.att_stmt.as_map().size() == 2);
  CHECK(x5c_of(att.att_stmt).size() == 1);  // the attestation certificate only
  CHECK(verify_fido_u2f(att.att_stmt, s.auth_data, s.client_data_hash));
  CHECK_FALSE(verify_fido_u2f(att.att_stmt, s.auth_data, flip_bit(s.client_data_hash, 31)));
  CHECK_FALSE(verify_fido_u2f(att.att_stmt, flip_bit(s.auth_data, 60), s.client_data_hash));  // credential ID

  SUBCASE("the signed bytes are 0x00 || application || challenge || key handle || point") {
    Bytes data = must(u2f_registration_data(parsed.rp_id_hash, s.client_data_hash, s.credential_id,
                                            s.credential_key.public_bytes()));
    CHECK(data.size() == 1 + 32 + 32 + 32 + 65);
    CHECK(data[0] == 0x00);
    CHECK(Bytes(data.begin() + 1, data.begin() + 33) == Bytes(parsed.rp_id_hash.begin(), parsed.rp_id_hash.end()));
    CHECK(Bytes(data.end() - 65, data.end()) == s.credential_key.public_bytes());
    Bytes sig = must(sign_u2f_registration(*s.material, parsed.rp_id_hash, s.client_data_hash, s.credential_id,
                                           s.credential_key.public_bytes()));
    CHECK(crypto::verify_signature(s.material->certificate().public_key_cose().value(), data, sig));
  }
  SUBCASE("wrong lengths are kInvalidParameter") {
    Bytes point = s.credential_key.public_bytes();
    CHECK(u2f_registration_data(Bytes(31, 0), s.client_data_hash, s.credential_id, point).error() ==
          CtapStatus::kInvalidParameter);
    CHECK(u2f_registration_data(parsed.rp_id_hash, Bytes(33, 0), s.credential_id, point).error() ==
          CtapStatus::kInvalidParameter);
    CHECK(u2f_registration_data(parsed.rp_id_hash, s.client_data_hash, Bytes(), point).error() ==
          CtapStatus::kInvalidParameter);
    CHECK(u2f_registration_data(parsed.rp_id_hash, s.client_data_hash, Bytes(256, 1), point).error() ==
          CtapStatus::kInvalidParameter);
    CHECK(u2f_registration_data(parsed.rp_id_hash, s.client_data_hash, s.credential_id, Bytes(64, 4)).error() ==
          CtapStatus::kInvalidParameter);
    point[0] = 0x02;  // a compressed point
    CHECK(u2f_registration_data(parsed.rp_id_hash, s.client_data_hash, s.credential_id, point).error() ==
          CtapStatus::kInvalidParameter);
    CHECK(must(u2f_registration_data(parsed.rp_id_hash, s.client_data_hash, Bytes(255, 1),
                                     s.credential_key.public_bytes()))
              .size() == 1 + 64 + 255 + 65);
  }
  SUBCASE("a non-P-256 attestation key cannot make fido-u2f") {
    SeededRng rng(6);
    auto ed = must(crypto::PrivateKey::generate(cose::kAlgEdDsa, rng));
    auto cert = must(crypto::make_attestation_certificate(test::scenario_leaf_spec(kTestNow), ed, s.ca.intermediate,
                                                          s.ca.intermediate_key, rng));
    auto material = must(AttestationMaterial::create(std::move(ed), {cert}));
    CHECK(make_fido_u2f_attestation(material, parsed.rp_id_hash, s.client_data_hash, s.credential_id,
                                    s.credential_key.public_bytes())
              .error() == CtapStatus::kUnsupportedAlgorithm);
  }
}

TEST_CASE("attestation: AttestationMaterial::create checks key and chain") {
  auto s = make_attestation_scenario();
  SeededRng rng(7);
  auto key = [&]() { return must(crypto::PrivateKey::generate(cose::kAlgEs256, rng)); };
  const crypto::Certificate& leaf = s.material->certificate();
  auto err = [](crypto::X509Result<AttestationMaterial> r) { return r ? crypto::X509Error::kInternal : r.error(); };
  CHECK(err(AttestationMaterial::create(key(), {})) == crypto::X509Error::kNoCertificate);
  CHECK(err(AttestationMaterial::create(key(), {leaf, s.ca.intermediate})) == crypto::X509Error::kKeyMismatch);
  auto copy = [](const crypto::PrivateKey& k) {
    return must(crypto::PrivateKey::from_bytes(k.cose_alg(), k.private_bytes().expose(), k.public_bytes()));
  };
  // A CA certificate is not an attestation certificate (WebAuthn §8.2.1: cA FALSE).
  CHECK(err(AttestationMaterial::create(copy(s.ca.intermediate_key), {s.ca.intermediate})) ==
        crypto::X509Error::kInvalidSpec);
  // Out of order: the root did not issue the attestation certificate.
  CHECK(err(AttestationMaterial::create(copy(s.material->key()), {leaf, s.ca.root, s.ca.intermediate})) ==
        crypto::X509Error::kInvalidChain);
  // In order it is fine, and the root stays out of x5c.
  auto ok = must(AttestationMaterial::create(copy(s.material->key()), {leaf, s.ca.intermediate, s.ca.root}));
  CHECK(ok.x5c().size() == 2);
  CHECK(ok.chain().size() == 3);
}

TEST_CASE("attestation: material from PEM files") {
  auto s = make_attestation_scenario();
  crypto::SecretBytes key_pem = must(crypto::private_key_to_pem(s.material->key()));
  std::string key_text(reinterpret_cast<const char*>(key_pem.expose().data()), key_pem.size());
  const std::vector<crypto::Certificate> chain = {s.material->certificate(), s.ca.intermediate, s.ca.root};
  AttestationMaterial m = must(AttestationMaterial::from_pem(key_text, crypto::to_pem_chain(chain)));
  CHECK(m.chain().size() == 3);
  CHECK(m.x5c() == s.material->x5c());
  CHECK(m.key().public_bytes() == s.material->key().public_bytes());
  CHECK(AttestationMaterial::from_pem(key_text, "").error() == crypto::X509Error::kNoCertificate);
  CHECK(AttestationMaterial::from_pem("", crypto::to_pem_chain(chain)).error() == crypto::X509Error::kMalformed);
}

TEST_CASE("attestation: profile validation of attestation material") {
  auto s = make_attestation_scenario();
  auto error_of = [](const AuthenticatorProfile& p) {
    auto r = p.validate();
    return r ? std::string() : r.error();
  };
  AuthenticatorProfile p = basic_profile(s);
  CHECK(error_of(p).empty());
  SUBCASE("basic attestation needs material") {
    p.attestation_material.reset();
    CHECK(error_of(p).rfind("attestation_material:", 0) == 0);
  }
  SUBCASE("the certificate's AAGUID must be the profile's") {
    p.aaguid[15] ^= 0x01;
    CHECK(error_of(p).rfind("attestation_material:", 0) == 0);
    p.attestation_material.reset();
    p.attestation = AttestationMode::kSelf;
    CHECK(error_of(p).rfind("enterprise_attestation_material:", 0) == 0);
  }
  SUBCASE("the serial number only in enterprise material") {
    std::swap(p.attestation_material, p.enterprise_attestation_material);
    CHECK(error_of(p).find("sernum") != std::string::npos);
    p.attestation_material = s.material;
    CHECK(error_of(p).rfind("enterprise_attestation_material:", 0) == 0);
  }
}
