#include "transports/hybrid/derive.h"

#include "authenticator/crypto/hash.h"

namespace vfido::cable {

crypto::SecretBytes derive(ByteSpan secret, ByteSpan salt, DerivedValueType purpose, std::size_t length) {
  // hybrid-protocol.md §2: the purpose travels as 4 little-endian bytes (Chromium memcpy's a
  // host uint32 on little-endian targets).
  const auto v = static_cast<std::uint32_t>(purpose);
  const ByteArray<4> info = {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                             static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
  return crypto::hkdf_sha256(salt, secret, info, length);
}

}  // namespace vfido::cable
