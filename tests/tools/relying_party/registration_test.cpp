// The relying party's registration checks (WebAuthn L3 §7.1) and attestation verification
// (§8.2 packed self and x5c, §8.6 fido-u2f, §8.7 none) against metadata trust anchors.
#include <doctest/doctest.h>

#include "tests/tools/relying_party/rp_forge.h"
#include "tools/relying_party/metadata.h"

using namespace vfido;
using namespace vfido::rp;
using vfido::test::Fmt;
using vfido::test::RpForge;

namespace {

RpErrorCode fails_with(RpForge& f, const webauthn::RegistrationResponse& r, RegistrationExpectations e = {}) {
  if (e.challenge.empty()) e.challenge = f.challenge;
  auto v = verify_registration(f.rp, e, r);
  REQUIRE_FALSE(v);
  MESSAGE(v.error().to_string());
  return v.error().code;
}

RegistrationResult passes(RpForge& f, const webauthn::RegistrationResponse& r, RegistrationExpectations e = {}) {
  if (e.challenge.empty()) e.challenge = f.challenge;
  auto v = verify_registration(f.rp, e, r);
  INFO((v ? "" : v.error().to_string()));
  REQUIRE(v);
  return *v;
}

}  // namespace

TEST_CASE("rp registration: none attestation gives a record with the authenticator's facts") {
  RpForge f;
  auto r = passes(f, f.registration(Fmt::kNone, flags::kUp | flags::kUv | flags::kBe | flags::kBs));
  const CredentialRecord& c = r.credential;
  CHECK(c.id == f.credential_id);
  CHECK(c.aaguid == test::kTestAaguid);
  CHECK(c.algorithm == cose::kAlgEs256);
  CHECK(c.attestation_format == "none");
  CHECK(c.attestation_type == AttestationType::kNone);
  CHECK(c.trust == TrustResult::kNotApplicable);
  CHECK(c.backup_eligible);
  CHECK(c.backup_state);
  CHECK(c.credential_device_type() == "multiDevice");
  CHECK(c.uv_initialized);
  CHECK(c.sign_count == 0);
  CHECK(c.transports == std::vector<std::string>{"usb"});
  auto single = passes(f, f.registration(Fmt::kNone, flags::kUp));
  CHECK(single.credential.credential_device_type() == "singleDevice");
  CHECK_FALSE(single.credential.backed_up());
  // The record survives JSON.
  auto back = credential_record_from_json(to_json(c));
  REQUIRE(back);
  CHECK(back->id == c.id);
  CHECK(back->public_key == c.public_key);
  CHECK(back->aaguid == c.aaguid);
  CHECK(back->backup_eligible == c.backup_eligible);
}

TEST_CASE("rp registration: packed self attestation, every algorithm") {
  for (auto alg : {cose::kAlgEs256, cose::kAlgEdDsa, cose::kAlgRs256}) {
    CAPTURE(alg);
    RpForge f(alg);
    RegistrationExpectations e;
    e.algorithms = {-7, -8, -257};
    auto r = passes(f, f.registration(Fmt::kSelf), e);
    CHECK(r.credential.attestation_type == AttestationType::kSelf);
    CHECK(r.credential.algorithm == alg);
  }
}

TEST_CASE("rp registration: packed x5c against metadata in its three shapes") {
  RpForge f;
  const auto response = f.registration(Fmt::kPacked);
  const crypto::Certificate root = f.ca->root;
  const std::string one = f.statement(root).dump();
  const std::string list = nlohmann::json::array({f.statement(root, {}), f.statement(root)}).dump();
  const std::string blob = nlohmann::json{{"legalHeader", "x"}, {"no", 1},
                                          {"entries", {{{"aaguid", "x"}, {"statusReports", nlohmann::json::array()}},
                                                       {{"metadataStatement", f.statement(root)}}}}}
                               .dump();
  for (const std::string& text : {one, list, blob}) {
    CAPTURE(text.substr(0, 60));
    auto store = MetadataStore::parse(text, "mds.json");
    REQUIRE(store);
    f.rp.metadata = &*store;
    auto r = passes(f, response);
    CHECK(r.credential.attestation_format == "packed");
    CHECK(r.credential.attestation_type == AttestationType::kBasic);
    CHECK(r.credential.trust == TrustResult::kTrusted);
    CHECK(r.credential.metadata_description == "vfido test key");
    CHECK(r.credential.attestation_subject.find("OU=Authenticator Attestation") != std::string::npos);
    RegistrationExpectations strict;
    strict.attestation = AttestationRequirement::kTrusted;
    CHECK(passes(f, response, strict).credential.trust == TrustResult::kTrusted);
  }
}

