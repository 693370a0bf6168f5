// Small helpers shared by the crypto, certificate and attestation tests: hex literals, unwrapping
// a Result that must succeed, and flipping one bit.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <string_view>
#include <utility>

#include "authenticator/bytes.h"

namespace vfido::test {

inline Bytes unhex(std::string_view s) {
  auto b = from_hex(s);
  REQUIRE(b.has_value());
  return *b;
}

// The value of a Result (tl::expected with any error type) that the test needs to succeed.
template <typename R>
auto must(R&& r) {
  REQUIRE(r.has_value());
  return std::move(*r);
}

// A copy of `b` with bit `bit` of byte `index` inverted.
inline Bytes flip_bit(Bytes b, std::size_t index, unsigned bit = 0) {
  REQUIRE(index < b.size());
  b[index] = static_cast<std::uint8_t>(b[index] ^ (1U << bit));
  return b;
}

}  // namespace vfido::test
