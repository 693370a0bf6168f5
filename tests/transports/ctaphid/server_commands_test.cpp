// CTAP 2.1 §11.2.9 commands through the Server: PING, MSG, CBOR with keepalives, CANCEL, WINK,
// LOCK, and the one-transaction-at-a-time rule of §11.2.5.1 across channels.
#include <doctest/doctest.h>

#include "tests/transports/ctaphid/ctaphid_test_support.h"

namespace vfido::transport::ctaphid::test {
namespace {

TEST_CASE("ctaphid: PING echoes payloads of every size class up to 7609 bytes") {
  Harness h;
  const std::uint32_t cid = h.open();
  for (std::size_t len : {0u, 1u, 56u, 57u, 58u, 116u, 117u, 1000u, 7608u, 7609u}) {
    CAPTURE(len);
    h.send(cid, kPing, pattern(len, 5));
    Sent s = h.take_one();
    CHECK(s.cid == cid);
    CHECK(s.cmd == kPing);
    CHECK(s.payload == pattern(len, 5));
  }
  CHECK(h.device.cbor_requests.empty());
}

TEST_CASE("ctaphid: MSG without U2F support is ERR_INVALID_CMD") {
  Harness h;
  const std::uint32_t cid = h.open();
  h.send(cid, kMsg, Bytes{0x00, 0x03, 0x00, 0x00});
  h.expect_error(cid, hid::Error::kInvalidCmd);
  CHECK(h.device.msg_requests.empty());
}

TEST_CASE("ctaphid: MSG goes to the device when it supports U2F") {
  Harness h;
  h.device.msg_supported = true;
  h.device.answer = [](ByteSpan) { return Bytes{0x90, 0x00}; };
  const std::uint32_t cid = h.open();
  const Bytes apdu{0x00, 0x03, 0x00, 0x00, 0x00};
  h.send(cid, kMsg, apdu);
  Sent s = h.take_one();
  CHECK(s.cmd == kMsg);
  CHECK(s.payload == Bytes{0x90, 0x00});
  REQUIRE(h.device.msg_requests.size() == 1);
  CHECK(h.device.msg_requests[0] == apdu);
  CHECK(h.device.cbor_requests.empty());
}

TEST_CASE("ctaphid: a pending MSG gets keepalives and its answer as MSG") {
  Harness h;
  h.device.msg_supported = true;
  h.device.hold = true;
  const std::uint32_t cid = h.open();
  h.send(cid, kMsg, Bytes{0x00, 0x01, 0x03, 0x00});
  h.tick_after(100);
  Sent k = h.take_one();
  CHECK(k.cmd == kKeepalive);
  h.device.complete(Bytes{0x69, 0x85});
  Sent s = h.take_one();
  CHECK(s.cmd == kMsg);
  CHECK(s.payload == Bytes{0x69, 0x85});
}

TEST_CASE("ctaphid: CBOR answered at once") {
  Harness h;
  const std::uint32_t cid = h.open();
  const Bytes req = pattern(300, 1);
  h.send(cid, kCbor, req);
  Sent s = h.take_one();
  CHECK(s.cid == cid);
  CHECK(s.cmd == kCbor);
  Bytes expect{0x00};
  expect.insert(expect.end(), req.begin(), req.end());
  CHECK(s.payload == expect);
  REQUIRE(h.device.cbor_requests.size() == 1);
  CHECK(h.device.cbor_requests[0] == req);
}

TEST_CASE("ctaphid: empty CBOR is ERR_INVALID_LEN and never reaches the device") {
  Harness h;
  const std::uint32_t cid = h.open();
  h.send(cid, kCbor, Bytes{});
  h.expect_error(cid, hid::Error::kInvalidLen);
  CHECK(h.device.cbor_requests.empty());
}

TEST_CASE("ctaphid: keepalives every 100 ms while pending, with the right status, stopping after the response") {
  Harness h;
  h.device.hold = true;
  const std::uint32_t cid = h.open();
  h.send(cid, kCbor, Bytes{0x02});
  h.expect_nothing();
  SUBCASE("PROCESSING") {
    h.tick_after(99);
    h.expect_nothing();
    h.tick_after(1);
    Sent k = h.take_one();
    CHECK(k.cid == cid);
    CHECK(k.cmd == kKeepalive);
    CHECK(k.payload == Bytes{0x01});
    for (int i = 0; i < 5; ++i) {
      for (int t = 0; t < 4; ++t) {
        h.tick_after(20);
        h.expect_nothing();
      }
      h.tick_after(20);
      CHECK(h.take_one().payload == Bytes{0x01});
    }
  }
  SUBCASE("UPNEEDED") {
    h.device.waiting = true;
    h.tick_after(20);  // status changed since the request started: sent at once
    CHECK(h.take_one().payload == Bytes{0x02});
    for (int i = 0; i < 3; ++i) {
      h.tick_after(99);
      h.expect_nothing();
      h.tick_after(1);
      Sent k = h.take_one();
      CHECK(k.cid == cid);
      CHECK(k.payload == Bytes{0x02});
    }
    h.device.waiting = false;  // back to PROCESSING: at once again
    h.tick_after(10);
    CHECK(h.take_one().payload == Bytes{0x01});
  }
  h.device.complete(Bytes{0x00, 0xA0});
  Sent s = h.take_one();
  CHECK(s.cmd == kCbor);
  CHECK(s.payload == Bytes{0x00, 0xA0});
  for (int i = 0; i < 10; ++i) h.tick_after(100);
  h.expect_nothing();
  CHECK(h.device.polls > 0);
}

TEST_CASE("ctaphid: a device waiting for the user from the start gets UPNEEDED keepalives") {
  Harness h;
  h.device.hold = true;
  const std::uint32_t cid = h.open();
  // The fake sets `waiting` after the request starts, as the real core does.
  h.send(cid, kCbor, Bytes{0x01});
  h.device.waiting = true;
  h.tick_after(5);
  CHECK(h.take_one().payload == Bytes{0x02});
}

TEST_CASE("ctaphid: a reply delivered from inside cbor() is sent once and frees the device") {
  Harness h;
  struct SyncLater final : Device {
    std::optional<Bytes> cbor(ByteSpan, Reply later) override {
      later(Bytes{0x00, 0x42});
      later(Bytes{0x00, 0x43});  // a second reply is a device bug; it must be dropped
      return std::nullopt;
    }
    std::optional<Bytes> msg(ByteSpan, Reply) override { return Bytes{}; }
    bool supports_msg() const override { return false; }
    bool supports_wink() const override { return false; }
    void wink() override {}
    void cancel() override {}
    void poll() override {}
    bool waiting_for_user() const override { return false; }
  } device;
  std::vector<Report> out;
  Server server(device, h.clock, h.rng, [&](const Report& r) { out.push_back(r); });
  for (const Report& r : encode(kBroadcast, kInit, pattern(8))) server.feed(r);
  const std::uint32_t cid = read_cid(decode(out).at(0).payload.data() + 8);
  out.clear();
  for (const Report& r : encode(cid, kCbor, Bytes{0x04})) server.feed(r);
  auto msgs = decode(out);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].payload == Bytes{0x00, 0x42});
  out.clear();
  h.clock.advance(500);
  server.tick();
  CHECK(out.empty());
  for (const Report& r : encode(cid, kPing, Bytes{9})) server.feed(r);
  CHECK(decode(out).at(0).cmd == kPing);
}

