#include "tools/relying_party/credential_record.h"

#include "authenticator/cbor/codec.h"
#include "tools/relying_party/metadata.h"
#include "authenticator/base64.h"

namespace vfido::rp {

using json = nlohmann::json;

std::string_view to_string(AttestationType t) {
  switch (t) {
    case AttestationType::kNone: return "none";
    case AttestationType::kSelf: return "self";
    case AttestationType::kBasic: return "basic";
    case AttestationType::kAttCa: return "attca";
    case AttestationType::kUncertain: return "basic-or-attca";
  }
  return "?";
}

std::string_view to_string(TrustResult t) {
  switch (t) {
    case TrustResult::kNotApplicable: return "not-applicable";
    case TrustResult::kTrusted: return "trusted";
    case TrustResult::kNoMetadata: return "no-metadata";
    case TrustResult::kUntrusted: return "untrusted";
  }
  return "?";
}

json to_json(const CredentialRecord& c) {
  auto key = cbor::encode(c.public_key);
  return json{
      {"id", vfido::base64url_encode(c.id)},
      {"rpId", c.rp_id},
      {"userHandle", vfido::base64url_encode(c.user_handle)},
      {"publicKey", vfido::base64url_encode(key ? *key : Bytes{})},
      {"algorithm", c.algorithm},
      {"signCount", c.sign_count},
      {"uvInitialized", c.uv_initialized},
      {"transports", c.transports},
      {"backupEligible", c.backup_eligible},
      {"backupState", c.backup_state},
      {"credentialDeviceType", c.credential_device_type()},
      {"aaguid", format_aaguid(c.aaguid)},
      {"attestationFormat", c.attestation_format},
      {"attestationType", std::string(to_string(c.attestation_type))},
      {"trust", std::string(to_string(c.trust))},
      {"trustDetail", c.trust_detail},
      {"metadataDescription", c.metadata_description},
      {"attestationSubject", c.attestation_subject},
  };
}

tl::expected<CredentialRecord, std::string> credential_record_from_json(const json& j) {
  using Err = tl::unexpected<std::string>;
  if (!j.is_object()) return Err("credential record is not a JSON object");
  try {
    CredentialRecord c;
    auto b64 = [&](const char* k) -> std::optional<Bytes> { return vfido::base64url_decode(j.at(k).get<std::string>()); };
    auto id = b64("id");
    auto uh = b64("userHandle");
    auto pk = b64("publicKey");
    if (!id || !uh || !pk) return Err("credential record: id, userHandle or publicKey is not base64url");
    auto key = cbor::decode(*pk);
    if (!key || !key->is_map()) return Err("credential record: publicKey is not a COSE_Key");
    auto aaguid = parse_aaguid(j.at("aaguid").get<std::string>());
    if (!aaguid) return Err("credential record: aaguid is not a UUID");
    c.id = *id;
    c.user_handle = *uh;
    c.public_key = *key;
    c.aaguid = *aaguid;
    c.rp_id = j.at("rpId").get<std::string>();
    c.algorithm = j.at("algorithm").get<std::int64_t>();
    c.sign_count = j.at("signCount").get<std::uint32_t>();
    c.uv_initialized = j.value("uvInitialized", false);
    c.transports = j.value("transports", std::vector<std::string>{});
    c.backup_eligible = j.at("backupEligible").get<bool>();
    c.backup_state = j.at("backupState").get<bool>();
    c.attestation_format = j.value("attestationFormat", "none");
    const std::string type = j.value("attestationType", "none");
    for (auto t : {AttestationType::kNone, AttestationType::kSelf, AttestationType::kBasic, AttestationType::kAttCa,
                   AttestationType::kUncertain}) {
      if (to_string(t) == type) c.attestation_type = t;
    }
    const std::string trust = j.value("trust", "not-applicable");
    for (auto t : {TrustResult::kNotApplicable, TrustResult::kTrusted, TrustResult::kNoMetadata, TrustResult::kUntrusted}) {
      if (to_string(t) == trust) c.trust = t;
    }
    c.trust_detail = j.value("trustDetail", "");
    c.metadata_description = j.value("metadataDescription", "");
    c.attestation_subject = j.value("attestationSubject", "");
    return c;
  } catch (const json::exception& e) {
    return Err(std::string("credential record: ") + e.what());
  }
}

}  // namespace vfido::rp
