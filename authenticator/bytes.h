// Owned bytes and the one bounds-checked reader/writer for fixed binary layouts (HID packets,
// authenticator data, U2F messages). Nothing else in the tree does pointer arithmetic on wire
// bytes (style.md §8).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "authenticator/result.h"

namespace vfido {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

template <std::size_t N>
using ByteArray = std::array<std::uint8_t, N>;

inline Bytes to_bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline ByteSpan as_span(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string to_hex(ByteSpan bytes);
// Parses hex (whitespace ignored); an odd length or a non-hex character is kInvalidParameter.
Result<Bytes> from_hex(std::string_view hex);

// A cursor over borrowed bytes. Every read is checked; running off the end yields `on_short`
// (kInvalidLength by default) so callers get the status their spec section wants.
class ByteReader {
 public:
  explicit ByteReader(ByteSpan data, CtapStatus on_short = CtapStatus::kInvalidLength)
      : data_(data), on_short_(on_short) {}

  Result<std::uint8_t> u8();
  Result<std::uint16_t> u16be();
  Result<std::uint32_t> u32be();
  Result<ByteSpan> take(std::size_t n);
  template <std::size_t N>
  Result<ByteArray<N>> take_array() {
    auto s = take(N);
    if (!s) return fail(s.error());
    ByteArray<N> out{};
    std::copy(s->begin(), s->end(), out.begin());
    return out;
  }
  ByteSpan rest();  // consumes everything that is left
  Result<void> expect_end() const;

  std::size_t remaining() const { return data_.size() - pos_; }
  std::size_t position() const { return pos_; }

 private:
  ByteSpan data_;
  std::size_t pos_ = 0;
  CtapStatus on_short_;
};

// Appends big-endian fields to an owned buffer.
class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(std::size_t reserve) { out_.reserve(reserve); }

  ByteWriter& u8(std::uint8_t v);
  ByteWriter& u16be(std::uint16_t v);
  ByteWriter& u32be(std::uint32_t v);
  ByteWriter& bytes(ByteSpan b);
  ByteWriter& zeros(std::size_t n);

  std::size_t size() const { return out_.size(); }
  const Bytes& view() const { return out_; }
  Bytes take() && { return std::move(out_); }

 private:
  Bytes out_;
};

}  // namespace vfido
