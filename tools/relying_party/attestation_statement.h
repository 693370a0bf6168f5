// Attestation statement verification procedures (WebAuthn L3 §8.2 packed, §8.6 fido-u2f, §8.7
// none) and the trust assessment of §7.1 steps 22-23 against metadata statements.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "authenticator/authenticator_data.h"
#include "tools/relying_party/credential_record.h"
#include "tools/relying_party/relying_party.h"
#include "tools/webauthn/attestation_object.h"
#include "tools/webauthn/cose_key.h"

namespace vfido::rp {

struct AttestationOutcome {
  AttestationType type = AttestationType::kNone;
  TrustResult trust = TrustResult::kNotApplicable;
  std::string trust_detail;
  std::string metadata_description;
  std::string subject;  // attestation certificate subject (x5c only)
};

// `auth_data` is the parsed authData of `object` (with attested credential data), `credential_key`
// its credential public key, `client_data_hash` SHA-256(clientDataJSON). A statement that does
// not verify is an error; one that verifies but does not chain to metadata is a kNoMetadata or
// kUntrusted outcome (the caller decides whether that fails the ceremony).
tl::expected<AttestationOutcome, RpError> verify_attestation_statement(const webauthn::AttestationObject& object,
                                                                       const AuthenticatorData& auth_data,
                                                                       const webauthn::CoseKey& credential_key,
                                                                       ByteSpan client_data_hash,
                                                                       const RelyingPartyConfig& rp);

}  // namespace vfido::rp
