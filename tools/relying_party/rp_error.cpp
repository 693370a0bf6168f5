#include "tools/relying_party/rp_error.h"

namespace vfido::rp {

std::string_view code_name(RpErrorCode c) {
  switch (c) {
    case RpErrorCode::kMalformedResponse: return "malformed-response";
    case RpErrorCode::kMalformedClientData: return "malformed-client-data";
    case RpErrorCode::kWrongType: return "wrong-type";
    case RpErrorCode::kChallengeMismatch: return "challenge-mismatch";
    case RpErrorCode::kOriginNotAllowed: return "origin-not-allowed";
    case RpErrorCode::kCrossOriginNotAllowed: return "cross-origin-not-allowed";
    case RpErrorCode::kRpIdHashMismatch: return "rp-id-hash-mismatch";
    case RpErrorCode::kUserNotPresent: return "user-not-present";
    case RpErrorCode::kUserNotVerified: return "user-not-verified";
    case RpErrorCode::kBackupStateInvalid: return "backup-state-invalid";
    case RpErrorCode::kBackupEligibilityChanged: return "backup-eligibility-changed";
    case RpErrorCode::kAlgorithmNotAllowed: return "algorithm-not-allowed";
    case RpErrorCode::kMalformedPublicKey: return "malformed-public-key";
    case RpErrorCode::kMalformedAuthenticatorData: return "malformed-authenticator-data";
    case RpErrorCode::kUnsupportedAttestationFormat: return "unsupported-attestation-format";
    case RpErrorCode::kInvalidAttestationStatement: return "invalid-attestation-statement";
    case RpErrorCode::kAttestationSignatureInvalid: return "attestation-signature-invalid";
    case RpErrorCode::kAttestationNotTrusted: return "attestation-not-trusted";
    case RpErrorCode::kCredentialIdTooLong: return "credential-id-too-long";
    case RpErrorCode::kCredentialIdInUse: return "credential-id-in-use";
    case RpErrorCode::kCredentialNotAllowed: return "credential-not-allowed";
    case RpErrorCode::kUnknownCredential: return "unknown-credential";
    case RpErrorCode::kUserHandleMismatch: return "user-handle-mismatch";
    case RpErrorCode::kUserHandleMissing: return "user-handle-missing";
    case RpErrorCode::kSignatureInvalid: return "signature-invalid";
    case RpErrorCode::kCounterRegression: return "counter-regression";
  }
  return "unknown";
}

}  // namespace vfido::rp