TEST_CASE("ctaphid: a second reply from the device is dropped") {
  Harness h;
  h.device.hold = true;
  const std::uint32_t cid = h.open();
  h.send(cid, kCbor, Bytes{0x01});
  Device::Reply reply = h.device.take_reply();
  reply(Bytes{0x00, 1});
  CHECK(h.take_one().payload == Bytes{0x00, 1});
  reply(Bytes{0x00, 2});
  h.expect_nothing();
}

TEST_CASE("ctaphid: a device reply after the Server is gone is harmless") {
  Harness h;
  h.device.hold = true;
  const std::uint32_t cid = h.open();
  h.send(cid, kCbor, Bytes{0x01});
  Device::Reply reply = h.device.take_reply();
  h.server.reset();
  reply(Bytes{0x00});
  CHECK(h.out.empty());
}

TEST_CASE("ctaphid: an oversized device response becomes ERR_OTHER") {
  Harness h;
  h.device.answer = [](ByteSpan) { return pattern(7610); };
  const std::uint32_t cid = h.open();
  h.send(cid, kCbor, Bytes{0x01});
  h.expect_error(cid, hid::Error::kOther);
  h.device.answer = [](ByteSpan) { return pattern(7609); };
  h.send(cid, kCbor, Bytes{0x01});
  CHECK(h.take_one().payload == pattern(7609));
}

