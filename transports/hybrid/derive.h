// caBLE v2 key derivation by purpose (hybrid-protocol.md §2): HKDF-SHA-256 (RFC 5869) whose
// `info` is the purpose number as a 4-byte little-endian integer. The purpose numbers are frozen
// protocol constants (Chromium's DerivedValueType): never renumber them.
#pragma once

#include <cstdint>

#include "authenticator/bytes.h"
#include "authenticator/crypto/secret.h"

namespace vfido::cable {

enum class DerivedValueType : std::uint32_t {
  kEidKey = 1,              // advert AES-256 key || HMAC key (64 bytes)
  kTunnelId = 2,            // the /cable/new and /cable/connect path (16 bytes)
  kPsk = 3,                 // the Noise pre-shared key (32 bytes), salted with the EID plaintext
  kPairedSecret = 4,        // phone side: the link secret, salted with the link ID
  kIdentityKeySeed = 5,     // phone side: seed of the identity key, from the root secret
  kPerContactIdSecret = 6,  // phone side: intermediate for kPairedSecret, salted with the contact ID
};

// Sizes fixed by the protocol (hybrid-protocol.md §2).
inline constexpr std::size_t kQrSecretLen = 16;
inline constexpr std::size_t kEidKeyLen = 64;
inline constexpr std::size_t kTunnelIdLen = 16;
inline constexpr std::size_t kPskLen = 32;
inline constexpr std::size_t kLinkSecretLen = 32;
inline constexpr std::size_t kRootSecretLen = 32;

// HKDF(ikm = secret, salt, info = LE32(purpose), length). An empty salt is RFC 5869's default
// (32 zero bytes).
crypto::SecretBytes derive(ByteSpan secret, ByteSpan salt, DerivedValueType purpose, std::size_t length);

}  // namespace vfido::cable
