// ByteReader/ByteWriter and the hex helpers (authenticator/bytes.h), which the CBOR tests and
// every fixed binary layout rely on.
#include <doctest/doctest.h>

#include <string>

#include "authenticator/bytes.h"

using vfido::ByteReader;
using vfido::Bytes;
using vfido::ByteSpan;
using vfido::ByteWriter;
using vfido::CtapStatus;
using vfido::from_hex;
using vfido::to_hex;

namespace {
// kOk for a success, so that a read that wrongly succeeds fails the check cleanly.
template <typename T>
CtapStatus status_of(const vfido::Result<T>& r) {
  return r ? CtapStatus::kOk : r.error();
}
}  // namespace

TEST_CASE("bytes: ByteReader reads big-endian fields in order") {
  const Bytes data{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A};
  ByteReader r(data);
  CHECK(r.u8() == std::uint8_t{0x01});
  CHECK(r.u16be() == std::uint16_t{0x0203});
  CHECK(r.u32be() == std::uint32_t{0x04050607});
  CHECK(r.position() == 7);
  CHECK(r.remaining() == 3);
  auto two = r.take(2);
  REQUIRE(two.has_value());
  CHECK(to_hex(*two) == "0809");
  CHECK(to_hex(r.rest()) == "0a");
  CHECK(r.remaining() == 0);
  CHECK(r.expect_end().has_value());
}

TEST_CASE("bytes: ByteReader reads values with the high bit set without sign extension") {
  const Bytes data{0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0xFA, 0xF9};
  ByteReader r(data);
  CHECK(r.u8() == std::uint8_t{0xFF});
  CHECK(r.u16be() == std::uint16_t{0xFEFD});
  CHECK(r.u32be() == std::uint32_t{0xFCFBFAF9});
}

TEST_CASE("bytes: ByteReader short reads fail with kInvalidLength by default") {
  const Bytes data{0xAA, 0xBB, 0xCC};
  ByteReader r(data);
  auto too_wide = r.u32be();
  REQUIRE_FALSE(too_wide.has_value());
  CHECK(status_of(too_wide) == CtapStatus::kInvalidLength);
  CHECK(r.position() == 0);  // a failed read consumes nothing
  CHECK(r.u16be() == std::uint16_t{0xAABB});
  CHECK(status_of(r.u16be()) == CtapStatus::kInvalidLength);
  CHECK(status_of(r.take(2)) == CtapStatus::kInvalidLength);
  CHECK(r.u8() == std::uint8_t{0xCC});
  CHECK(status_of(r.u8()) == CtapStatus::kInvalidLength);
  CHECK(status_of(r.take(1)) == CtapStatus::kInvalidLength);
  auto empty = r.take(0);
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
}

TEST_CASE("bytes: ByteReader short reads fail with the configured status") {
  const Bytes data{0x01};
  ByteReader r(data, CtapStatus::kInvalidCbor);
  CHECK(status_of(r.u16be()) == CtapStatus::kInvalidCbor);
  CHECK(status_of(r.u32be()) == CtapStatus::kInvalidCbor);
  CHECK(status_of(r.take(2)) == CtapStatus::kInvalidCbor);
  CHECK(status_of(r.expect_end()) == CtapStatus::kInvalidCbor);
  CHECK(r.u8() == std::uint8_t{0x01});
  CHECK(status_of(r.u8()) == CtapStatus::kInvalidCbor);
  CHECK(r.expect_end().has_value());

  ByteReader empty(ByteSpan{}, CtapStatus::kInvalidParameter);
  CHECK(status_of(empty.u8()) == CtapStatus::kInvalidParameter);
  CHECK(empty.expect_end().has_value());
}

TEST_CASE("bytes: ByteReader take(n) never reads past the end, even for huge n") {
  const Bytes data{0x01, 0x02};
  ByteReader r(data);
  CHECK(status_of(r.take(static_cast<std::size_t>(-1))) == CtapStatus::kInvalidLength);
  CHECK(status_of(r.take(3)) == CtapStatus::kInvalidLength);
  CHECK(r.position() == 0);
  CHECK(r.take(2).has_value());
}

TEST_CASE("bytes: ByteReader take_array copies a fixed-size field") {
  const Bytes data{0x10, 0x20, 0x30, 0x40, 0x50};
  ByteReader r(data);
  auto a = r.take_array<4>();
  REQUIRE(a.has_value());
  CHECK(*a == vfido::ByteArray<4>{0x10, 0x20, 0x30, 0x40});
  CHECK(status_of(r.take_array<2>()) == CtapStatus::kInvalidLength);
  CHECK(r.remaining() == 1);
  CHECK(status_of(r.expect_end()) == CtapStatus::kInvalidLength);
}

TEST_CASE("bytes: ByteWriter appends big-endian fields") {
  ByteWriter w(16);
  w.u8(0x01).u16be(0x0203).u32be(0x04050607).bytes(Bytes{0xAA, 0xBB}).zeros(3);
  CHECK(w.size() == 12);
  CHECK(to_hex(w.view()) == "01020304050607aabb000000");
  Bytes out = std::move(w).take();
  CHECK(to_hex(out) == "01020304050607aabb000000");

  // What the writer writes, the reader reads back.
  ByteWriter w2;
  w2.u32be(0xDEADBEEF).u16be(0xFFFF).u8(0x00);
  ByteReader r(w2.view());
  CHECK(r.u32be() == std::uint32_t{0xDEADBEEF});
  CHECK(r.u16be() == std::uint16_t{0xFFFF});
  CHECK(r.u8() == std::uint8_t{0x00});
  CHECK(r.expect_end().has_value());
}

TEST_CASE("bytes: to_hex writes lower-case pairs") {
  CHECK(to_hex(Bytes{}) == "");
  CHECK(to_hex(Bytes{0x00, 0x0F, 0xA0, 0xFF}) == "000fa0ff");
  CHECK(to_hex(vfido::as_span("AZ")) == "415a");
}

TEST_CASE("bytes: from_hex accepts either case and ignores whitespace") {
  CHECK(from_hex("") == Bytes{});
  CHECK(from_hex("000fa0ff") == Bytes{0x00, 0x0F, 0xA0, 0xFF});
  CHECK(from_hex("DEADbeef") == Bytes{0xDE, 0xAD, 0xBE, 0xEF});
  CHECK(from_hex(" de ad\n\tbe ef ") == Bytes{0xDE, 0xAD, 0xBE, 0xEF});
  CHECK(from_hex(to_hex(Bytes{1, 2, 254, 255})) == Bytes{1, 2, 254, 255});
}

TEST_CASE("bytes: from_hex rejects odd lengths and non-hex characters") {
  CHECK(status_of(from_hex("abc")) == CtapStatus::kInvalidParameter);
  CHECK(status_of(from_hex("a")) == CtapStatus::kInvalidParameter);
  CHECK(status_of(from_hex("zz")) == CtapStatus::kInvalidParameter);
  CHECK(status_of(from_hex("0x00")) == CtapStatus::kInvalidParameter);
  CHECK(status_of(from_hex("g0")) == CtapStatus::kInvalidParameter);
  CHECK(status_of(from_hex("a b c")) == CtapStatus::kInvalidParameter);
}
