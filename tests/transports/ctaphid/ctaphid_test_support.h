// Test helpers for the CTAPHID layer: fake Devices, an independent packet encoder/decoder (plain
// index arithmetic, deliberately not the code under test) and a Harness that drives a Server on
// a ManualClock and collects what it sends.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "authenticator/bytes.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/clock.h"
#include "authenticator/env/rng.h"
#include "transports/ctaphid/device.h"
#include "transports/ctaphid/server.h"

namespace vfido::transport::ctaphid::test {

namespace hid = vfido::ctaphid;

constexpr std::uint8_t kPing = 0x01, kMsg = 0x03, kLock = 0x04, kInit = 0x06, kWink = 0x08, kCbor = 0x10,
                       kCancel = 0x11, kKeepalive = 0x3B, kError = 0x3F;
constexpr std::uint32_t kBroadcast = 0xFFFFFFFF;

inline std::uint8_t err(hid::Error e) { return static_cast<std::uint8_t>(e); }

// A payload whose bytes depend on position and a salt, so misplaced chunks show.
inline Bytes pattern(std::size_t len, std::uint8_t salt = 0) {
  Bytes b(len);
  for (std::size_t i = 0; i < len; ++i) b[i] = static_cast<std::uint8_t>((i * 31 + salt + (i >> 8)) & 0xFF);
  return b;
}

// Independent encoder: host → device packets.
inline Report init_report(std::uint32_t cid, std::uint8_t cmd, std::uint16_t bcnt, ByteSpan data = {}) {
  Report r{};
  r[0] = static_cast<std::uint8_t>(cid >> 24);
  r[1] = static_cast<std::uint8_t>(cid >> 16);
  r[2] = static_cast<std::uint8_t>(cid >> 8);
  r[3] = static_cast<std::uint8_t>(cid);
  r[4] = static_cast<std::uint8_t>(cmd | 0x80);
  r[5] = static_cast<std::uint8_t>(bcnt >> 8);
  r[6] = static_cast<std::uint8_t>(bcnt);
  for (std::size_t i = 0; i < data.size() && i < 57; ++i) r[7 + i] = data[i];
  return r;
}

inline Report cont_report(std::uint32_t cid, std::uint8_t seq, ByteSpan data = {}) {
  Report r{};
  r[0] = static_cast<std::uint8_t>(cid >> 24);
  r[1] = static_cast<std::uint8_t>(cid >> 16);
  r[2] = static_cast<std::uint8_t>(cid >> 8);
  r[3] = static_cast<std::uint8_t>(cid);
  r[4] = seq;
  for (std::size_t i = 0; i < data.size() && i < 59; ++i) r[5 + i] = data[i];
  return r;
}

inline std::vector<Report> encode(std::uint32_t cid, std::uint8_t cmd, ByteSpan payload) {
  std::vector<Report> out;
  out.push_back(init_report(cid, cmd, static_cast<std::uint16_t>(payload.size()), payload.first(std::min<std::size_t>(57, payload.size()))));
  std::size_t off = 57;
  std::uint8_t seq = 0;
  while (off < payload.size()) {
    std::size_t n = std::min<std::size_t>(59, payload.size() - off);
    out.push_back(cont_report(cid, seq++, payload.subspan(off, n)));
    off += n;
  }
  return out;
}

inline std::uint32_t read_cid(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// One message the device sent, decoded independently.
struct Sent {
  std::uint32_t cid = 0;
  std::uint8_t cmd = 0;
  Bytes payload;
};

// Decodes device → host reports, checking the framing rules on the way: SEQ order, same CID,
// zero padding, no dangling message.
inline std::vector<Sent> decode(const std::vector<Report>& reports) {
  std::vector<Sent> out;
  std::optional<Sent> cur;
  std::size_t want = 0;
  std::uint8_t seq = 0;
  for (const Report& r : reports) {
    const std::uint32_t cid = read_cid(r.data());
    std::size_t data_at = 0;
    std::size_t cap = 0;
    if (r[4] & 0x80) {
      REQUIRE_MESSAGE(!cur, "init packet before the previous message ended");
      cur = Sent{cid, static_cast<std::uint8_t>(r[4] & 0x7F), {}};
      want = (std::size_t{r[5]} << 8) | r[6];
      REQUIRE(want <= hid::kMaxMessageLen);
      seq = 0;
      data_at = 7;
      cap = 57;
    } else {
      REQUIRE_MESSAGE(cur, "continuation packet with no init packet");
      REQUIRE(cid == cur->cid);
      REQUIRE(r[4] == seq);
      ++seq;
      data_at = 5;
      cap = 59;
    }
    const std::size_t n = std::min(cap, want - cur->payload.size());
    cur->payload.insert(cur->payload.end(), r.begin() + static_cast<std::ptrdiff_t>(data_at),
                        r.begin() + static_cast<std::ptrdiff_t>(data_at + n));
    for (std::size_t i = data_at + n; i < r.size(); ++i) REQUIRE_MESSAGE(r[i] == 0, "padding must be zero");
    if (cur->payload.size() == want) {
      out.push_back(std::move(*cur));
      cur.reset();
    }
  }
  REQUIRE_MESSAGE(!cur, "the device left a message unfinished");
  return out;
}

// A scriptable Device: answers at once (default) or stays pending until the test completes it;
// records every call.
class FakeDevice final : public Device {
 public:
  bool hold = false;            // true: cbor()/msg() stay pending
  bool msg_supported = false;
  bool wink_supported = true;
  bool waiting = false;         // waiting_for_user()
  bool answer_on_cancel = true; // cancel() completes the pending request with 0x2D at once
  std::function<Bytes(ByteSpan)> answer = [](ByteSpan req) {
    Bytes r(req.size() + 1, 0x00);  // status OK || the request
    std::copy(req.begin(), req.end(), r.begin() + 1);
    return r;
  };

  std::vector<Bytes> cbor_requests, msg_requests;
  int cancels = 0, winks = 0, polls = 0;
  bool overlap_seen = false;  // a request arrived while another was pending

  std::optional<Bytes> cbor(ByteSpan request, Reply later) override {
    cbor_requests.emplace_back(request.begin(), request.end());
    return serve(request, std::move(later));
  }
  std::optional<Bytes> msg(ByteSpan apdu, Reply later) override {
    msg_requests.emplace_back(apdu.begin(), apdu.end());
    return serve(apdu, std::move(later));
  }
  bool supports_msg() const override { return msg_supported; }
  bool supports_wink() const override { return wink_supported; }
  void wink() override { ++winks; }
  void cancel() override {
    ++cancels;
    if (answer_on_cancel && later_) complete(Bytes{static_cast<std::uint8_t>(CtapStatus::kKeepaliveCancel)});
  }
  void poll() override { ++polls; }
  bool waiting_for_user() const override { return waiting; }

  bool pending() const { return static_cast<bool>(later_); }
  void complete(Bytes response) {
    REQUIRE(later_);
    Reply r = std::move(later_);
    later_ = nullptr;
    waiting = false;
    r(std::move(response));
  }
  Reply take_reply() {
    Reply r = std::move(later_);
    later_ = nullptr;
    return r;
  }

 private:
  std::optional<Bytes> serve(ByteSpan request, Reply later) {
    if (later_) overlap_seen = true;
    if (!hold) return answer(request);
    later_ = std::move(later);
    return std::nullopt;
  }
  Reply later_;
};

// Drives one Server; `out` collects every report it sends.
struct Harness {
  explicit Harness(Server::Options options = {}, std::uint64_t seed = 7) : rng(seed) {
    server = std::make_unique<Server>(device, clock, rng, [this](const Report& r) { out.push_back(r); }, options);
  }

  ManualClock clock;
  SeededRng rng;
  FakeDevice device;
  std::vector<Report> out;
  std::unique_ptr<Server> server;

  void feed(const Report& r) { server->feed(r); }
  void send(std::uint32_t cid, std::uint8_t cmd, ByteSpan payload = {}) {
    for (const Report& r : encode(cid, cmd, payload)) server->feed(r);
  }
  void send(std::uint32_t cid, std::uint8_t cmd, std::initializer_list<std::uint8_t> payload) {
    Bytes b(payload);
    send(cid, cmd, ByteSpan(b));
  }
  void tick_after(std::uint64_t ms) {
    clock.advance(ms);
    server->tick();
  }

  // Everything sent since the last take(), decoded.
  std::vector<Sent> take() {
    auto msgs = decode(out);
    out.clear();
    return msgs;
  }
  Sent take_one() {
    auto msgs = take();
    REQUIRE(msgs.size() == 1);
    return msgs.front();
  }
  void expect_error(std::uint32_t cid, hid::Error e) {
    Sent s = take_one();
    CHECK(s.cid == cid);
    CHECK(s.cmd == kError);
    CHECK(s.payload == Bytes{err(e)});
  }
  // Exactly one message went out, on `cid`, with command `cmd` (not an error in disguise).
  Sent expect(std::uint32_t cid, std::uint8_t cmd) {
    Sent s = take_one();
    CHECK(s.cid == cid);
    CHECK(s.cmd == cmd);
    return s;
  }
  void expect_nothing() { CHECK(out.empty()); out.clear(); }

  // INIT on broadcast; returns the new CID.
  std::uint32_t open() {
    const Bytes nonce{1, 2, 3, 4, 5, 6, 7, 8};
    send(kBroadcast, kInit, nonce);
    Sent s = take_one();
    REQUIRE(s.cid == kBroadcast);
    REQUIRE(s.cmd == kInit);
    REQUIRE(s.payload.size() == 17);
    REQUIRE(Bytes(s.payload.begin(), s.payload.begin() + 8) == nonce);
    return read_cid(s.payload.data() + 8);
  }
};

}  // namespace vfido::transport::ctaphid::test