TEST_CASE("rp registration: x5c without metadata, or with the wrong root") {
  RpForge f;
  const auto response = f.registration(Fmt::kPacked);
  auto no_md = passes(f, response);
  CHECK(no_md.credential.trust == TrustResult::kNoMetadata);
  CHECK(no_md.credential.attestation_type == AttestationType::kUncertain);

  RpForge other(cose::kAlgEs256, 99);
  other.material();
  auto store = MetadataStore::parse(f.statement(other.ca->root).dump(), "other.json");
  REQUIRE(store);
  f.rp.metadata = &*store;
  auto wrong = passes(f, response);
  CHECK(wrong.credential.trust == TrustResult::kUntrusted);
  CHECK(wrong.credential.trust_detail.find("does not chain") != std::string::npos);
  RegistrationExpectations strict;
  strict.attestation = AttestationRequirement::kTrusted;
  CHECK(fails_with(f, response, strict) == RpErrorCode::kAttestationNotTrusted);
  CHECK(fails_with(f, f.registration(Fmt::kNone), strict) == RpErrorCode::kAttestationNotTrusted);
  CHECK(fails_with(f, f.registration(Fmt::kSelf), strict) == RpErrorCode::kAttestationNotTrusted);
}

TEST_CASE("rp registration: fido-u2f, trusted by its certificate key identifier") {
  // fido-u2f carries the attestation certificate alone, so the metadata anchor must be its
  // issuer (here the intermediate CA); the root alone leaves the path incomplete.
  RpForge f;
  const ByteArray<kAaguidLen> zero{};
  const auto response = f.registration(Fmt::kU2f, flags::kUp, zero);
  auto ski = f.material().certificate().subject_key_id();
  REQUIRE(ski);
  nlohmann::json st = {{"description", "vfido U2F key"},
                       {"attestationCertificateKeyIdentifiers", {to_hex(*ski)}},
                       {"attestationRootCertificates", {vfido::base64_encode(f.ca->root.der())}}};
  auto root_only = MetadataStore::parse(st.dump(), "u2f.json");
  REQUIRE(root_only);
  f.rp.metadata = &*root_only;
  CHECK(passes(f, response).credential.trust == TrustResult::kUntrusted);
  st["attestationRootCertificates"] = {vfido::base64_encode(f.ca->intermediate.der())};
  auto store = MetadataStore::parse(st.dump(), "u2f.json");
  REQUIRE(store);
  f.rp.metadata = &*store;
  auto r = passes(f, response);
  CHECK(r.credential.attestation_format == "fido-u2f");
  CHECK(r.credential.trust == TrustResult::kTrusted);
  CHECK(r.credential.metadata_description == "vfido U2F key");
}

TEST_CASE("rp registration: a changed byte breaks the attestation signature") {
  for (Fmt fmt : {Fmt::kSelf, Fmt::kPacked, Fmt::kU2f}) {
    CAPTURE(static_cast<int>(fmt));
    RpForge f;
    auto response = f.registration(fmt, flags::kUp, fmt == Fmt::kU2f ? ByteArray<kAaguidLen>{} : test::kTestAaguid);
    auto att = webauthn::parse_attestation_object(response.attestation_object);
    REQUIRE(att);
    for (auto& [k, v] : att->att_stmt.as_map()) {
      if (k.as_text() == "sig") {
        Bytes sig = v.as_bytes();
        sig[sig.size() / 2] ^= 0x01;
        v = cbor::Value::bytes(sig);
      }
    }
    response.attestation_object = webauthn::serialize_attestation_object(*att);
    CHECK(fails_with(f, response) == RpErrorCode::kAttestationSignatureInvalid);
  }
}

