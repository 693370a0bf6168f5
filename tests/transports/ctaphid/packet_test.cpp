// CTAP 2.1 §11.2.4 packet layouts: parse_packet and the packet builders.
#include <doctest/doctest.h>

#include "tests/transports/ctaphid/ctaphid_test_support.h"
#include "transports/ctaphid/packet.h"

namespace vfido::transport::ctaphid::test {
namespace {

Bytes hex(std::string_view h) { return from_hex(h).value(); }

TEST_CASE("ctaphid packet: init packet layout is CID, CMD|0x80, BCNT, 57 data bytes, zero padded") {
  const Bytes data{0xAA, 0xBB, 0xCC};
  auto r = build_init_packet(0x01020304, kCbor, 0x0123, data);
  REQUIRE(r);
  Bytes expect = hex("01020304 90 0123 aabbcc");
  expect.resize(64, 0);
  CHECK(Bytes(r->begin(), r->end()) == expect);
}

TEST_CASE("ctaphid packet: continuation packet layout is CID, SEQ, 59 data bytes, zero padded") {
  const Bytes data{0x11, 0x22};
  auto r = build_cont_packet(0xCAFEBABE, 0x7F, data);
  REQUIRE(r);
  Bytes expect = hex("cafebabe 7f 1122");
  expect.resize(64, 0);
  CHECK(Bytes(r->begin(), r->end()) == expect);
}

TEST_CASE("ctaphid packet: full data fields fill the report exactly") {
  auto init = build_init_packet(1, kPing, 57, pattern(57));
  REQUIRE(init);
  CHECK(Bytes(init->begin() + 7, init->end()) == pattern(57));
  auto cont = build_cont_packet(1, 0, pattern(59, 3));
  REQUIRE(cont);
  CHECK(Bytes(cont->begin() + 5, cont->end()) == pattern(59, 3));
}

TEST_CASE("ctaphid packet: builders reject what cannot be framed") {
  CHECK(build_init_packet(1, kPing, 58, pattern(58)).error() == CtapStatus::kInvalidLength);
  CHECK(build_cont_packet(1, 0, pattern(60)).error() == CtapStatus::kInvalidLength);
  CHECK(build_cont_packet(1, 0x80, {}).error() == CtapStatus::kInvalidSeq);
  CHECK(build_init_packet(1, 0x81, 0, {}).error() == CtapStatus::kInvalidParameter);
}

TEST_CASE("ctaphid packet: parse init packet strips the TYPE_INIT bit and reads BCNT big-endian") {
  Report raw = init_report(0xDEADBEEF, kCbor, 0x1DB9, pattern(57));
  auto p = parse_packet(raw);
  REQUIRE(p);
  const auto* init = std::get_if<InitPacket>(&*p);
  REQUIRE(init);
  CHECK(init->cid == 0xDEADBEEF);
  CHECK(init->cmd == kCbor);
  CHECK(init->bcnt == 7609);
  CHECK(Bytes(init->data.begin(), init->data.end()) == pattern(57));
  CHECK(packet_cid(*p) == 0xDEADBEEF);
}

TEST_CASE("ctaphid packet: parse continuation packet") {
  Report raw = cont_report(0x00000042, 0x05, pattern(59, 9));
  auto p = parse_packet(raw);
  REQUIRE(p);
  const auto* cont = std::get_if<ContPacket>(&*p);
  REQUIRE(cont);
  CHECK(cont->cid == 0x42);
  CHECK(cont->seq == 5);
  CHECK(Bytes(cont->data.begin(), cont->data.end()) == pattern(59, 9));
}

TEST_CASE("ctaphid packet: build then parse round trips for every command and SEQ") {
  for (unsigned cmd = 0; cmd < 0x80; ++cmd) {
    auto r = build_init_packet(0x10203040, static_cast<std::uint8_t>(cmd), 300, pattern(57, static_cast<std::uint8_t>(cmd)));
    REQUIRE(r);
    auto p = parse_packet(*r);
    REQUIRE(p);
    const auto& init = std::get<InitPacket>(*p);
    CHECK(init.cmd == cmd);
    CHECK(init.bcnt == 300);
    CHECK(Bytes(init.data.begin(), init.data.end()) == pattern(57, static_cast<std::uint8_t>(cmd)));
  }
  for (unsigned seq = 0; seq <= 0x7F; ++seq) {
    auto r = build_cont_packet(0x10203040, static_cast<std::uint8_t>(seq), pattern(59, static_cast<std::uint8_t>(seq)));
    REQUIRE(r);
    auto p = parse_packet(*r);
    REQUIRE(p);
    const auto& cont = std::get<ContPacket>(*p);
    CHECK(cont.seq == seq);
    CHECK(Bytes(cont.data.begin(), cont.data.end()) == pattern(59, static_cast<std::uint8_t>(seq)));
  }
}

TEST_CASE("ctaphid packet: short reports are zero padded when the header is complete") {
  SUBCASE("7-byte init packet") {
    Bytes raw = hex("00000001 81 0003");
    auto p = parse_packet(raw);
    REQUIRE(p);
    const auto& init = std::get<InitPacket>(*p);
    CHECK(init.cid == 1);
    CHECK(init.cmd == kPing);
    CHECK(init.bcnt == 3);
    CHECK(Bytes(init.data.begin(), init.data.end()) == Bytes(57, 0));
  }
  SUBCASE("10-byte init packet keeps its 3 data bytes") {
    Bytes raw = hex("00000001 81 0003 aabbcc");
    auto p = parse_packet(raw);
    REQUIRE(p);
    const auto& init = std::get<InitPacket>(*p);
    Bytes expect{0xAA, 0xBB, 0xCC};
    expect.resize(57, 0);
    CHECK(Bytes(init.data.begin(), init.data.end()) == expect);
  }
  SUBCASE("5-byte continuation packet") {
    Bytes raw = hex("00000001 03");
    auto p = parse_packet(raw);
    REQUIRE(p);
    const auto& cont = std::get<ContPacket>(*p);
    CHECK(cont.seq == 3);
    CHECK(Bytes(cont.data.begin(), cont.data.end()) == Bytes(59, 0));
  }
}

TEST_CASE("ctaphid packet: reports without a complete header are rejected") {
  CHECK_FALSE(parse_packet({}));
  CHECK_FALSE(parse_packet(hex("000000")));
  CHECK_FALSE(parse_packet(hex("00000001")));     // no type byte
  CHECK_FALSE(parse_packet(hex("00000001 81")));  // init without BCNT
  CHECK_FALSE(parse_packet(hex("00000001 81 00")));
}

TEST_CASE("ctaphid packet: bytes past 64 are ignored") {
  Bytes raw(100, 0xEE);
  Report base = init_report(7, kPing, 57, pattern(57));
  std::copy(base.begin(), base.end(), raw.begin());
  auto p = parse_packet(raw);
  REQUIRE(p);
  const auto& init = std::get<InitPacket>(*p);
  CHECK(init.cid == 7);
  CHECK(Bytes(init.data.begin(), init.data.end()) == pattern(57));
}

}  // namespace
}  // namespace vfido::transport::ctaphid::test
