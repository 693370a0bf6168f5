// Helpers shared by the hybrid (caBLE v2) tests: hex literals and fixed P-256 keys.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "authenticator/bytes.h"
#include "authenticator/crypto/keys.h"

namespace vfido::cable::test {

inline Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  REQUIRE(b.has_value());
  return *b;
}

template <std::size_t N>
ByteArray<N> hex_array(std::string_view h) {
  Bytes b = hex(h);
  REQUIRE(b.size() == N);
  ByteArray<N> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

// A P-256 key whose scalar is 32 copies of `byte` (the fixed keys of hybrid-protocol.md §7.5).
inline crypto::EcdhKey repeated_key(std::uint8_t byte) {
  Bytes scalar(32, byte);
  auto key = crypto::EcdhKey::from_scalar(scalar);
  REQUIRE(key.has_value());
  return std::move(*key);
}

inline std::string lower_hex(ByteSpan b) { return to_hex(b); }

}  // namespace vfido::cable::test
