// CTAP 2.1 §11.2.3 channels and §11.2.9.1.3 CTAPHID_INIT: allocation, resync, the response
// layout and the channel cap.
#include <doctest/doctest.h>

#include <set>

#include "tests/transports/ctaphid/ctaphid_test_support.h"

namespace vfido::transport::ctaphid::test {
namespace {

// An Rng that returns the same bytes forever, to force CID collisions.
class FixedRng final : public Rng {
 public:
  explicit FixedRng(std::uint8_t byte) : byte_(byte) {}
  void fill(std::span<std::uint8_t> out) override { std::fill(out.begin(), out.end(), byte_); }

 private:
  std::uint8_t byte_;
};

TEST_CASE("ctaphid: INIT response byte layout is exact") {
  Server::Options o;
  o.version_major = 3;
  o.version_minor = 4;
  o.version_build = 5;
  Harness h(o);
  const Bytes nonce{0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8};
  h.send(kBroadcast, kInit, nonce);
  REQUIRE(h.out.size() == 1);
  const Report& r = h.out[0];
  CHECK(Bytes(r.begin(), r.begin() + 7) == Bytes{0xFF, 0xFF, 0xFF, 0xFF, 0x86, 0x00, 0x11});
  CHECK(Bytes(r.begin() + 7, r.begin() + 15) == nonce);
  const std::uint32_t cid = read_cid(r.data() + 15);
  CHECK(cid != 0);
  CHECK(cid != kBroadcast);
  CHECK(r[19] == 2);  // CTAPHID protocol version
  CHECK(r[20] == 3);
  CHECK(r[21] == 4);
  CHECK(r[22] == 5);
  CHECK(r[23] == (0x01 | 0x04 | 0x08));  // WINK | CBOR | NMSG
  CHECK(Bytes(r.begin() + 24, r.end()) == Bytes(40, 0));
  CHECK(h.server->channel_count() == 1);
}

TEST_CASE("ctaphid: INIT capabilities follow the device") {
  Harness h;
  h.device.msg_supported = true;
  h.device.wink_supported = false;
  h.open();
  h.send(kBroadcast, kInit, pattern(8));
  CHECK(h.take_one().payload[16] == 0x04);  // CBOR only: MSG supported, no WINK
}

TEST_CASE("ctaphid: INIT on broadcast allocates a new channel each time") {
  Harness h;
  std::set<std::uint32_t> cids;
  for (int i = 0; i < 20; ++i) {
    const std::uint32_t cid = h.open();
    CHECK(cid != 0);
    CHECK(cid != kBroadcast);
    cids.insert(cid);
  }
  CHECK(cids.size() == 20);
  CHECK(h.server->channel_count() == 20);
  for (std::uint32_t cid : cids) {
    h.send(cid, kPing, Bytes{1});
    h.expect(cid, kPing);
  }
}

TEST_CASE("ctaphid: CIDs stay unique, non-zero and non-broadcast when the Rng keeps colliding") {
  for (std::uint8_t byte : {std::uint8_t{0x00}, std::uint8_t{0xFF}, std::uint8_t{0x42}}) {
    CAPTURE(byte);
    ManualClock clock;
    FixedRng rng(byte);
    FakeDevice device;
    std::vector<Report> out;
    Server server(device, clock, rng, [&](const Report& r) { out.push_back(r); });
    std::set<std::uint32_t> cids;
    for (int i = 0; i < 10; ++i) {
      for (const Report& r : encode(kBroadcast, kInit, pattern(8))) server.feed(r);
      auto msgs = decode(out);
      out.clear();
      REQUIRE(msgs.size() == 1);
      const std::uint32_t cid = read_cid(msgs[0].payload.data() + 8);
      CHECK(cid != 0);
      CHECK(cid != kBroadcast);
      cids.insert(cid);
    }
    CHECK(cids.size() == 10);
  }
}

TEST_CASE("ctaphid: INIT with a payload other than 8 bytes is ERR_INVALID_LEN") {
  Harness h;
  for (std::size_t len : {std::size_t{0}, std::size_t{7}, std::size_t{9}, std::size_t{17}}) {
    CAPTURE(len);
    h.send(kBroadcast, kInit, pattern(len));
    h.expect_error(kBroadcast, hid::Error::kInvalidLen);
  }
  CHECK(h.server->channel_count() == 0);
  const std::uint32_t cid = h.open();
  h.send(cid, kInit, pattern(4));
  h.expect_error(cid, hid::Error::kInvalidLen);
}

TEST_CASE("ctaphid: INIT on an unallocated or reserved CID is ERR_INVALID_CHANNEL") {
  Harness h;
  h.send(0x12345678, kInit, pattern(8));
  h.expect_error(0x12345678, hid::Error::kInvalidChannel);
  h.send(0, kInit, pattern(8));
  h.expect_error(0, hid::Error::kInvalidChannel);
  CHECK(h.server->channel_count() == 0);
}

TEST_CASE("ctaphid: INIT on an allocated CID answers on that CID with that CID") {
  Harness h;
  const std::uint32_t cid = h.open();
  const Bytes nonce = pattern(8, 0x33);
  h.send(cid, kInit, nonce);
  Sent s = h.take_one();
  CHECK(s.cid == cid);
  CHECK(s.cmd == kInit);
  REQUIRE(s.payload.size() == 17);
  CHECK(Bytes(s.payload.begin(), s.payload.begin() + 8) == nonce);
  CHECK(read_cid(s.payload.data() + 8) == cid);
  CHECK(h.server->channel_count() == 1);
}

TEST_CASE("ctaphid: INIT resync mid-reassembly drops the partial message") {
  Harness h;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  auto reports = encode(a, kPing, pattern(200));
  h.feed(reports[0]);
  h.feed(reports[1]);
  h.send(a, kInit, pattern(8));
  CHECK(h.take_one().cmd == kInit);
  h.feed(reports[2]);  // the old message's rest: continuation without init, ignored
  h.feed(reports[3]);
  h.expect_nothing();
  // The device is free: another channel, then the resynchronised one, are served.
  h.send(b, kPing, pattern(3));
  CHECK(h.take_one().payload == pattern(3));
  h.send(a, kPing, pattern(100));
  CHECK(h.take_one().payload == pattern(100));
}

TEST_CASE("ctaphid: INIT resync mid-transaction cancels the device request and drops its reply") {
  Harness h;
  h.device.hold = true;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  h.send(a, kCbor, Bytes{0x02, 0xA0});
  REQUIRE(h.device.pending());
  SUBCASE("the device answers the cancel at once") {
    h.send(a, kInit, pattern(8));
    CHECK(h.device.cancels == 1);
    Sent s = h.take_one();  // only the INIT response, no KEEPALIVE_CANCEL reply
    CHECK(s.cmd == kInit);
    CHECK(s.cid == a);
  }
  SUBCASE("the device answers later") {
    h.device.answer_on_cancel = false;
    h.send(a, kInit, pattern(8));
    CHECK(h.device.cancels == 1);
    CHECK(h.take_one().cmd == kInit);
    h.device.complete(Bytes{0x2D});
    h.expect_nothing();
  }
  // No keepalives for the aborted request, and the device is free for anyone.
  h.tick_after(300);
  h.expect_nothing();
  h.device.hold = false;
  h.send(b, kCbor, Bytes{0x04});
  Sent s = h.take_one();
  CHECK(s.cid == b);
  CHECK(s.payload == Bytes{0x00, 0x04});
}

TEST_CASE("ctaphid: INIT from another channel while one is busy is answered without disturbing it") {
  Harness h;
  h.device.hold = true;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  h.send(a, kCbor, Bytes{0x01});
  h.send(kBroadcast, kInit, pattern(8));
  CHECK(h.take_one().cmd == kInit);
  h.send(b, kInit, pattern(8));
  h.expect(b, kInit);
  CHECK(h.device.cancels == 0);
  h.device.complete(Bytes{0x00, 0x99});
  Sent s = h.take_one();
  CHECK(s.cid == a);
  CHECK(s.cmd == kCbor);
  CHECK(s.payload == Bytes{0x00, 0x99});
}

TEST_CASE("ctaphid: INIT on broadcast mid-reassembly of another channel does not disturb it") {
  Harness h;
  const std::uint32_t a = h.open();
  auto reports = encode(a, kPing, pattern(150));
  h.feed(reports[0]);
  const std::uint32_t c = h.open();
  CHECK(c != a);
  h.feed(reports[1]);
  h.feed(reports[2]);
  Sent s = h.take_one();
  CHECK(s.cid == a);
  CHECK(s.payload == pattern(150));
}

TEST_CASE("ctaphid: the channel cap evicts the least recently used channel") {
  Harness h;
  std::vector<std::uint32_t> cids;
  for (std::size_t i = 0; i < Server::kMaxChannels; ++i) cids.push_back(h.open());
  CHECK(h.server->channel_count() == Server::kMaxChannels);
  // Use the oldest channel, so the second oldest becomes the least recently used.
  h.send(cids[0], kPing, Bytes{1});
  h.expect(cids[0], kPing);
  const std::uint32_t fresh = h.open();
  CHECK(h.server->channel_count() == Server::kMaxChannels);
  h.send(cids[1], kPing, Bytes{1});
  h.expect_error(cids[1], hid::Error::kInvalidChannel);
  for (std::uint32_t cid : {cids[0], cids[2], cids[63], fresh}) {
    h.send(cid, kPing, Bytes{2});
    h.expect(cid, kPing);
  }
  // A resync INIT counts as use too: cids[3] is now the least recently used, not cids[4].
  h.send(cids[4], kInit, pattern(8));
  h.expect(cids[4], kInit);
  h.open();
  h.send(cids[3], kPing, Bytes{1});
  h.expect_error(cids[3], hid::Error::kInvalidChannel);
  h.send(cids[4], kPing, Bytes{1});
  h.expect(cids[4], kPing);
}

TEST_CASE("ctaphid: the channel cap never evicts the busy channel") {
  Harness h;
  h.device.hold = true;
  const std::uint32_t busy = h.open();
  h.send(busy, kCbor, Bytes{0x01});
  for (std::size_t i = 0; i < 3 * Server::kMaxChannels; ++i) h.open();
  CHECK(h.server->channel_count() == Server::kMaxChannels);
  h.device.complete(Bytes{0x00});
  h.expect(busy, kCbor);
  h.device.hold = false;
  h.send(busy, kPing, Bytes{7});
  h.expect(busy, kPing);
}

TEST_CASE("ctaphid: the channel cap never evicts the channel holding the lock or a reassembly") {
  Harness h;
  const std::uint32_t locker = h.open();
  h.send(locker, kLock, Bytes{10});
  h.expect(locker, kLock);
  for (std::size_t i = 0; i < 2 * Server::kMaxChannels; ++i) h.open();
  CHECK(h.server->channel_count() == Server::kMaxChannels);
  h.send(locker, kPing, Bytes{3});
  h.expect(locker, kPing);
  h.send(locker, kLock, Bytes{0});
  h.expect(locker, kLock);

  const std::uint32_t sender = h.open();
  auto reports = encode(sender, kPing, pattern(100));
  h.feed(reports[0]);
  for (std::size_t i = 0; i < 2 * Server::kMaxChannels; ++i) h.open();
  h.feed(reports[1]);
  CHECK(h.expect(sender, kPing).payload == pattern(100));
}

TEST_CASE("ctaphid: a late reply for an aborted request does not answer the next request") {
  Harness h;
  h.device.hold = true;
  h.device.answer_on_cancel = false;
  const std::uint32_t a = h.open();
  h.send(a, kCbor, Bytes{0x01});
  Device::Reply stale = h.device.take_reply();
  h.send(a, kInit, pattern(8));  // resync aborts the first request
  h.expect(a, kInit);
  h.send(a, kCbor, Bytes{0x02});
  REQUIRE(h.device.pending());
  stale(Bytes{0x00, 0x01});
  h.expect_nothing();
  h.device.complete(Bytes{0x00, 0x02});
  CHECK(h.expect(a, kCbor).payload == Bytes{0x00, 0x02});
}

}  // namespace
}  // namespace vfido::transport::ctaphid::test
