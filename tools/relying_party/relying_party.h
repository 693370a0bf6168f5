// The relying-party emulator: WebAuthn L3 §7.1 "Registering a New Credential" and §7.2
// "Verifying an Authentication Assertion" as a server runs them, on the JSON forms a page posts
// (tools/webauthn/public_key_credential.h). Pure functions of their inputs: the caller keeps
// the credential records and issues the challenges. Policy (which authenticators, synced or
// not, attestation required) is the policy engine's; this layer verifies and reports the facts
// it needs, and fails only where WebAuthn says a ceremony fails (plus the few switches below).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "tools/relying_party/credential_record.h"
#include "tools/relying_party/metadata.h"
#include "tools/relying_party/rp_error.h"
#include "tools/webauthn/public_key_credential.h"

namespace vfido::rp {

struct RelyingPartyConfig {
  std::string rp_id;
  // Origins the RP accepts in clientDataJSON (§13.4.9 "Validating the origin"), serialized
  // ("https://login.example.com", ports only when not the default). Related origins that the
  // RP lists in its /.well-known/webauthn belong here too.
  std::vector<std::string> origins;
  // Frames: whether crossOrigin:true is expected, and the top-level origins allowed then.
  bool allow_cross_origin = false;
  std::vector<std::string> top_origins;
  // Trust anchors for x5c attestation; null: every x5c is kNoMetadata.
  const MetadataStore* metadata = nullptr;
  // Unix time at which certificates are validated; 0: the current time.
  std::int64_t now = 0;
};

enum class AttestationRequirement : std::uint8_t {
  kAny,      // record whatever attestation came (none, self, untrusted x5c alike)
  kTrusted,  // §7.1 step 23: fail unless x5c chains to a metadata root
};

struct RegistrationExpectations {
  Bytes challenge;
  bool require_user_verification = false;
  bool require_user_presence = true;  // false only for conditional create (§7.1 step 15)
  // pubKeyCredParams algorithms (§7.1 step 19); empty means the WebAuthn default ES256, RS256.
  std::vector<std::int64_t> algorithms;
  AttestationRequirement attestation = AttestationRequirement::kAny;
  // §7.1 step 26: whether a credential ID is already registered (to any user). Optional.
  std::function<bool(ByteSpan)> credential_id_in_use;
  Bytes user_handle;  // user.id of the account being registered; copied into the record
};

struct RegistrationResult {
  CredentialRecord credential;
  std::uint8_t flags = 0;
  std::string client_data_origin;
};

tl::expected<RegistrationResult, RpError> verify_registration(const RelyingPartyConfig& rp,
                                                              const RegistrationExpectations& expect,
                                                              const webauthn::RegistrationResponse& response);

struct AuthenticationExpectations {
  Bytes challenge;
  bool require_user_verification = false;
  // allowCredentials of the request (§7.2 step 5); empty for a discoverable-credential request.
  std::vector<Bytes> allow_credentials;
  // The account identified before the ceremony (username typed first), if any (§7.2 step 6).
  std::optional<Bytes> identified_user;
  // Fail on a counter that did not increase (§7.2 step 22 leaves this to the RP); when false
  // the regression is reported in the result instead.
  bool reject_counter_regression = true;
};

struct AuthenticationResult {
  CredentialRecord credential;   // updated: signCount, backupState, uvInitialized
  std::uint8_t flags = 0;
  bool user_verified = false;
  bool counter_supported = true;  // false when both counters are 0 (synced providers)
  bool counter_regressed = false;
  std::string client_data_origin;
};

// Looks the credential up in `records` by ID (and, for a discoverable request, by the response's
// user handle) before verifying: §7.2 steps 5-6 and the verification proper.
tl::expected<AuthenticationResult, RpError> verify_authentication(const RelyingPartyConfig& rp,
                                                                  const AuthenticationExpectations& expect,
                                                                  const std::vector<CredentialRecord>& records,
                                                                  const webauthn::AuthenticationResponse& response);

// The same for a caller that already holds the credential record.
tl::expected<AuthenticationResult, RpError> verify_assertion(const RelyingPartyConfig& rp,
                                                             const AuthenticationExpectations& expect,
                                                             const CredentialRecord& credential,
                                                             const webauthn::AuthenticationResponse& response);

}  // namespace vfido::rp
