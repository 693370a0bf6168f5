#include "authenticator/bytes.h"

#include <algorithm>
#include <cctype>

namespace vfido {

std::string to_hex(ByteSpan bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0F]);
  }
  return out;
}

Result<Bytes> from_hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  int high = -1;
  for (char c : hex) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    int v = nibble(c);
    if (v < 0) return fail(CtapStatus::kInvalidParameter);
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>((high << 4) | v));
      high = -1;
    }
  }
  if (high >= 0) return fail(CtapStatus::kInvalidParameter);
  return out;
}

Result<std::uint8_t> ByteReader::u8() {
  if (remaining() < 1) return fail(on_short_);
  return data_[pos_++];
}

Result<std::uint16_t> ByteReader::u16be() {
  if (remaining() < 2) return fail(on_short_);
  auto v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
  pos_ += 2;
  return v;
}

Result<std::uint32_t> ByteReader::u32be() {
  if (remaining() < 4) return fail(on_short_);
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | data_[pos_ + i];
  pos_ += 4;
  return v;
}

Result<ByteSpan> ByteReader::take(std::size_t n) {
  if (remaining() < n) return fail(on_short_);
  ByteSpan s = data_.subspan(pos_, n);
  pos_ += n;
  return s;
}

ByteSpan ByteReader::rest() {
  ByteSpan s = data_.subspan(pos_);
  pos_ = data_.size();
  return s;
}

Result<void> ByteReader::expect_end() const {
  if (remaining() != 0) return fail(on_short_);
  return {};
}

ByteWriter& ByteWriter::u8(std::uint8_t v) {
  out_.push_back(v);
  return *this;
}

ByteWriter& ByteWriter::u16be(std::uint16_t v) {
  out_.push_back(static_cast<std::uint8_t>(v >> 8));
  out_.push_back(static_cast<std::uint8_t>(v));
  return *this;
}

ByteWriter& ByteWriter::u32be(std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<std::uint8_t>(v >> shift));
  return *this;
}

ByteWriter& ByteWriter::bytes(ByteSpan b) {
  out_.insert(out_.end(), b.begin(), b.end());
  return *this;
}

ByteWriter& ByteWriter::zeros(std::size_t n) {
  out_.insert(out_.end(), n, 0);
  return *this;
}

}  // namespace vfido
