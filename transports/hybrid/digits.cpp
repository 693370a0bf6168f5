#include "transports/hybrid/digits.h"

#include <array>
#include <cstdint>
#include <optional>

namespace vfido::cable {
namespace {

constexpr std::size_t kChunkBytes = 7;
constexpr std::size_t kChunkDigits = 17;
// hybrid-protocol.md §3.2: digits needed for a partial chunk of n bytes (index n, 0..6):
// ceil(log10(2^(8n))) — enough for the largest n-byte value.
constexpr std::array<std::size_t, kChunkBytes> kPartialDigits = {0, 3, 5, 8, 10, 13, 15};

// The little-endian integer value of up to 7 bytes.
std::uint64_t le_value(ByteSpan chunk) {
  std::uint64_t v = 0;
  for (std::size_t i = chunk.size(); i-- > 0;) v = (v << 8) | chunk[i];
  return v;
}

void append_padded(std::string& out, std::uint64_t v, std::size_t width) {
  std::string digits(width, '0');
  for (std::size_t i = width; i-- > 0 && v != 0;) {
    digits[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out += digits;
}

// `width` digits -> `n` bytes, little-endian; nullopt for a non-digit or a value >= 2^(8n).
std::optional<Bytes> parse_group(std::string_view digits, std::size_t n) {
  std::uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');  // at most 17 digits: below 2^64
  }
  if (v >> (8 * n) != 0) return std::nullopt;
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return out;
}

}  // namespace

std::string bytes_to_digits(ByteSpan bytes) {
  std::string out;
  out.reserve((bytes.size() / kChunkBytes + 1) * kChunkDigits);
  while (bytes.size() >= kChunkBytes) {
    append_padded(out, le_value(bytes.first(kChunkBytes)), kChunkDigits);
    bytes = bytes.subspan(kChunkBytes);
  }
  if (!bytes.empty()) append_padded(out, le_value(bytes), kPartialDigits[bytes.size()]);
  return out;
}

CableResult<Bytes> digits_to_bytes(std::string_view digits) {
  Bytes out;
  out.reserve(digits.size() / kChunkDigits * kChunkBytes + kChunkBytes);
  while (digits.size() >= kChunkDigits) {
    auto group = parse_group(digits.substr(0, kChunkDigits), kChunkBytes);
    if (!group) return cable_fail(CableError::kBadQrUrl);
    out.insert(out.end(), group->begin(), group->end());
    digits.remove_prefix(kChunkDigits);
  }
  if (digits.empty()) return out;
  // hybrid-protocol.md §3.2: any other tail length is an error.
  for (std::size_t n = 1; n < kChunkBytes; ++n) {
    if (kPartialDigits[n] != digits.size()) continue;
    auto group = parse_group(digits, n);
    if (!group) return cable_fail(CableError::kBadQrUrl);
    out.insert(out.end(), group->begin(), group->end());
    return out;
  }
  return cable_fail(CableError::kBadQrUrl);
}

}  // namespace vfido::cable
