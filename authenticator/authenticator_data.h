// Authenticator data (WebAuthn L3 §6.1) and attested credential data (§6.5.1): the bytes that
// makeCredential and getAssertion sign. Built with ByteWriter, parsed with ByteReader (style.md
// §8); the parser is for tests and host-side tools.
//
//   rpIdHash (32) || flags (1) || signCount (4, BE)
//   [ AT: aaguid (16) || credentialIdLength (2, BE) || credentialId || credentialPublicKey (COSE) ]
//   [ ED: extensions (CBOR map) ]
#pragma once

#include <cstdint>
#include <optional>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"
#include "authenticator/ctap_constants.h"

namespace vfido {

// WebAuthn §6.5.1 attested credential data.
struct AttestedCredentialData {
  ByteArray<kAaguidLen> aaguid{};
  Bytes credential_id;          // 1..1023 bytes
  cbor::Value public_key;       // the COSE_Key map (WebAuthn §6.5.1.1)
  bool operator==(const AttestedCredentialData&) const = default;
};

struct AuthenticatorData {
  ByteArray<kRpIdHashLen> rp_id_hash{};
  // The flags byte (flags::kUp, kUv, kBe, kBs...). serialize() derives AT and ED from the
  // presence of `attested` and `extensions` and ignores those two bits here; parse() keeps the
  // byte exactly as it was on the wire.
  std::uint8_t flags = 0;
  std::uint32_t sign_count = 0;
  std::optional<AttestedCredentialData> attested;
  std::optional<cbor::Value> extensions;  // a CBOR map

  // WebAuthn §6.1. Fails (kOther) only on an unencodable COSE key or extensions map, or a
  // credential ID outside 1..1023 bytes.
  Result<Bytes> serialize() const;

  // Strict parse: truncation or trailing bytes are kInvalidLength; a bad COSE key or extensions
  // map is kInvalidCbor; AT/ED must match what follows.
  static Result<AuthenticatorData> parse(ByteSpan bytes);

  // The flags byte as serialize() writes it.
  std::uint8_t wire_flags() const;

  bool operator==(const AuthenticatorData&) const = default;
};

}  // namespace vfido
