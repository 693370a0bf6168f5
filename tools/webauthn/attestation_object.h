// The attestation object (WebAuthn L3 §6.5.4): the CBOR map {"fmt": text, "attStmt": map,
// "authData": bytes} a client assembles from the three members of a CTAP makeCredential
// response (CTAP 2.1 §6.1 response keys 0x01-0x03) and a relying party takes apart.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"

namespace vfido::webauthn {

struct AttestationObject {
  std::string fmt;       // "packed", "fido-u2f", "none", ...
  cbor::Value att_stmt;  // a CBOR map
  Bytes auth_data;       // authenticator data (WebAuthn §6.1), raw bytes
};

// The largest attestation object read: ample for an x5c chain of a few certificates.
inline constexpr std::size_t kMaxAttestationObjectLen = 64 * 1024;

// CTAP2 canonical CBOR (what browsers send); fmt a text string of 1..32 printable ASCII
// characters (WebAuthn §8.1), attStmt a map, authData a byte string; other keys are errors.
tl::expected<AttestationObject, std::string> parse_attestation_object(ByteSpan bytes);
// CTAP2 canonical CBOR (map keys "fmt", "attStmt", "authData" in canonical order).
Bytes serialize_attestation_object(const AttestationObject& object);

}  // namespace vfido::webauthn
