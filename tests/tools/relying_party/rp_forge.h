// Registration and assertion responses made by hand (authenticator data, attestation statements
// and signatures from the core's own builders), so that each relying-party check can be hit with
// one field changed. Attestation material comes from tests/authenticator/attestation_scenario.h.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>

#include "authenticator/attestation.h"
#include "authenticator/authenticator_data.h"
#include "authenticator/crypto/hash.h"
#include "authenticator/env/rng.h"
#include "tests/authenticator/attestation_scenario.h"
#include "tools/relying_party/relying_party.h"
#include "tools/webauthn/attestation_object.h"
#include "authenticator/base64.h"

namespace vfido::test {

enum class Fmt { kNone, kSelf, kPacked, kU2f };

struct RpForge {
  explicit RpForge(std::int64_t alg = cose::kAlgEs256, std::uint64_t seed = 11)
      : rng(seed), key(expect_ok(crypto::PrivateKey::generate(alg, rng), "credential key")) {
    credential_id = rng.bytes(16);
    rp.rp_id = "login.example.com";
    rp.origins = {"https://login.example.com"};
    rp.now = kTestNow;
  }

  // The attestation CA and material, made on first use.
  const AttestationMaterial& material() {
    if (!material_) {
      ca = expect_ok(generate_attestation_ca(scenario_ca_spec(kTestNow), rng), "CA");
      material_ = std::make_shared<AttestationMaterial>(expect_ok(issue_attestation_material(*ca, scenario_leaf_spec(kTestNow), rng), "material"));
    }
    return *material_;
  }
  // {"aaguid": ..., "attestationRootCertificates": [root]} as MDS3 JSON.
  nlohmann::json statement(const crypto::Certificate& root, const ByteArray<kAaguidLen>& aaguid = kTestAaguid) {
    return {{"aaguid", rp::format_aaguid(aaguid)},
            {"description", "vfido test key"},
            {"protocolFamily", "fido2"},
            {"attestationTypes", {"basic_full"}},
            {"attestationRootCertificates", {vfido::base64_encode(root.der())}}};
  }

  std::string client_data(const char* type) const {
    return std::string("{\"type\":\"") + type + "\",\"challenge\":\"" + vfido::base64url_encode(challenge) +
           "\",\"origin\":\"" + origin + "\",\"crossOrigin\":false}";
  }

  webauthn::RegistrationResponse registration(Fmt fmt, std::uint8_t flags = flags::kUp | flags::kUv,
                                              const ByteArray<kAaguidLen>& aaguid = kTestAaguid) {
    AuthenticatorData ad;
    ad.rp_id_hash = crypto::sha256(as_span(rp_id_for_data.empty() ? rp.rp_id : rp_id_for_data));
    ad.flags = flags;
    ad.sign_count = 0;
    ad.attested = AttestedCredentialData{aaguid, credential_id, key.public_cose()};
    const Bytes auth_data = expect_ok(ad.serialize(), "authData");
    const std::string cdj = client_data(reg_type);
    const auto cdh = crypto::sha256(as_span(cdj));
    webauthn::AttestationObject att;
    att.auth_data = auth_data;
    switch (fmt) {
      case Fmt::kNone:
        att.fmt = "none";
        att.att_stmt = cbor::Value::map();
        break;
      case Fmt::kSelf: {
        auto st = expect_ok(make_attestation(AttestationMode::kSelf, key, auth_data, cdh), "self");
        att.fmt = st.fmt;
        att.att_stmt = st.att_stmt;
        break;
      }
      case Fmt::kPacked: {
        auto st = expect_ok(make_packed_attestation(material(), auth_data, cdh), "packed");
        att.fmt = st.fmt;
        att.att_stmt = st.att_stmt;
        break;
      }
      case Fmt::kU2f: {
        auto st = expect_ok(make_fido_u2f_attestation(material(), ad.rp_id_hash, cdh, credential_id, key.public_bytes()), "u2f");
        att.fmt = st.fmt;
        att.att_stmt = st.att_stmt;
        break;
      }
    }
    webauthn::RegistrationResponse r;
    r.raw_id = credential_id;
    r.client_data_json = to_bytes(cdj);
    r.attestation_object = webauthn::serialize_attestation_object(att);
    r.authenticator_data = auth_data;
    r.transports = {"usb"};
    r.public_key_algorithm = key.cose_alg();
    return r;
  }

  webauthn::AuthenticationResponse assertion(std::uint8_t flags, std::uint32_t counter, std::optional<Bytes> user_handle) {
    AuthenticatorData ad;
    ad.rp_id_hash = crypto::sha256(as_span(rp_id_for_data.empty() ? rp.rp_id : rp_id_for_data));
    ad.flags = flags;
    ad.sign_count = counter;
    const Bytes auth_data = expect_ok(ad.serialize(), "authData");
    const std::string cdj = client_data(get_type);
    const auto cdh = crypto::sha256(as_span(cdj));
    Bytes msg = auth_data;
    msg.insert(msg.end(), cdh.begin(), cdh.end());
    webauthn::AuthenticationResponse r;
    r.raw_id = credential_id;
    r.client_data_json = to_bytes(cdj);
    r.authenticator_data = auth_data;
    r.signature = expect_ok(key.sign(msg), "signature");
    r.user_handle = std::move(user_handle);
    return r;
  }

  SeededRng rng;
  crypto::PrivateKey key;
  Bytes credential_id;
  Bytes challenge = {0xc0, 0xff, 0xee, 0x01, 0x02, 0x03, 0x04, 0x05};
  std::string origin = "https://login.example.com";
  std::string rp_id_for_data;  // when set, authData carries this RP ID's hash instead
  const char* reg_type = "webauthn.create";
  const char* get_type = "webauthn.get";
  rp::RelyingPartyConfig rp;
  std::optional<AttestationCa> ca;

 private:
  std::shared_ptr<AttestationMaterial> material_;
};

}  // namespace vfido::test
