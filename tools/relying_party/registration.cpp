// §7.1 Registering a New Credential.
#include <algorithm>

#include "authenticator/authenticator_data.h"
#include "authenticator/crypto/hash.h"
#include "tools/relying_party/attestation_statement.h"
#include "tools/relying_party/client_data_check.h"
#include "tools/relying_party/relying_party.h"
#include "tools/webauthn/attestation_object.h"
#include "tools/webauthn/cose_key.h"

namespace vfido::rp {

tl::expected<RegistrationResult, RpError> verify_registration(const RelyingPartyConfig& rp,
                                                              const RegistrationExpectations& expect,
                                                              const webauthn::RegistrationResponse& response) {
  using Fail = tl::unexpected<RpError>;
  // Steps 5-12: clientDataJSON.
  auto client = check_client_data(response.client_data_json, "webauthn.create", expect.challenge, rp);
  if (!client) return Fail(client.error());
  // Step 13: hash.
  const auto hash = crypto::sha256(response.client_data_json);
  // Step 14: the attestation object.
  auto object = webauthn::parse_attestation_object(response.attestation_object);
  if (!object) return Fail(RpError{RpErrorCode::kMalformedResponse, object.error()});
  if (!response.authenticator_data.empty() && response.authenticator_data != object->auth_data) {
    return Fail(RpError{RpErrorCode::kMalformedResponse, "response.authenticatorData differs from the attestation object's authData"});
  }
  auto auth_data = AuthenticatorData::parse(object->auth_data);
  if (!auth_data) return Fail(RpError{RpErrorCode::kMalformedAuthenticatorData, "authData does not parse (WebAuthn §6.1)"});
  if (!auth_data->attested) {
    return Fail(RpError{RpErrorCode::kMalformedAuthenticatorData, "authData of a registration has no attested credential data (AT clear)"});
  }
  // Step 15: rpIdHash.
  if (auth_data->rp_id_hash != crypto::sha256(as_span(rp.rp_id))) {
    return Fail(RpError{RpErrorCode::kRpIdHashMismatch, "authData.rpIdHash is not SHA-256(\"" + rp.rp_id + "\")"});
  }
  const std::uint8_t f = auth_data->flags;
  // Steps 16-18: UP, UV, BS without BE.
  if (expect.require_user_presence && (f & flags::kUp) == 0) {
    return Fail(RpError{RpErrorCode::kUserNotPresent, "the UP flag is clear"});
  }
  if (expect.require_user_verification && (f & flags::kUv) == 0) {
    return Fail(RpError{RpErrorCode::kUserNotVerified, "user verification is required and the UV flag is clear"});
  }
  if ((f & flags::kBe) == 0 && (f & flags::kBs) != 0) {
    return Fail(RpError{RpErrorCode::kBackupStateInvalid, "BS is set while BE is clear (WebAuthn §6.1.3)"});
  }
  // Step 21: the credential public key and its algorithm.
  auto key = webauthn::parse_cose_key(auth_data->attested->public_key);
  if (!key) return Fail(RpError{RpErrorCode::kMalformedPublicKey, key.error()});
  std::vector<std::int64_t> algs = expect.algorithms.empty() ? std::vector<std::int64_t>{-7, -257} : expect.algorithms;
  if (std::find(algs.begin(), algs.end(), key->alg) == algs.end()) {
    return Fail(RpError{RpErrorCode::kAlgorithmNotAllowed, "the credential key is " + webauthn::cose_alg_name(key->alg) +
                                                               ", not one of pubKeyCredParams"});
  }
  // Steps 20-23: the attestation statement and its trust.
  auto attestation = verify_attestation_statement(*object, *auth_data, *key, hash, rp);
  if (!attestation) return Fail(attestation.error());
  if (expect.attestation == AttestationRequirement::kTrusted && attestation->trust != TrustResult::kTrusted) {
    return Fail(RpError{RpErrorCode::kAttestationNotTrusted,
                        "the RP requires a trusted attestation and got " + std::string(to_string(attestation->type)) +
                            " (" + attestation->trust_detail + ")"});
  }
  // Steps 25-26: the credential ID.
  const Bytes& id = auth_data->attested->credential_id;
  if (id.size() > 1023) return Fail(RpError{RpErrorCode::kCredentialIdTooLong, "the credential ID is longer than 1023 bytes"});
  if (response.raw_id != id) {
    return Fail(RpError{RpErrorCode::kMalformedResponse, "rawId differs from the credential ID in authData"});
  }
  if (expect.credential_id_in_use && expect.credential_id_in_use(id)) {
    return Fail(RpError{RpErrorCode::kCredentialIdInUse, "the credential ID is already registered"});
  }
  // Step 27: the credential record.
  RegistrationResult out;
  out.flags = f;
  out.client_data_origin = client->origin;
  CredentialRecord& c = out.credential;
  c.id = id;
  c.rp_id = rp.rp_id;
  c.user_handle = expect.user_handle;
  c.public_key = key->cose;
  c.algorithm = key->alg;
  c.sign_count = auth_data->sign_count;
  c.uv_initialized = (f & flags::kUv) != 0;
  c.transports = response.transports;
  c.backup_eligible = (f & flags::kBe) != 0;
  c.backup_state = (f & flags::kBs) != 0;
  c.aaguid = auth_data->attested->aaguid;
  c.attestation_format = object->fmt;
  c.attestation_type = attestation->type;
  c.trust = attestation->trust;
  c.trust_detail = attestation->trust_detail;
  c.metadata_description = attestation->metadata_description;
  c.attestation_subject = attestation->subject;
  return out;
}

}  // namespace vfido::rp
