// §7.2 Verifying an Authentication Assertion.
#include <algorithm>

#include "authenticator/authenticator_data.h"
#include "authenticator/crypto/hash.h"
#include "authenticator/crypto/keys.h"
#include "tools/relying_party/client_data_check.h"
#include "tools/relying_party/relying_party.h"
#include "tools/webauthn/cose_key.h"

namespace vfido::rp {

using Fail = tl::unexpected<RpError>;

tl::expected<AuthenticationResult, RpError> verify_assertion(const RelyingPartyConfig& rp,
                                                             const AuthenticationExpectations& expect,
                                                             const CredentialRecord& credential,
                                                             const webauthn::AuthenticationResponse& response) {
  // Step 5: allowCredentials.
  if (!expect.allow_credentials.empty() &&
      std::find(expect.allow_credentials.begin(), expect.allow_credentials.end(), response.raw_id) ==
          expect.allow_credentials.end()) {
    return Fail(RpError{RpErrorCode::kCredentialNotAllowed, "the credential is not in allowCredentials"});
  }
  if (response.raw_id != credential.id) {
    return Fail(RpError{RpErrorCode::kUnknownCredential, "the response is for another credential than the record given"});
  }
  // Step 6: the user.
  if (expect.identified_user) {
    if (credential.user_handle != *expect.identified_user) {
      return Fail(RpError{RpErrorCode::kUnknownCredential, "the credential does not belong to the identified user"});
    }
    if (response.user_handle && *response.user_handle != credential.user_handle) {
      return Fail(RpError{RpErrorCode::kUserHandleMismatch, "userHandle is not the identified user's"});
    }
  } else {
    if (!response.user_handle) {
      return Fail(RpError{RpErrorCode::kUserHandleMissing, "no user was identified and the response has no userHandle"});
    }
    if (*response.user_handle != credential.user_handle) {
      return Fail(RpError{RpErrorCode::kUserHandleMismatch, "userHandle is not the user the credential was registered for"});
    }
  }
  // Steps 8-15: clientDataJSON.
  auto client = check_client_data(response.client_data_json, "webauthn.get", expect.challenge, rp);
  if (!client) return Fail(client.error());
  auto auth_data = AuthenticatorData::parse(response.authenticator_data);
  if (!auth_data) return Fail(RpError{RpErrorCode::kMalformedAuthenticatorData, "authenticatorData does not parse (WebAuthn §6.1)"});
  if (auth_data->attested) {
    return Fail(RpError{RpErrorCode::kMalformedAuthenticatorData, "an assertion's authenticatorData has AT set"});
  }
  // Step 16: rpIdHash.
  if (auth_data->rp_id_hash != crypto::sha256(as_span(rp.rp_id))) {
    return Fail(RpError{RpErrorCode::kRpIdHashMismatch, "authenticatorData.rpIdHash is not SHA-256(\"" + rp.rp_id + "\")"});
  }
  const std::uint8_t f = auth_data->flags;
  // Steps 17-19: UP, UV, BS without BE.
  if ((f & flags::kUp) == 0) return Fail(RpError{RpErrorCode::kUserNotPresent, "the UP flag is clear"});
  if (expect.require_user_verification && (f & flags::kUv) == 0) {
    return Fail(RpError{RpErrorCode::kUserNotVerified, "user verification is required and the UV flag is clear"});
  }
  const bool be = (f & flags::kBe) != 0;
  const bool bs = (f & flags::kBs) != 0;
  if (!be && bs) return Fail(RpError{RpErrorCode::kBackupStateInvalid, "BS is set while BE is clear (WebAuthn §6.1.3)"});
  // Step 20: BE never changes for a credential.
  if (be != credential.backup_eligible) {
    return Fail(RpError{RpErrorCode::kBackupEligibilityChanged,
                        std::string("BE is ") + (be ? "set" : "clear") + " but was " + (credential.backup_eligible ? "set" : "clear") +
                            " at registration"});
  }
  // Steps 21-22: the signature over authenticatorData || SHA-256(clientDataJSON).
  const auto hash = crypto::sha256(response.client_data_json);
  Bytes msg = response.authenticator_data;
  msg.insert(msg.end(), hash.begin(), hash.end());
  if (!crypto::verify_signature(credential.public_key, msg, response.signature)) {
    return Fail(RpError{RpErrorCode::kSignatureInvalid, "the assertion signature does not verify with the stored " +
                                                            webauthn::cose_alg_name(credential.algorithm) + " key"});
  }
  AuthenticationResult out;
  out.flags = f;
  out.user_verified = (f & flags::kUv) != 0;
  out.client_data_origin = client->origin;
  // Step 23: the signature counter. 0 and 0 mean the authenticator keeps no counter (synced
  // providers), which is not a regression.
  const std::uint32_t count = auth_data->sign_count;
  if (count == 0 && credential.sign_count == 0) {
    out.counter_supported = false;
  } else if (count <= credential.sign_count) {
    out.counter_regressed = true;
    if (expect.reject_counter_regression) {
      return Fail(RpError{RpErrorCode::kCounterRegression,
                          "signCount " + std::to_string(count) + " is not above the stored " +
                              std::to_string(credential.sign_count) + ": the authenticator may be cloned"});
    }
  }
  // Step 25: update the record.
  out.credential = credential;
  out.credential.sign_count = count;
  out.credential.backup_state = bs;
  if (!out.credential.uv_initialized) out.credential.uv_initialized = out.user_verified;
  return out;
}

tl::expected<AuthenticationResult, RpError> verify_authentication(const RelyingPartyConfig& rp,
                                                                  const AuthenticationExpectations& expect,
                                                                  const std::vector<CredentialRecord>& records,
                                                                  const webauthn::AuthenticationResponse& response) {
  if (!expect.allow_credentials.empty() &&
      std::find(expect.allow_credentials.begin(), expect.allow_credentials.end(), response.raw_id) ==
          expect.allow_credentials.end()) {
    return Fail(RpError{RpErrorCode::kCredentialNotAllowed, "the credential is not in allowCredentials"});
  }
  for (const auto& r : records) {
    if (r.id == response.raw_id && r.rp_id == rp.rp_id) return verify_assertion(rp, expect, r, response);
  }
  return Fail(RpError{RpErrorCode::kUnknownCredential, "no credential with this ID is registered for " + rp.rp_id});
}

}  // namespace vfido::rp
