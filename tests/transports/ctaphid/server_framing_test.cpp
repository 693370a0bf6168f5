// CTAP 2.1 §11.2.3-§11.2.5 framing errors through the Server: channel validity, BCNT, SEQ,
// busy arbitration, transaction timeout, short and long reports, unknown commands.
#include <doctest/doctest.h>

#include "tests/transports/ctaphid/ctaphid_test_support.h"

namespace vfido::transport::ctaphid::test {
namespace {

TEST_CASE("ctaphid: BCNT over 7609 is ERR_INVALID_LEN") {
  Harness h;
  const std::uint32_t cid = h.open();
  h.feed(init_report(cid, kPing, 7610, pattern(57)));
  h.expect_error(cid, hid::Error::kInvalidLen);
  h.feed(init_report(cid, kCbor, 0xFFFF, pattern(57)));
  h.expect_error(cid, hid::Error::kInvalidLen);
  h.feed(cont_report(cid, 0, pattern(59)));  // nothing to continue
  h.expect_nothing();
  CHECK(h.device.cbor_requests.empty());
  h.send(cid, kPing, Bytes{1});
  CHECK(h.take_one().payload == Bytes{1});
}

TEST_CASE("ctaphid: wrong SEQ is ERR_INVALID_SEQ and drops the reassembly") {
  Harness h;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  auto reports = encode(a, kPing, pattern(300));
  h.feed(reports[0]);
  h.feed(reports[1]);
  h.feed(reports[3]);  // SEQ 2 where 1 is expected
  h.expect_error(a, hid::Error::kInvalidSeq);
  h.feed(reports[2]);  // ignored now: no init before it
  h.feed(reports[4]);
  h.expect_nothing();
  h.send(b, kPing, Bytes{1});  // the device is free
  h.expect(b, kPing);
  h.send(a, kPing, pattern(300));
  CHECK(h.take_one().payload == pattern(300));
}

TEST_CASE("ctaphid: a continuation with no init before it is ignored silently") {
  Harness h;
  const std::uint32_t cid = h.open();
  h.feed(cont_report(cid, 0, pattern(59)));
  h.feed(cont_report(cid, 5, pattern(59)));
  h.feed(cont_report(0x99999999, 0, pattern(59)));  // unallocated: still silent
  h.feed(cont_report(kBroadcast, 0, pattern(59)));
  h.feed(cont_report(0, 0, pattern(59)));
  h.expect_nothing();
}

TEST_CASE("ctaphid: a non-INIT init packet on the same CID mid-reassembly is ERR_INVALID_SEQ") {
  Harness h;
  const std::uint32_t cid = h.open();
  auto reports = encode(cid, kCbor, pattern(200));
  h.feed(reports[0]);
  h.send(cid, kPing, Bytes{1});
  h.expect_error(cid, hid::Error::kInvalidSeq);
  CHECK(h.device.cbor_requests.empty());
  h.feed(reports[1]);  // the rest of the dropped message is ignored
  h.expect_nothing();
  h.send(cid, kPing, Bytes{2});
  CHECK(h.take_one().payload == Bytes{2});
}

TEST_CASE("ctaphid: an init packet from another CID while one is assembling is ERR_CHANNEL_BUSY") {
  Harness h;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  auto reports = encode(a, kCbor, pattern(130, 2));
  h.feed(reports[0]);
  h.send(b, kPing, Bytes{1});
  h.expect_error(b, hid::Error::kChannelBusy);
  h.feed(reports[1]);
  h.send(b, kLock, Bytes{1});
  h.expect_error(b, hid::Error::kChannelBusy);
  h.feed(reports[2]);
  Sent s = h.take_one();
  CHECK(s.cid == a);
  CHECK(s.cmd == kCbor);
  REQUIRE(h.device.cbor_requests.size() == 1);
  CHECK(h.device.cbor_requests[0] == pattern(130, 2));
  h.send(b, kPing, Bytes{1});
  h.expect(b, kPing);
}

TEST_CASE("ctaphid: non-INIT commands on CID 0 or broadcast are ERR_INVALID_CHANNEL") {
  Harness h;
  h.open();
  for (std::uint32_t cid : {std::uint32_t{0}, kBroadcast}) {
    for (std::uint8_t cmd : {kPing, kCbor, kMsg, kWink, kLock, kCancel}) {
      CAPTURE(cid);
      CAPTURE(cmd);
      h.send(cid, cmd, Bytes{1});
      h.expect_error(cid, hid::Error::kInvalidChannel);
    }
  }
  CHECK(h.device.winks == 0);
}

TEST_CASE("ctaphid: commands on an unallocated CID are ERR_INVALID_CHANNEL") {
  Harness h;
  const std::uint32_t cid = h.open();
  const std::uint32_t other = cid ^ 0x00010000;
  h.send(other, kPing, Bytes{1});
  h.expect_error(other, hid::Error::kInvalidChannel);
  h.send(other, kCancel);
  h.expect_error(other, hid::Error::kInvalidChannel);
  h.send(0x00000001, kCbor, Bytes{4});
  h.expect_error(0x00000001, hid::Error::kInvalidChannel);
  CHECK(h.device.cbor_requests.empty());
}

TEST_CASE("ctaphid: transaction timeout on a manual clock, exactly at and just past the limit") {
  Harness h;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  auto reports = encode(a, kPing, pattern(200));  // init + 3 continuations
  h.feed(reports[0]);
  SUBCASE("exactly at the limit the message goes on") {
    h.tick_after(500);
    h.expect_nothing();
    h.feed(reports[1]);
    h.tick_after(500);
    h.feed(reports[2]);
    h.clock.advance(500);
    h.feed(reports[3]);  // 500 ms after SEQ 1 without a tick in between: still in time
    CHECK(h.take_one().payload == pattern(200));
  }
  SUBCASE("just past the limit tick() reports ERR_MSG_TIMEOUT and frees the device") {
    h.tick_after(250);
    h.feed(reports[1]);
    h.tick_after(500);
    h.expect_nothing();
    h.tick_after(1);
    h.expect_error(a, hid::Error::kMsgTimeout);
    h.tick_after(1000);
    h.expect_nothing();  // reported once
    h.feed(reports[2]);  // late: continuation without init, ignored
    h.expect_nothing();
    h.send(b, kPing, Bytes{1});
    h.expect(b, kPing);
  }
  SUBCASE("a late packet without a tick first gets the timeout, then is judged afresh") {
    h.clock.advance(501);
    h.send(b, kPing, Bytes{1});
    auto msgs = h.take();
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].cid == a);
    CHECK(msgs[0].cmd == kError);
    CHECK(msgs[0].payload == Bytes{err(hid::Error::kMsgTimeout)});
    CHECK(msgs[1].cid == b);
    CHECK(msgs[1].cmd == kPing);
  }
}

