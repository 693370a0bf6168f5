// vfido's attestation statements verified by libfido2 (fido_cred_verify and
// fido_cred_verify_self), an independent implementation of WebAuthn §8.2 and §8.6: the credential
// is assembled from authenticatorData, clientDataHash, fmt and attStmt as a client would.
#include <doctest/doctest.h>
#include <fido.h>

#include <string>

#include "authenticator/attestation.h"
#include "authenticator/cbor/codec.h"
#include "tests/authenticator/attestation_scenario.h"
#include "tests/authenticator/crypto/crypto_test_util.h"

using namespace vfido;
using test::flip_bit;
using test::make_attestation_scenario;
using test::must;

namespace {

struct FidoCred {
  FidoCred() : cred(fido_cred_new()) { REQUIRE(cred != nullptr); }
  ~FidoCred() { fido_cred_free(&cred); }
  FidoCred(const FidoCred&) = delete;
  FidoCred& operator=(const FidoCred&) = delete;
  fido_cred_t* cred;
};

// A fido_cred_t holding what a makeCredential response and the client data would give libfido2.
// Returns the status of the last setter that failed, or FIDO_OK.
int load(FidoCred& c, int cose_type, const std::string& rp_id, const AttestationStatement& att, ByteSpan auth_data,
         ByteSpan cdh) {
  Bytes ad_cbor = must(cbor::encode(cbor::Value::bytes(auth_data)));
  Bytes stmt_cbor = must(cbor::encode(att.att_stmt));
  int r = FIDO_OK;
  for (int step :
       {fido_cred_set_type(c.cred, cose_type), fido_cred_set_clientdata_hash(c.cred, cdh.data(), cdh.size()),
        fido_cred_set_rp(c.cred, rp_id.c_str(), nullptr), fido_cred_set_authdata(c.cred, ad_cbor.data(), ad_cbor.size()),
        fido_cred_set_attstmt(c.cred, stmt_cbor.data(), stmt_cbor.size()), fido_cred_set_fmt(c.cred, att.fmt.c_str())}) {
    if (step != FIDO_OK) r = step;
  }
  return r;
}

int verify(const test::AttestationScenario& s, const AttestationStatement& att, ByteSpan auth_data, ByteSpan cdh,
           int cose_type = COSE_ES256) {
  FidoCred c;
  int r = load(c, cose_type, s.rp_id, att, auth_data, cdh);
  if (r != FIDO_OK) return r;
  return att.att_stmt.find("x5c") != nullptr ? fido_cred_verify(c.cred) : fido_cred_verify_self(c.cred);
}

}  // namespace

TEST_CASE("libfido2: packed full attestation verifies with fido_cred_verify") {
  fido_init(0);
  auto s = make_attestation_scenario();
  AttestationStatement att = must(make_packed_attestation(*s.material, s.auth_data, s.client_data_hash));
  CHECK(verify(s, att, s.auth_data, s.client_data_hash) == FIDO_OK);

  FidoCred c;
  REQUIRE(load(c, COSE_ES256, s.rp_id, att, s.auth_data, s.client_data_hash) == FIDO_OK);
  // libfido2 parsed x5c[0] as the attestation certificate and the AAGUID from authData.
  Bytes leaf = s.material->certificate().der();
  REQUIRE(fido_cred_x5c_len(c.cred) == leaf.size());
  CHECK(Bytes(fido_cred_x5c_ptr(c.cred), fido_cred_x5c_ptr(c.cred) + leaf.size()) == leaf);
  REQUIRE(fido_cred_aaguid_len(c.cred) == kAaguidLen);
  CHECK(Bytes(fido_cred_aaguid_ptr(c.cred), fido_cred_aaguid_ptr(c.cred) + kAaguidLen) ==
        Bytes(test::kTestAaguid.begin(), test::kTestAaguid.end()));

  CHECK(verify(s, att, s.auth_data, flip_bit(s.client_data_hash, 7)) == FIDO_ERR_INVALID_SIG);
  CHECK(verify(s, att, flip_bit(s.auth_data, 33), s.client_data_hash) == FIDO_ERR_INVALID_SIG);  // sign count
  // Another RP ID does not match authData's rpIdHash.
  test::AttestationScenario other_rp = make_attestation_scenario();
  other_rp.rp_id = "example.org";
  CHECK(verify(other_rp, att, s.auth_data, s.client_data_hash) == FIDO_ERR_INVALID_PARAM);
}

TEST_CASE("libfido2: enterprise and RS256-key packed attestation verify") {
  fido_init(0);
  auto s = make_attestation_scenario();
  AttestationStatement ep = must(make_packed_attestation(*s.enterprise_material, s.auth_data, s.client_data_hash));
  CHECK(verify(s, ep, s.auth_data, s.client_data_hash) == FIDO_OK);

  SeededRng rng(12);
  auto rsa = must(crypto::PrivateKey::generate(cose::kAlgRs256, rng));
  auto cert = must(crypto::make_attestation_certificate(test::scenario_leaf_spec(test::kTestNow), rsa,
                                                        s.ca.intermediate, s.ca.intermediate_key, rng));
  auto material = must(AttestationMaterial::create(std::move(rsa), {cert, s.ca.intermediate}));
  AttestationStatement att = must(make_packed_attestation(material, s.auth_data, s.client_data_hash));
  CHECK(att.att_stmt.find("alg")->as_int64() == cose::kAlgRs256);
  CHECK(verify(s, att, s.auth_data, s.client_data_hash) == FIDO_OK);
  CHECK(verify(s, att, s.auth_data, flip_bit(s.client_data_hash, 0)) == FIDO_ERR_INVALID_SIG);
}

TEST_CASE("libfido2: fido-u2f attestation verifies") {
  fido_init(0);
  auto s = make_attestation_scenario();
  AttestationStatement att = must(make_fido_u2f_attestation(*s.material, ByteSpan(s.auth_data).first(32),
                                                            s.client_data_hash, s.credential_id,
                                                            s.credential_key.public_bytes()));
  CHECK(verify(s, att, s.auth_data, s.client_data_hash) == FIDO_OK);
  CHECK(verify(s, att, s.auth_data, flip_bit(s.client_data_hash, 31)) == FIDO_ERR_INVALID_SIG);
}

TEST_CASE("libfido2: packed self attestation of RS256 and ES256 credentials (fido_cred_verify_self)") {
  fido_init(0);
  for (auto [alg, type] : {std::pair{cose::kAlgRs256, COSE_RS256}, std::pair{cose::kAlgEs256, COSE_ES256}}) {
    CAPTURE(alg);
    auto s = make_attestation_scenario(4, test::kTestNow, alg);
    AttestationStatement att =
        must(make_attestation(AttestationMode::kSelf, s.credential_key, s.auth_data, s.client_data_hash));
    CHECK(verify(s, att, s.auth_data, s.client_data_hash, type) == FIDO_OK);
    CHECK(verify(s, att, s.auth_data, flip_bit(s.client_data_hash, 2), type) == FIDO_ERR_INVALID_SIG);
  }
}