TEST_CASE("rp registration: each client data and authenticator data check") {
  RpForge f;
  SUBCASE("wrong challenge") {
    RegistrationExpectations e;
    e.challenge = {1, 2, 3};
    CHECK(fails_with(f, f.registration(Fmt::kNone), e) == RpErrorCode::kChallengeMismatch);
  }
  SUBCASE("wrong origin") {
    f.origin = "https://login.example.com.evil.example";
    CHECK(fails_with(f, f.registration(Fmt::kNone)) == RpErrorCode::kOriginNotAllowed);
  }
  SUBCASE("a related origin the RP lists is accepted") {
    f.origin = "https://login.example.net";
    f.rp.origins.push_back("https://login.example.net");
    passes(f, f.registration(Fmt::kNone));
  }
  SUBCASE("wrong type") {
    f.reg_type = "webauthn.get";
    CHECK(fails_with(f, f.registration(Fmt::kNone)) == RpErrorCode::kWrongType);
  }
  SUBCASE("wrong RP ID hash") {
    f.rp_id_for_data = "example.com";
    CHECK(fails_with(f, f.registration(Fmt::kNone)) == RpErrorCode::kRpIdHashMismatch);
  }
  SUBCASE("UP clear") { CHECK(fails_with(f, f.registration(Fmt::kNone, 0)) == RpErrorCode::kUserNotPresent); }
  SUBCASE("UV required but absent") {
    RegistrationExpectations e;
    e.require_user_verification = true;
    CHECK(fails_with(f, f.registration(Fmt::kNone, flags::kUp), e) == RpErrorCode::kUserNotVerified);
  }
  SUBCASE("BS without BE") {
    CHECK(fails_with(f, f.registration(Fmt::kNone, flags::kUp | flags::kBs)) == RpErrorCode::kBackupStateInvalid);
  }
  SUBCASE("algorithm not offered") {
    RegistrationExpectations e;
    e.algorithms = {-257};
    CHECK(fails_with(f, f.registration(Fmt::kNone), e) == RpErrorCode::kAlgorithmNotAllowed);
  }
  SUBCASE("credential ID already registered") {
    RegistrationExpectations e;
    e.credential_id_in_use = [&](ByteSpan id) { return Bytes(id.begin(), id.end()) == f.credential_id; };
    CHECK(fails_with(f, f.registration(Fmt::kNone), e) == RpErrorCode::kCredentialIdInUse);
  }
  SUBCASE("a cross-origin frame the RP does not expect") {
    auto r = f.registration(Fmt::kNone);
    std::string cdj(r.client_data_json.begin(), r.client_data_json.end());
    cdj.replace(cdj.find("\"crossOrigin\":false"), 19, "\"crossOrigin\":true,\"topOrigin\":\"https://evil.example\"");
    r.client_data_json = to_bytes(cdj);
    CHECK(fails_with(f, r) == RpErrorCode::kCrossOriginNotAllowed);
    f.rp.allow_cross_origin = true;
    CHECK(fails_with(f, r) == RpErrorCode::kCrossOriginNotAllowed);  // evil.example is no expected top origin
    f.rp.top_origins = {"https://evil.example"};
    passes(f, r);
  }
  SUBCASE("malformed pieces") {
    auto r = f.registration(Fmt::kNone);
    auto bad_json = r;
    bad_json.client_data_json = to_bytes("{\"type\":");
    CHECK(fails_with(f, bad_json) == RpErrorCode::kMalformedClientData);
    auto bad_cbor = r;
    bad_cbor.attestation_object.resize(bad_cbor.attestation_object.size() - 1);
    CHECK(fails_with(f, bad_cbor) == RpErrorCode::kMalformedResponse);
    auto other_id = r;
    other_id.raw_id[0] ^= 1;
    CHECK(fails_with(f, other_id) == RpErrorCode::kMalformedResponse);
  }
}

TEST_CASE("rp metadata: bad files are errors that name the place") {
  struct Case {
    std::string text;
    const char* says;
  } cases[] = {
      {"nope", "not JSON"},
      {"eyJhbGciOiJFUzI1NiJ9.eyJubyI6MX0.c2ln", "JWT"},
      {R"({"description": "x"})", "neither aaguid"},
      {R"({"aaguid": "not-a-uuid"})", "is not a UUID"},
      {R"([{"aaguid": "00000000-0000-0000-0000-000000000000", "attestationRootCertificates": ["%%%"]}])",
       "statement 1: attestationRootCertificates[0] is not base64"},
      {R"({"aaguid": "00000000-0000-0000-0000-000000000000", "attestationRootCertificates": ["AAAA"]})", "not a DER certificate"},
      {R"({"entries": 3})", "entries is not an array"},
      {"42", "neither a metadata statement"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto s = MetadataStore::parse(c.text, "vendor.json");
    REQUIRE_FALSE(s);
    CHECK(s.error().rfind("vendor.json: ", 0) == 0);
    CHECK(s.error().find(c.says) != std::string::npos);
  }
}
