// Why a relying party refused a registration or an assertion: a code a program can switch on
// and a sentence a person can read. Every failure of the RP emulator is one of these values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vfido::rp {

enum class RpErrorCode : std::uint8_t {
  kMalformedResponse,          // the credential/JSON/CBOR is not what WebAuthn defines
  kMalformedClientData,        // clientDataJSON is not UTF-8 JSON with the required members
  kWrongType,                  // C.type is not webauthn.create / webauthn.get
  kChallengeMismatch,          // C.challenge is not the challenge the RP issued
  kOriginNotAllowed,           // C.origin is not one of the RP's origins (related ones included)
  kCrossOriginNotAllowed,      // C.crossOrigin/topOrigin where the RP expects none, or an unknown top origin
  kRpIdHashMismatch,           // authData.rpIdHash is not SHA-256(RP ID)
  kUserNotPresent,             // UP flag clear
  kUserNotVerified,            // UV required, flag clear
  kBackupStateInvalid,         // BS set without BE
  kBackupEligibilityChanged,   // BE differs from the stored credential's
  kAlgorithmNotAllowed,        // the credential's algorithm is not in pubKeyCredParams
  kMalformedPublicKey,         // the COSE key is unusable
  kMalformedAuthenticatorData, // authData does not parse, or AT/ED disagree with its content
  kUnsupportedAttestationFormat,
  kInvalidAttestationStatement,  // attStmt has the wrong shape, or a certificate breaks §8.2.1
  kAttestationSignatureInvalid,
  kAttestationNotTrusted,      // the RP requires a trusted attestation and this is not one
  kCredentialIdTooLong,        // > 1023 bytes
  kCredentialIdInUse,          // already registered
  kCredentialNotAllowed,       // the credential is not in allowCredentials
  kUnknownCredential,          // no stored credential with this ID (for this user)
  kUserHandleMismatch,         // userHandle is not the credential's user
  kUserHandleMissing,          // discoverable flow without a userHandle
  kSignatureInvalid,           // the assertion signature does not verify
  kCounterRegression,          // signCount did not increase (a possible clone)
};

std::string_view code_name(RpErrorCode c);  // "signature-invalid", ...

struct RpError {
  RpErrorCode code;
  std::string reason;
  // "signature-invalid: the assertion signature does not verify with the stored ES256 key"
  std::string to_string() const { return std::string(code_name(code)) + ": " + reason; }
};

}  // namespace vfido::rp