TEST_CASE("ctaphid: CANCEL on the busy channel cancels the device request and is not answered itself") {
  Harness h;
  h.device.hold = true;
  h.device.answer_on_cancel = false;
  const std::uint32_t cid = h.open();
  h.send(cid, kCbor, Bytes{0x01});
  h.device.waiting = true;
  h.send(cid, kCancel);
  CHECK(h.device.cancels == 1);
  h.expect_nothing();  // no response to the CANCEL
  REQUIRE(h.device.pending());
  // The request is still pending until the device answers: keepalives go on.
  h.tick_after(100);
  CHECK(h.take_one().cmd == kKeepalive);
  h.device.complete(Bytes{0x2D});
  Sent s = h.take_one();
  CHECK(s.cid == cid);
  CHECK(s.cmd == kCbor);
  CHECK(s.payload == Bytes{0x2D});
}

TEST_CASE("ctaphid: CANCEL answered synchronously by the device yields the KEEPALIVE_CANCEL response") {
  Harness h;
  h.device.hold = true;
  const std::uint32_t cid = h.open();
  h.send(cid, kCbor, Bytes{0x02});
  h.send(cid, kCancel);
  Sent s = h.take_one();
  CHECK(s.cmd == kCbor);
  CHECK(s.payload == Bytes{0x2D});
  h.tick_after(200);
  h.expect_nothing();
}

TEST_CASE("ctaphid: CANCEL from another channel or with nothing pending is ignored") {
  Harness h;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  h.send(a, kCancel);
  h.expect_nothing();
  CHECK(h.device.cancels == 0);
  h.device.hold = true;
  h.send(a, kCbor, Bytes{0x01});
  h.send(b, kCancel);
  h.expect_nothing();
  CHECK(h.device.cancels == 0);
  CHECK(h.device.pending());
}

TEST_CASE("ctaphid: CANCEL mid-reassembly on the same channel drops the message silently") {
  Harness h;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  auto reports = encode(a, kCbor, pattern(100));
  h.feed(reports[0]);
  h.send(a, kCancel);
  h.feed(reports[1]);
  h.expect_nothing();
  CHECK(h.device.cbor_requests.empty());
  h.send(b, kPing, Bytes{1});
  h.expect(b, kPing);
}

TEST_CASE("ctaphid: WINK winks and answers empty") {
  Harness h;
  const std::uint32_t cid = h.open();
  h.send(cid, kWink);
  Sent s = h.take_one();
  CHECK(s.cid == cid);
  CHECK(s.cmd == kWink);
  CHECK(s.payload.empty());
  CHECK(h.device.winks == 1);
}

TEST_CASE("ctaphid: WINK without the capability is ERR_INVALID_CMD") {
  Harness h;
  h.device.wink_supported = false;
  const std::uint32_t cid = h.open();
  h.send(cid, kWink);
  h.expect_error(cid, hid::Error::kInvalidCmd);
  CHECK(h.device.winks == 0);
}

