// The inputs of navigator.credentials.create()/get() that the emulator honours: WebAuthn L3
// §5.4 PublicKeyCredentialCreationOptions, §5.5 PublicKeyCredentialRequestOptions, and the
// client extension inputs of §10 (credProps, prf, largeBlob) and CTAP 2.1 §12 (credProtect,
// credBlob/getCredBlob) as the WebAuthn names carry them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "authenticator/bytes.h"

namespace vfido::webauthn {

enum class UserVerification : std::uint8_t { kRequired, kPreferred, kDiscouraged };
enum class ResidentKey : std::uint8_t { kRequired, kPreferred, kDiscouraged };
enum class Attachment : std::uint8_t { kPlatform, kCrossPlatform };
enum class AttestationConveyance : std::uint8_t { kNone, kIndirect, kDirect, kEnterprise };
enum class Mediation : std::uint8_t { kOptional, kConditional };

// §5.8.3 PublicKeyCredentialDescriptor.
struct CredentialDescriptor {
  std::string type = "public-key";
  Bytes id;
  std::vector<std::string> transports;
};

// §5.8.2 PublicKeyCredentialParameters.
struct CredentialParameters {
  std::string type = "public-key";
  std::int64_t alg = -7;
};

// §10.1.4 prf: AuthenticationExtensionsPRFValues.
struct PrfValues {
  Bytes first;
  std::optional<Bytes> second;
};

struct CreateExtensions {
  bool cred_props = false;                                // §10.1.3
  std::optional<std::string> credential_protection_policy;  // CTAP 2.1 §12.1: "userVerificationOptional",
                                                          // "userVerificationOptionalWithCredentialIDList",
                                                          // "userVerificationRequired"
  bool enforce_credential_protection_policy = false;
  bool prf = false;                                       // §10.1.4: {} (eval at creation is not supported by CTAP 2.1)
  bool prf_eval_by_credential = false;                    // present on create -> NotSupportedError
  std::optional<Bytes> cred_blob;                         // CTAP 2.1 §12.2 credBlob
  std::optional<std::string> large_blob_support;          // §10.1.5: "required" | "preferred"
  bool large_blob_read_or_write = false;                  // present on create -> NotSupportedError
};

struct GetExtensions {
  std::optional<PrfValues> prf_eval;                      // §10.1.4 eval
  std::map<std::string, PrfValues> prf_eval_by_credential;  // base64url credential ID -> inputs
  bool get_cred_blob = false;                             // CTAP 2.1 §12.2
  bool large_blob_read = false;                           // §10.1.5
  std::optional<Bytes> large_blob_write;
  bool large_blob_support_given = false;                  // present on get -> NotSupportedError
};

// §5.4 PublicKeyCredentialCreationOptions.
struct CreationOptions {
  std::optional<std::string> rp_id;  // rp.id; absent -> the caller's effective domain
  std::string rp_name = "vfido RP";
  Bytes user_id;                     // 1..64 bytes (§5.4.3)
  std::string user_name;
  std::string user_display_name;
  Bytes challenge;
  std::vector<CredentialParameters> pub_key_cred_params;  // empty -> ES256, RS256 (§5.1.3 step 10)
  std::optional<std::uint32_t> timeout_ms;
  std::vector<CredentialDescriptor> exclude_credentials;
  std::optional<Attachment> authenticator_attachment;
  std::optional<ResidentKey> resident_key;
  bool require_resident_key = false;
  UserVerification user_verification = UserVerification::kPreferred;
  AttestationConveyance attestation = AttestationConveyance::kNone;
  CreateExtensions extensions;
  Mediation mediation = Mediation::kOptional;
};

// §5.5 PublicKeyCredentialRequestOptions.
struct RequestOptions {
  std::optional<std::string> rp_id;
  Bytes challenge;
  std::optional<std::uint32_t> timeout_ms;
  std::vector<CredentialDescriptor> allow_credentials;
  UserVerification user_verification = UserVerification::kPreferred;
  GetExtensions extensions;
  Mediation mediation = Mediation::kOptional;
};

}  // namespace vfido::webauthn
