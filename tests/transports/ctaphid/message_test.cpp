// CTAP 2.1 §11.2.4 message framing and the §11.2.5 reassembly rules of the Assembler.
#include <doctest/doctest.h>

#include "tests/transports/ctaphid/ctaphid_test_support.h"
#include "transports/ctaphid/message.h"

namespace vfido::transport::ctaphid::test {
namespace {

std::size_t expected_reports(std::size_t len) { return len <= 57 ? 1 : 1 + (len - 57 + 58) / 59; }

AssemblyResult feed(Assembler& a, const Report& r) { return a.feed(parse_packet(r).value()); }

TEST_CASE("ctaphid message: split and reassemble round trip at every length 0..7609") {
  ManualClock clock;
  Assembler assembler(clock, 500);
  std::size_t total_reports = 0;
  for (std::size_t len = 0; len <= hid::kMaxMessageLen; ++len) {
    CAPTURE(len);
    const Bytes payload = pattern(len, static_cast<std::uint8_t>(len));
    const std::uint32_t cid = static_cast<std::uint32_t>(0x01000000 + len);
    auto reports = split_message(cid, kCbor, payload);
    REQUIRE(reports);
    REQUIRE(reports->size() == expected_reports(len));
    // The split matches the independent encoder byte for byte (header fields and zero padding).
    REQUIRE(*reports == encode(cid, kCbor, payload));
    total_reports += reports->size();
    // Reassembly: nothing until the last report, then exactly the payload.
    for (std::size_t i = 0; i + 1 < reports->size(); ++i) {
      auto r = feed(assembler, (*reports)[i]);
      REQUIRE(r);
      REQUIRE_FALSE(*r);
      REQUIRE(assembler.active());
      REQUIRE(assembler.cid() == cid);
    }
    auto last = feed(assembler, reports->back());
    REQUIRE(last);
    REQUIRE(*last);
    CHECK((*last)->cid == cid);
    CHECK((*last)->cmd == kCbor);
    REQUIRE((*last)->payload == payload);
    CHECK_FALSE(assembler.active());
  }
  // 7610 messages: 1 + 1 + ... packets; the largest uses all 129 packets (SEQ 0..127).
  CHECK(expected_reports(hid::kMaxMessageLen) == 129);
  CHECK(total_reports > 7610);
}

TEST_CASE("ctaphid message: the spec example, 100 bytes on CID 00000001, is two packets") {
  auto reports = split_message(1, kCbor, pattern(100));
  REQUIRE(reports);
  REQUIRE(reports->size() == 2);
  const Report& init = (*reports)[0];
  CHECK(Bytes(init.begin(), init.begin() + 7) == Bytes{0, 0, 0, 1, 0x90, 0x00, 0x64});
  const Report& cont = (*reports)[1];
  CHECK(Bytes(cont.begin(), cont.begin() + 5) == Bytes{0, 0, 0, 1, 0x00});
  const Bytes p = pattern(100);
  CHECK(Bytes(cont.begin() + 5, cont.begin() + 48) == Bytes(p.begin() + 57, p.end()));
  CHECK(Bytes(cont.begin() + 48, cont.end()) == Bytes(16, 0));
}

TEST_CASE("ctaphid message: a payload over 7609 bytes cannot be split") {
  CHECK(split_message(1, kPing, pattern(7610)).error() == CtapStatus::kInvalidLength);
  CHECK(split_message(1, kPing, pattern(65535)).error() == CtapStatus::kInvalidLength);
}

TEST_CASE("ctaphid message: BCNT over 7609 is ERR_INVALID_LEN") {
  ManualClock clock;
  Assembler a(clock, 500);
  for (std::uint16_t bcnt : {std::uint16_t{7610}, std::uint16_t{0xFFFF}}) {
    auto r = feed(a, init_report(9, kPing, bcnt));
    REQUIRE_FALSE(r);
    CHECK(r.error().cid == 9);
    CHECK(r.error().error == hid::Error::kInvalidLen);
    CHECK_FALSE(a.active());
  }
}

TEST_CASE("ctaphid message: wrong SEQ is ERR_INVALID_SEQ and drops the reassembly") {
  ManualClock clock;
  Assembler a(clock, 500);
  const Bytes p = pattern(200);
  auto reports = encode(5, kPing, p);  // init + SEQ 0, 1, 2
  REQUIRE(reports.size() == 4);
  REQUIRE(feed(a, reports[0]).value() == std::nullopt);
  SUBCASE("gap") {
    auto r = feed(a, reports[2]);  // SEQ 1 where 0 is expected
    REQUIRE_FALSE(r);
    CHECK(r.error().cid == 5);
    CHECK(r.error().error == hid::Error::kInvalidSeq);
  }
  SUBCASE("repeat") {
    REQUIRE(feed(a, reports[1]).value() == std::nullopt);
    auto r = feed(a, reports[1]);
    REQUIRE_FALSE(r);
    CHECK(r.error().error == hid::Error::kInvalidSeq);
  }
  CHECK_FALSE(a.active());
  // The rest of the old message is now continuation without init: ignored.
  auto late = feed(a, reports[3]);
  REQUIRE(late);
  CHECK_FALSE(*late);
  CHECK_FALSE(a.active());
}

TEST_CASE("ctaphid message: a continuation with no init packet before it is ignored") {
  ManualClock clock;
  Assembler a(clock, 500);
  auto r = feed(a, cont_report(5, 0, pattern(59)));
  REQUIRE(r);
  CHECK_FALSE(*r);
  CHECK_FALSE(a.active());
}

TEST_CASE("ctaphid message: continuations from another CID are ignored while one reassembles") {
  ManualClock clock;
  Assembler a(clock, 500);
  const Bytes p = pattern(100);
  auto reports = encode(5, kPing, p);
  REQUIRE(feed(a, reports[0]).value() == std::nullopt);
  auto other = feed(a, cont_report(6, 0, pattern(59, 1)));
  REQUIRE(other);
  CHECK_FALSE(*other);
  auto done = feed(a, reports[1]);
  REQUIRE(done);
  REQUIRE(*done);
  CHECK((*done)->payload == p);
}

TEST_CASE("ctaphid message: an init packet from another CID mid-reassembly is ERR_CHANNEL_BUSY") {
  ManualClock clock;
  Assembler a(clock, 500);
  const Bytes p = pattern(100);
  auto reports = encode(5, kPing, p);
  REQUIRE(feed(a, reports[0]).value() == std::nullopt);
  auto busy = feed(a, init_report(6, kPing, 0));
  REQUIRE_FALSE(busy);
  CHECK(busy.error().cid == 6);
  CHECK(busy.error().error == hid::Error::kChannelBusy);
  auto done = feed(a, reports[1]);
  REQUIRE(done);
  REQUIRE(*done);
  CHECK((*done)->payload == p);
}

TEST_CASE("ctaphid message: an init packet on the same CID mid-reassembly is ERR_INVALID_SEQ") {
  ManualClock clock;
  Assembler a(clock, 500);
  REQUIRE(feed(a, init_report(5, kPing, 100, pattern(57))).value() == std::nullopt);
  auto r = feed(a, init_report(5, kCbor, 1, Bytes{4}));
  REQUIRE_FALSE(r);
  CHECK(r.error().cid == 5);
  CHECK(r.error().error == hid::Error::kInvalidSeq);
  CHECK_FALSE(a.active());
  // The channel starts over cleanly.
  auto again = feed(a, init_report(5, kCbor, 1, Bytes{4}));
  REQUIRE(again);
  REQUIRE(*again);
  CHECK((*again)->payload == Bytes{4});
}

TEST_CASE("ctaphid message: data past BCNT in the last packet is ignored") {
  ManualClock clock;
  Assembler a(clock, 500);
  auto r = feed(a, init_report(5, kPing, 3, pattern(57)));
  REQUIRE(r);
  REQUIRE(*r);
  CHECK((*r)->payload == Bytes(pattern(3)));
  REQUIRE(feed(a, init_report(5, kPing, 60, pattern(57))).value() == std::nullopt);
  auto done = feed(a, cont_report(5, 0, pattern(59, 1)));
  REQUIRE(done);
  REQUIRE(*done);
  Bytes expect = pattern(57);
  const Bytes tail = pattern(3, 1);
  expect.insert(expect.end(), tail.begin(), tail.end());
  CHECK((*done)->payload == expect);
}

TEST_CASE("ctaphid message: the transaction timeout is measured from the last packet") {
  ManualClock clock;
  Assembler a(clock, 500);
  auto reports = encode(5, kPing, pattern(200));
  REQUIRE(feed(a, reports[0]).value() == std::nullopt);
  clock.advance(500);
  CHECK(a.expire() == std::nullopt);  // exactly at the limit: still in time
  REQUIRE(feed(a, reports[1]).value() == std::nullopt);
  clock.advance(500);
  CHECK(a.expire() == std::nullopt);  // the timer restarted with SEQ 0
  clock.advance(1);
  CHECK(a.expire() == std::optional<std::uint32_t>(5));  // just past the limit
  CHECK_FALSE(a.active());
  CHECK(a.expire() == std::nullopt);
}

TEST_CASE("ctaphid message: expire does nothing while idle") {
  ManualClock clock;
  Assembler a(clock, 500);
  clock.advance(100000);
  CHECK(a.expire() == std::nullopt);
}

}  // namespace
}  // namespace vfido::transport::ctaphid::test
