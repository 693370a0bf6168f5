#include "transports/hybrid/tunnel_domain.h"

#include <limits>

#include "authenticator/bytes.h"
#include "authenticator/crypto/hash.h"

namespace vfido::cable {
namespace {

// §5 step 1: the hash input is this text, then the value as LE16, then one zero byte (Chromium
// hashes its NUL-terminated template).
constexpr std::string_view kHashPrefix = "caBLEv2 tunnel server domain";
constexpr std::array<std::string_view, 4> kTlds = {"com", "org", "net", "info"};
constexpr std::string_view kBase32 = "abcdefghijklmnopqrstuvwxyz234567";

std::string hashed_domain(std::uint16_t encoded) {
  Bytes input = to_bytes(kHashPrefix);
  input.push_back(static_cast<std::uint8_t>(encoded));
  input.push_back(static_cast<std::uint8_t>(encoded >> 8));
  input.push_back(0);
  // §5 step 2: the first 8 bytes of SHA-256, little-endian.
  const auto digest = crypto::sha256(input);
  std::uint64_t v = 0;
  for (std::size_t i = 8; i-- > 0;) v = (v << 8) | digest[i];
  // Steps 3-5: two bits pick the TLD, then base32 digits, least significant first.
  const std::string_view tld = kTlds[v & 3];
  v >>= 2;
  std::string name = "cable.";
  while (v != 0) {
    name.push_back(kBase32[v & 31]);
    v >>= 5;
  }
  name.push_back('.');
  name.append(tld);
  return name;
}

}  // namespace

std::optional<std::string> decode_domain(std::uint16_t encoded) {
  if (encoded >= kFirstHashedDomain) return hashed_domain(encoded);
  if (encoded < kAssignedDomains.size()) return std::string(kAssignedDomains[encoded]);
  return std::nullopt;  // §5: other values below 256 are unknown
}

bool is_known_domain(std::uint16_t encoded, std::size_t assigned_known) {
  if (encoded >= kFirstHashedDomain) return true;
  return encoded < assigned_known && encoded < kAssignedDomains.size();
}

std::optional<std::uint16_t> encode_domain(std::string_view name) {
  for (std::size_t i = 0; i < kAssignedDomains.size(); ++i) {
    if (kAssignedDomains[i] == name) return static_cast<std::uint16_t>(i);
  }
  // Hashed names all look like "cable.<base32>.<tld>"; anything else cannot match.
  if (name.substr(0, 6) != "cable.") return std::nullopt;
  for (std::uint32_t v = kFirstHashedDomain; v <= std::numeric_limits<std::uint16_t>::max(); ++v) {
    if (hashed_domain(static_cast<std::uint16_t>(v)) == name) return static_cast<std::uint16_t>(v);
  }
  return std::nullopt;
}

}  // namespace vfido::cable
