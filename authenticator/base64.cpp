#include "authenticator/base64.h"

#include <array>
#include <cstdint>

namespace vfido {
namespace {

constexpr std::string_view kStd = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(ByteSpan in, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    out.push_back(alphabet[(v >> 18) & 63U]);
    out.push_back(alphabet[(v >> 12) & 63U]);
    out.push_back(alphabet[(v >> 6) & 63U]);
    out.push_back(alphabet[v & 63U]);
  }
  const std::size_t rest = in.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{in[i]} << 16;
    out.push_back(alphabet[(v >> 18) & 63U]);
    out.push_back(alphabet[(v >> 12) & 63U]);
    if (pad) out += "==";
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
    out.push_back(alphabet[(v >> 18) & 63U]);
    out.push_back(alphabet[(v >> 12) & 63U]);
    out.push_back(alphabet[(v >> 6) & 63U]);
    if (pad) out += "=";
  }
  return out;
}

// Decodes unpadded text in `alphabet`; RFC 4648 §3.5: the pad bits of the last quantum must be 0.
std::optional<Bytes> decode(std::string_view text, std::string_view alphabet) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (std::size_t k = 0; k < alphabet.size(); ++k) value[static_cast<unsigned char>(alphabet[k])] = static_cast<int>(k);
  if (text.size() % 4 == 1) return std::nullopt;  // 6 bits cannot end a byte
  Bytes out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = value[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFFU));
    }
  }
  if (bits > 0 && (acc & ((1U << bits) - 1U)) != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string base64url_encode(ByteSpan bytes) { return encode(bytes, kUrl, false); }
std::optional<Bytes> base64url_decode(std::string_view text) { return decode(text, kUrl); }
std::string base64_encode(ByteSpan bytes) { return encode(bytes, kStd, true); }

std::optional<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 == 0) {
    std::size_t pad = 0;
    while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
    text.remove_suffix(pad);
    // With padding, the unpadded length must be what the padding says.
    if (pad > 0 && text.size() % 4 != 4 - pad) return std::nullopt;
  }
  return decode(text, kStd);
}

}  // namespace vfido
