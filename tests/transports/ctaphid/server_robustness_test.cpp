// Nothing the host sends may crash the Server or leave it stuck busy (CTAP 2.1 §11.2.5).
#include <doctest/doctest.h>

#include "tests/transports/ctaphid/ctaphid_test_support.h"

namespace vfido::transport::ctaphid::test {
namespace {

// Deterministic draws from SeededRng.
struct Draw {
  SeededRng& rng;
  std::uint32_t u32() {
    ByteArray<4> b{};
    rng.fill(b);
    return read_cid(b.data());
  }
  std::size_t below(std::size_t n) { return u32() % n; }
  bool chance(std::size_t percent) { return below(100) < percent; }
};

// Checks every report the Server sent is well formed, then forgets them.
void check_and_clear(std::vector<Report>& out, std::size_t& messages) {
  messages += decode(out).size();
  out.clear();
}

TEST_CASE("ctaphid: 10k garbage reports never crash and a fresh INIT+PING still works") {
  Harness h({}, 99);
  SeededRng garbage(20240601);
  Draw d{garbage};
  std::vector<std::uint32_t> cids;
  for (int i = 0; i < 4; ++i) cids.push_back(h.open());
  std::size_t messages = 0;
  std::size_t completed = 0;
  for (int i = 0; i < 10000; ++i) {
    // Random length around the report size, random bytes.
    Bytes raw(d.below(80));
    garbage.fill(raw);
    // Steer part of the traffic to deeper states: valid CIDs, valid commands, small BCNTs.
    if (raw.size() >= 7 && d.chance(60)) {
      const std::uint32_t cid = d.chance(80) ? cids[d.below(cids.size())] : (d.chance(50) ? kBroadcast : 0);
      raw[0] = static_cast<std::uint8_t>(cid >> 24);
      raw[1] = static_cast<std::uint8_t>(cid >> 16);
      raw[2] = static_cast<std::uint8_t>(cid >> 8);
      raw[3] = static_cast<std::uint8_t>(cid);
      if (raw[4] & 0x80) {
        static constexpr std::uint8_t kCmds[] = {kPing, kMsg, kLock, kInit, kWink, kCbor, kCancel, kKeepalive, kError, 0x40};
        if (d.chance(70)) raw[4] = static_cast<std::uint8_t>(0x80 | kCmds[d.below(std::size(kCmds))]);
        if (d.chance(70)) {
          raw[5] = 0;
          raw[6] = static_cast<std::uint8_t>(d.below(2) == 0 ? d.below(12) : d.below(256));
        }
      } else if (d.chance(70)) {
        raw[4] = static_cast<std::uint8_t>(d.below(6));
      }
    }
    h.server->feed(raw);
    if (d.chance(20)) h.tick_after(d.below(d.chance(5) ? 2000 : 120));
    h.device.hold = d.chance(30);
    h.device.waiting = d.chance(50);
    h.device.msg_supported = d.chance(50);
    if (h.device.pending() && d.chance(10)) {
      h.device.complete(pattern(d.below(200)));
      ++completed;
    }
    // Occasionally learn a newly allocated channel from an INIT response.
    for (const Sent& s : decode(h.out)) {
      if (s.cid == kBroadcast && s.cmd == kInit && s.payload.size() == 17 && cids.size() < 16) {
        cids.push_back(read_cid(s.payload.data() + 8));
      }
    }
    check_and_clear(h.out, messages);
    REQUIRE(h.server->channel_count() <= Server::kMaxChannels);
  }
  CHECK_FALSE(h.device.overlap_seen);
  MESSAGE("garbage run: " << messages << " messages sent, " << completed << " device replies, "
                          << h.device.cbor_requests.size() << " CBOR requests");
  CHECK(messages > 1000);  // the steering reached the command handlers
  CHECK(h.device.cbor_requests.size() > 10);

  // Let every timer run out: a pending request ends, a lock (<= 10 s) expires, a stalled
  // reassembly times out.
  if (h.device.pending()) h.device.complete(Bytes{0x00});
  h.device.hold = false;
  h.tick_after(11000);
  check_and_clear(h.out, messages);

  const Bytes nonce{9, 8, 7, 6, 5, 4, 3, 2};
  h.send(kBroadcast, kInit, nonce);
  Sent init = h.take_one();
  REQUIRE(init.payload.size() == 17);
  CHECK(Bytes(init.payload.begin(), init.payload.begin() + 8) == nonce);
  const std::uint32_t cid = read_cid(init.payload.data() + 8);
  h.send(cid, kPing, pattern(500));
  Sent pong = h.take_one();
  CHECK(pong.cid == cid);
  CHECK(pong.payload == pattern(500));
  h.send(cid, kCbor, Bytes{0x04});
  CHECK(h.take_one().payload == Bytes{0x00, 0x04});
}

TEST_CASE("ctaphid: every single-byte corruption of a valid message leaves the server usable") {
  Harness h;
  const std::uint32_t a = h.open();
  const std::uint32_t b = h.open();
  const auto reports = encode(a, kCbor, pattern(150));
  for (std::size_t pkt = 0; pkt < reports.size(); ++pkt) {
    for (std::size_t pos = 0; pos < 8; ++pos) {
      CAPTURE(pkt);
      CAPTURE(pos);
      auto bad = reports;
      bad[pkt][pos] ^= 0x5A;
      for (const Report& r : bad) h.feed(r);
      h.tick_after(501);  // whatever was left half-assembled times out
      (void)h.take();
      h.send(b, kPing, Bytes{1});
      Sent s = h.take_one();
      CHECK(s.cid == b);
      CHECK(s.cmd == kPing);
    }
  }
}

}  // namespace
}  // namespace vfido::transport::ctaphid::test