TEST_CASE("ctaphid: the transaction timeout follows Options") {
  Server::Options o;
  o.transaction_timeout_ms = 50;
  Harness h(o);
  const std::uint32_t a = h.open();
  h.feed(encode(a, kPing, pattern(100))[0]);
  h.tick_after(50);
  h.expect_nothing();
  h.tick_after(1);
  h.expect_error(a, hid::Error::kMsgTimeout);
}

TEST_CASE("ctaphid: no transaction timeout while the device works on a request") {
  Harness h;
  h.device.hold = true;
  const std::uint32_t a = h.open();
  h.send(a, kCbor, Bytes{0x01});
  for (int i = 0; i < 100; ++i) h.tick_after(100);  // 10 s of keepalives, no MSG_TIMEOUT
  for (const Sent& s : h.take()) CHECK(s.cmd == kKeepalive);
  h.device.complete(Bytes{0x00});
  CHECK(h.take_one().cmd == kCbor);
}

TEST_CASE("ctaphid: short reports are padded when the header is there and ignored otherwise") {
  Harness h;
  const std::uint32_t cid = h.open();
  const Report full = init_report(cid, kPing, 3, Bytes{7, 8, 9});
  h.server->feed(ByteSpan(full).first(4));  // no type byte
  h.server->feed(ByteSpan(full).first(5));  // init without BCNT
  h.server->feed(ByteSpan(full).first(6));
  h.server->feed(ByteSpan{});
  h.expect_nothing();
  h.server->feed(ByteSpan(full).first(7));  // header only: the 3 payload bytes read as zeros
  CHECK(h.take_one().payload == Bytes{0, 0, 0});
  h.server->feed(ByteSpan(full).first(9));
  CHECK(h.take_one().payload == Bytes{7, 8, 0});
  // A continuation of 5 bytes: the data reads as zeros.
  const Report first = init_report(cid, kPing, 60, pattern(57));
  h.feed(first);
  const Report cont = cont_report(cid, 0, Bytes{1, 2, 3});
  h.server->feed(ByteSpan(cont).first(5));
  Bytes expect = pattern(57);
  expect.insert(expect.end(), {0, 0, 0});
  CHECK(h.take_one().payload == expect);
}

TEST_CASE("ctaphid: bytes past 64 in a report are ignored") {
  Harness h;
  const std::uint32_t cid = h.open();
  Bytes raw(65 + 64, 0xEE);
  const Report r = init_report(cid, kPing, 57, pattern(57));
  std::copy(r.begin(), r.end(), raw.begin());
  h.server->feed(raw);
  CHECK(h.take_one().payload == pattern(57));
}

TEST_CASE("ctaphid: vendor, device-to-host and unknown commands are ERR_INVALID_CMD") {
  Harness h;
  const std::uint32_t cid = h.open();
  for (unsigned cmd : {0x00u, 0x02u, 0x05u, 0x07u, 0x12u, 0x3Bu, 0x3Fu, 0x40u, 0x50u, 0x7Fu}) {
    CAPTURE(cmd);
    h.send(cid, static_cast<std::uint8_t>(cmd), Bytes{1, 2});
    h.expect_error(cid, hid::Error::kInvalidCmd);
  }
  CHECK(h.device.cbor_requests.empty());
  CHECK(h.device.msg_requests.empty());
  CHECK(h.device.winks == 0);
}

TEST_CASE("ctaphid: a multi-packet vendor command is rejected only after its last packet") {
  Harness h;
  const std::uint32_t cid = h.open();
  auto reports = encode(cid, 0x41, pattern(100));
  h.feed(reports[0]);
  h.expect_nothing();
  h.feed(reports[1]);
  h.expect_error(cid, hid::Error::kInvalidCmd);
}

}  // namespace
}  // namespace vfido::transport::ctaphid::test