TEST_CASE("ctaphid: interleaved channels, one busy: the other gets CHANNEL_BUSY, then proceeds") {
  Harness h;
  h.device.hold = true;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  h.send(a, kCbor, Bytes{0x01, 0xA0});
  h.send(b, kPing, Bytes{5});
  h.expect_error(b, hid::Error::kChannelBusy);
  h.send(b, kCbor, Bytes{0x04});
  h.expect_error(b, hid::Error::kChannelBusy);
  CHECK(h.device.cbor_requests.size() == 1);
  // The busy channel itself cannot start a second request either.
  h.send(a, kCbor, Bytes{0x04});
  h.expect_error(a, hid::Error::kChannelBusy);
  h.device.complete(Bytes{0x00, 0x01});
  Sent s = h.take_one();
  CHECK(s.cid == a);
  h.device.hold = false;
  h.send(b, kPing, Bytes{5});
  CHECK(h.take_one().payload == Bytes{5});
  h.send(b, kCbor, Bytes{0x04});
  CHECK(h.take_one().payload == Bytes{0x00, 0x04});
  CHECK_FALSE(h.device.overlap_seen);
}

TEST_CASE("ctaphid: LOCK holds off other channels until released") {
  Harness h;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  h.send(a, kLock, Bytes{5});
  Sent s = h.take_one();
  CHECK(s.cid == a);
  CHECK(s.cmd == kLock);
  CHECK(s.payload.empty());
  h.send(b, kPing, Bytes{1});
  h.expect_error(b, hid::Error::kChannelBusy);
  h.send(b, kLock, Bytes{1});
  h.expect_error(b, hid::Error::kChannelBusy);
  h.send(a, kPing, Bytes{2});
  CHECK(h.take_one().payload == Bytes{2});
  // INIT is still answered for everyone.
  const std::uint32_t c = h.open();
  h.send(c, kPing, Bytes{1});
  h.expect_error(c, hid::Error::kChannelBusy);
  h.send(a, kLock, Bytes{0});
  CHECK(h.take_one().cmd == kLock);
  h.send(b, kPing, Bytes{3});
  CHECK(h.take_one().payload == Bytes{3});
}

TEST_CASE("ctaphid: LOCK expires on the clock") {
  Harness h;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  h.send(a, kLock, Bytes{10});
  CHECK(h.take_one().cmd == kLock);
  h.tick_after(9999);
  h.send(b, kPing, Bytes{1});
  h.expect_error(b, hid::Error::kChannelBusy);
  h.tick_after(1);  // 10 s after the LOCK
  h.send(b, kPing, Bytes{1});
  CHECK(h.take_one().payload == Bytes{1});
  SUBCASE("re-LOCK by the holder restarts the time") {
    h.send(a, kLock, Bytes{1});
    h.take_one();
    h.clock.advance(600);
    h.send(a, kLock, Bytes{1});
    h.take_one();
    h.clock.advance(600);
    h.send(b, kPing, Bytes{1});
    h.expect_error(b, hid::Error::kChannelBusy);
    h.clock.advance(400);
    h.send(b, kPing, Bytes{1});  // expiry is also checked on feed, without a tick
    CHECK(h.take_one().payload == Bytes{1});
  }
}

TEST_CASE("ctaphid: LOCK parameter checks") {
  Harness h;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  h.send(a, kLock, Bytes{11});
  h.expect_error(a, hid::Error::kInvalidPar);
  h.send(a, kLock, Bytes{0xFF});
  h.expect_error(a, hid::Error::kInvalidPar);
  h.send(a, kLock, Bytes{});
  h.expect_error(a, hid::Error::kInvalidLen);
  h.send(a, kLock, Bytes{1, 1});
  h.expect_error(a, hid::Error::kInvalidLen);
  // None of them locked anything.
  h.send(b, kPing, Bytes{1});
  h.expect(b, kPing);
  // LOCK 0 with no lock held is a harmless no-op.
  h.send(b, kLock, Bytes{0});
  CHECK(h.take_one().cmd == kLock);
  h.send(a, kPing, Bytes{1});
  h.expect(a, kPing);
}

TEST_CASE("ctaphid: INIT resync of the locking channel releases the lock") {
  Harness h;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  h.send(a, kLock, Bytes{10});
  h.take_one();
  h.send(a, kInit, pattern(8));
  h.take_one();
  h.send(b, kPing, Bytes{1});
  h.expect(b, kPing);
}

}  // namespace
}  // namespace vfido::transport::ctaphid::test
