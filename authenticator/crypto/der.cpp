#include "authenticator/crypto/der.h"

#include <bit>

namespace vfido::crypto::der {
namespace {

constexpr CtapStatus kBad = CtapStatus::kInvalidParameter;
constexpr std::uint8_t kLongFormBit = 0x80;
constexpr std::size_t kMaxLengthOctets = 4;

// X.690 §8.1.3 and §10.1: the length octets, in the shortest definite form.
Result<std::size_t> read_length(ByteReader& in) {
  auto first = in.u8();
  if (!first) return fail(kBad);
  if ((*first & kLongFormBit) == 0) return std::size_t{*first};
  std::size_t octets = *first & 0x7FU;
  // 0x80 alone is the indefinite form, which DER forbids (§10.1).
  if (octets == 0 || octets > kMaxLengthOctets) return fail(kBad);
  std::size_t len = 0;
  for (std::size_t i = 0; i < octets; ++i) {
    auto b = in.u8();
    if (!b) return fail(kBad);
    if (i == 0 && *b == 0) return fail(kBad);  // a leading zero octet is not minimal
    len = (len << 8) | *b;
  }
  if (len < kLongFormBit) return fail(kBad);  // fits the short form
  return len;
}

}  // namespace

Result<ByteSpan> read_tlv(ByteReader& in, std::uint8_t tag) {
  auto t = in.u8();
  if (!t || *t != tag) return fail(kBad);
  auto len = read_length(in);
  if (!len) return fail(len.error());
  auto contents = in.take(*len);
  if (!contents) return fail(kBad);
  return *contents;
}

Result<ByteSpan> read_unsigned_integer(ByteReader& in) {
  auto contents = read_tlv(in, kTagInteger);
  if (!contents) return fail(contents.error());
  ByteSpan c = *contents;
  // X.690 §8.3.1-2: at least one octet; the first nine bits are not all equal.
  if (c.empty()) return fail(kBad);
  if ((c[0] & 0x80) != 0) return fail(kBad);  // negative
  if (c[0] == 0) {
    if (c.size() == 1) return ByteSpan();            // the value 0
    if ((c[1] & 0x80) == 0) return fail(kBad);       // a needless leading zero
    return c.subspan(1);
  }
  return c;
}

Result<ByteSpan> read_single(ByteSpan der, std::uint8_t tag) {
  ByteReader in(der, kBad);
  auto contents = read_tlv(in, tag);
  if (!contents) return fail(contents.error());
  if (!in.expect_end()) return fail(kBad);
  return *contents;
}

void write_tlv(ByteWriter& out, std::uint8_t tag, ByteSpan contents) {
  out.u8(tag);
  std::size_t len = contents.size();
  if (len < kLongFormBit) {
    out.u8(static_cast<std::uint8_t>(len));
  } else {
    std::uint8_t octets = 0;
    for (std::size_t l = len; l != 0; l >>= 8) ++octets;
    out.u8(static_cast<std::uint8_t>(kLongFormBit | octets));
    for (std::uint8_t i = octets; i-- > 0;) out.u8(static_cast<std::uint8_t>(len >> (8U * i)));
  }
  out.bytes(contents);
}

void write_unsigned_integer(ByteWriter& out, ByteSpan magnitude) {
  while (!magnitude.empty() && magnitude[0] == 0) magnitude = magnitude.subspan(1);
  ByteWriter contents(magnitude.size() + 1);
  if (magnitude.empty() || (magnitude[0] & 0x80) != 0) contents.u8(0x00);
  contents.bytes(magnitude);
  write_tlv(out, kTagInteger, contents.view());
}

void write_named_bits(ByteWriter& out, std::uint16_t bits) {
  ByteWriter contents(3);
  if (bits == 0) {
    contents.u8(0);
  } else {
    unsigned highest = 15U - static_cast<unsigned>(std::countl_zero(bits));  // the last named bit set
    unsigned octets = highest / 8 + 1;
    contents.u8(static_cast<std::uint8_t>(7U - highest % 8));  // unused bits in the last octet
    for (unsigned o = 0; o < octets; ++o) {
      unsigned octet = 0;
      for (unsigned b = 0; b < 8; ++b) {
        if ((static_cast<unsigned>(bits) >> (o * 8 + b)) & 1U) octet |= 0x80U >> b;  // named bit 0 is the first octet's MSB
      }
      contents.u8(static_cast<std::uint8_t>(octet));
    }
  }
  write_tlv(out, kTagBitString, contents.view());
}

Result<std::uint16_t> read_named_bits(ByteSpan der) {
  auto contents = read_single(der, kTagBitString);
  if (!contents) return fail(contents.error());
  ByteSpan c = *contents;
  if (c.empty() || c[0] > 7 || c.size() > 3) return fail(kBad);
  unsigned unused = c[0];
  ByteSpan octets = c.subspan(1);
  if (octets.empty()) {
    if (unused != 0) return fail(kBad);
    return std::uint16_t{0};
  }
  if ((octets.back() & ((1U << unused) - 1U)) != 0) return fail(kBad);
  unsigned bits = 0;
  for (std::size_t o = 0; o < octets.size(); ++o) {
    for (unsigned b = 0; b < 8; ++b) {
      if (octets[o] & (0x80U >> b)) bits |= 1U << (o * 8 + b);
    }
  }
  return static_cast<std::uint16_t>(bits);
}

}  // namespace vfido::crypto::der
