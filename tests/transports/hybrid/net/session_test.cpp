// The phone and desktop sessions over an in-memory pipe (no sockets): the QR flow end to end
// through a real authenticator, linking information, and every way the channel can break —
// wrong PSK, a peer that never answers, replayed, reordered and tampered messages, a phone that
// ends the session, linking information that does not verify. Each failure must be a clear
// error on both ends.
#include <doctest/doctest.h>

#include "authenticator/cbor/codec.h"
#include "tests/transports/hybrid/net/net_test_util.h"
#include "transports/hybrid/derive.h"
#include "transports/hybrid/desktop_session.h"
#include "transports/hybrid/eid.h"
#include "transports/hybrid/memory_pipe.h"
#include "transports/hybrid/messages.h"

namespace vfido::cable {
namespace {

using namespace test;
namespace vt = vfido::test;

constexpr std::uint8_t kGetInfo = 0x04;

// A QR session's keys as both ends derive them, with a fixed EID.
struct QrKeys {
  explicit QrKeys(Rng& rng) : qr(*DesktopQr::generate(rng, RequestType::kMakeCredential, 1700000000, true)) {
    desktop_public = *crypto::p256_decompress(qr.contents.public_key);
    EidComponents c;
    c.routing_id = {1, 2, 3};
    eid = eid_from_components(c);
    const auto p = derive(qr.contents.secret, eid, DerivedValueType::kPsk, kPskLen);
    psk.assign(p.expose().begin(), p.expose().end());
  }
  DesktopQr qr;
  Bytes desktop_public;
  Eid eid{};
  Bytes psk;

  Responder responder(Phone& phone, Bytes key) const {
    return [&phone, key = std::move(key), pub = desktop_public](ByteSpan m1) {
      return respond_qr(key, pub, m1, phone.env.rng);
    };
  }
  CableResult<HandshakeInitiator> initiator(Rng& rng) const { return HandshakeInitiator::for_qr(psk, qr.identity, rng); }
  DesktopChannel::LinkVerifier verifier() const {
    const crypto::EcdhKey* id = &qr.identity;
    return [id](const LinkingInfo& info, const HandshakeHash& h) { return verify_linking_signature(info, *id, h); };
  }
};

DesktopOptions quick() {
  DesktopOptions o;
  o.handshake_timeout = 2s;
  return o;
}

struct Session {
  asio::io_context io;
  Air air{io};
  std::unique_ptr<Air::Channel> adverts = air.channel();
  Phone phone{io, *adverts, [] {
                PhoneOptions o;
                o.handshake_timeout = 2s;
                o.idle_timeout = 2s;
                return o;
              }()};
  SeededRng desktop_rng{77};
  vt::RecordingLog desktop_log;
  QrKeys keys{desktop_rng};
};

TEST_CASE("session: QR flow over a memory pipe, CTAP through the authenticator, linking verified") {
  Session s;
  const auto before = vt::call(s.phone.authenticator, Bytes{kGetInfo});
  auto [phone_end, desktop_end] = make_memory_pipe_pair(s.io.get_executor());
  PhoneIdentity identity{crypto::SecretBytes(Bytes(32, 0x11)), Bytes{0xc0, 0xff, 0xee}, "test phone"};
  UpdateMaker update = [&](const HandshakeHash& h, PhoneSummary& summary) -> std::optional<Bytes> {
    auto info = identity.make_linking_info(s.keys.desktop_public, h, s.phone.env.rng);
    REQUIRE(info.has_value());
    summary.linking_sent = true;
    return encode_update_message(&*info);
  };
  auto phone = spawn<CableResult<PhoneSummary>>(s.io, [&, pipe = phone_end]() {
    return serve_phone_channel(s.phone.ctx, *pipe, s.keys.responder(s.phone, s.keys.psk), update);
  });

  Bytes get_info_reply;
  Bytes make_reply;
  std::optional<LinkingInfo> linking;
  auto desktop = spawn<bool>(s.io, [&, pipe = desktop_end]() -> asio::awaitable<bool> {
    auto channel = co_await DesktopChannel::open(s.io.get_executor(), pipe, *s.keys.initiator(s.desktop_rng), false,
                                                 s.keys.verifier(), quick(), s.desktop_log);
    REQUIRE(channel.has_value());
    const Bytes get_info_request(1, kGetInfo);
    auto info = co_await (*channel)->transact(get_info_request, 2s);
    REQUIRE(info.has_value());
    get_info_reply = *info;
    vt::MakeCredentialArgs args;
    args.rk = true;
    auto made = co_await (*channel)->transact(vt::make_credential_msg(args), 2s);
    REQUIRE(made.has_value());
    make_reply = *made;
    linking = co_await (*channel)->wait_for_linking(2s);
    co_await (*channel)->shutdown();
    co_return true;
  });
  REQUIRE(drive(s.io, [&] { return phone->done() && desktop->done(); }));

  // getInfo is the phone's as it was at the handshake (answered from the post-handshake
  // message: only one CTAP request crossed).
  CHECK(get_info_reply == before.raw);
  auto made = vt::decode_reply(make_reply);
  CHECK(made.status == CtapStatus::kOk);
  CHECK(made.has(2));
  REQUIRE(phone->value->has_value());
  CHECK((*phone->value)->ctap_requests == 1);
  CHECK((*phone->value)->linking_sent);
  REQUIRE(linking.has_value());
  CHECK(linking->name == "test phone");
  CHECK(linking->contact_id == identity.contact_id);
  // The phone can recompute the link secret from the link ID alone.
  CHECK(to_hex(linking->link_secret.expose()) ==
        to_hex(paired_link_secret(identity.root_secret.expose(), identity.contact_id, linking->link_id).expose()));
}

TEST_CASE("session: wrong PSK is refused by the phone; the desktop sees the tunnel close") {
  Session s;
  auto [phone_end, desktop_end] = make_memory_pipe_pair(s.io.get_executor());
  Bytes wrong = s.keys.psk;
  wrong[5] ^= 0x40;
  auto phone = spawn<CableResult<PhoneSummary>>(s.io, [&, pipe = phone_end]() {
    return serve_phone_channel(s.phone.ctx, *pipe, s.keys.responder(s.phone, wrong), nullptr);
  });
  auto desktop = spawn<CableResult<std::shared_ptr<DesktopChannel>>>(s.io, [&, pipe = desktop_end]() {
    return DesktopChannel::open(s.io.get_executor(), pipe, *s.keys.initiator(s.desktop_rng), false, nullptr, quick(),
                                s.desktop_log);
  });
  REQUIRE(drive(s.io, [&] { return phone->done() && desktop->done(); }));
  CHECK(phone->value->error() == CableError::kHandshakeFailed);
  CHECK(desktop->value->error() == CableError::kTunnelClosed);
  CHECK(s.phone.log.contains("handshake"));
  CHECK(s.desktop_log.contains("refused message 1"));
}

TEST_CASE("session: a phone that never answers, and a desktop that never starts") {
  Session s;
  SUBCASE("the desktop times out waiting for message 2") {
    auto [silent, desktop_end] = make_memory_pipe_pair(s.io.get_executor());
    DesktopOptions o = quick();
    o.handshake_timeout = 300ms;
    auto desktop = spawn<CableResult<std::shared_ptr<DesktopChannel>>>(s.io, [&, pipe = desktop_end]() {
      return DesktopChannel::open(s.io.get_executor(), pipe, *s.keys.initiator(s.desktop_rng), false, nullptr, o,
                                  s.desktop_log);
    });
    REQUIRE(drive(s.io, [&] { return desktop->done(); }, 5s));
    CHECK(desktop->value->error() == CableError::kTimeout);
    CHECK(s.desktop_log.contains("waiting for the phone's handshake answer"));
  }
  SUBCASE("the phone times out waiting for message 1") {
    auto [phone_end, silent] = make_memory_pipe_pair(s.io.get_executor());
    s.phone.ctx.options.handshake_timeout = 300ms;
    auto phone = spawn<CableResult<PhoneSummary>>(s.io, [&, pipe = phone_end]() {
      return serve_phone_channel(s.phone.ctx, *pipe, s.keys.responder(s.phone, s.keys.psk), nullptr);
    });
    REQUIRE(drive(s.io, [&] { return phone->done(); }, 5s));
    CHECK(phone->value->error() == CableError::kTimeout);
    CHECK(s.phone.log.contains("no desktop started the handshake"));
  }
}

TEST_CASE("session: replayed, reordered and tampered desktop messages end the session on both ends") {
  Session s;
  std::function<std::vector<Bytes>(std::vector<Bytes>)> arrange;
  int expected_replies = 0;
  SUBCASE("the first request twice") {
    arrange = [](std::vector<Bytes> r) { return std::vector<Bytes>{r[0], r[0], r[1]}; };
    expected_replies = 1;
  }
  SUBCASE("the second request before the first") {
    arrange = [](std::vector<Bytes> r) { return std::vector<Bytes>{r[1], r[0]}; };
    expected_replies = 0;
  }
  SUBCASE("the first request dropped") {
    arrange = [](std::vector<Bytes> r) { return std::vector<Bytes>{r[1], r[2]}; };
    expected_replies = 0;
  }
  SUBCASE("one flipped bit in the second request") {
    arrange = [](std::vector<Bytes> r) {
      r[1][r[1].size() / 2] ^= 0x01;
      return r;
    };
    expected_replies = 1;
  }
  auto [phone_end, desktop_end] = make_memory_pipe_pair(s.io.get_executor());
  auto phone = spawn<CableResult<PhoneSummary>>(s.io, [&, pipe = phone_end]() {
    return serve_phone_channel(s.phone.ctx, *pipe, s.keys.responder(s.phone, s.keys.psk), nullptr);
  });
  auto desktop = spawn<int>(s.io, [&, pipe = desktop_end]() {
    return hostile_desktop(pipe, *s.keys.initiator(s.desktop_rng), three_requests(), arrange);
  });
  REQUIRE(drive(s.io, [&] { return phone->done() && desktop->done(); }));
  // The phone answers what decrypts in order and stops at the first message that does not.
  CHECK(phone->value->error() == CableError::kDecryptFailed);
  CHECK(s.phone.log.contains("failed to decrypt"));
  CHECK(*desktop->value == expected_replies);
}

TEST_CASE("session: replayed, reordered and tampered phone messages are refused by the desktop") {
  Session s;
  // Phone -> desktop: 0 = message 2, 1 = post-handshake, 2 = update, 3 = first reply.
  int index = 0;
  std::optional<Bytes> held;
  PipeFilter filter;
  SUBCASE("a replayed reply") {
    filter = [&](bool from_first, Bytes m) -> std::vector<Bytes> {
      if (!from_first) return {std::move(m)};
      return (index++ == 3) ? std::vector<Bytes>{m, m} : std::vector<Bytes>{std::move(m)};
    };
  }
  SUBCASE("a tampered reply") {
    filter = [&](bool from_first, Bytes m) -> std::vector<Bytes> {
      if (from_first && index++ == 3) m[3] ^= 0x80;
      return {std::move(m)};
    };
  }
  SUBCASE("the update before the post-handshake message") {
    filter = [&](bool from_first, Bytes m) -> std::vector<Bytes> {
      if (!from_first) return {std::move(m)};
      const int i = index++;
      if (i == 1) {
        held = std::move(m);
        return {};
      }
      if (i == 2) return {std::move(m), std::move(*held)};
      return {std::move(m)};
    };
  }
  auto [phone_end, desktop_end] = make_memory_pipe_pair(s.io.get_executor(), filter);
  UpdateMaker padding_only = [](const HandshakeHash&, PhoneSummary&) -> std::optional<Bytes> {
    return encode_update_message(nullptr);
  };
  auto phone = spawn<CableResult<PhoneSummary>>(s.io, [&, pipe = phone_end]() {
    return serve_phone_channel(s.phone.ctx, *pipe, s.keys.responder(s.phone, s.keys.psk), padding_only);
  });
  std::optional<CableError> seen;
  auto desktop = spawn<bool>(s.io, [&, pipe = desktop_end]() -> asio::awaitable<bool> {
    auto channel = co_await DesktopChannel::open(s.io.get_executor(), pipe, *s.keys.initiator(s.desktop_rng), false,
                                                 nullptr, quick(), s.desktop_log);
    if (!channel) {
      seen = channel.error();
      co_return true;
    }
    for (int i = 0; i < 3 && !seen; ++i) {
      auto r = co_await (*channel)->transact(plain_make_credential(), 2s);
      if (!r) seen = r.error();
    }
    co_await (*channel)->shutdown();
    co_return true;
  });
  REQUIRE(drive(s.io, [&] { return phone->done() && desktop->done(); }));
  CHECK(seen == CableError::kDecryptFailed);
  CHECK(s.desktop_log.contains("failed to decrypt"));
  // The phone sees the desktop go away without a shutdown.
  CHECK(phone->value->error() == CableError::kTunnelClosed);
}

// A hand-made phone for what a real one would not send: message 2, then `after` (plaintexts
// to encrypt, or nullopt for a post-handshake message without getInfo).
asio::awaitable<bool> fake_phone(Session& s, std::shared_ptr<MessagePipe> pipe, std::vector<Bytes> after) {
  auto m1 = co_await pipe->read(2s);
  REQUIRE(m1.has_value());
  auto r = respond_qr(s.keys.psk, s.keys.desktop_public, *m1, s.phone.env.rng);
  REQUIRE(r.has_value());
  REQUIRE((co_await pipe->write(r->message2)).has_value());
  for (auto& p : after) REQUIRE((co_await pipe->write(*r->out.crypter.encrypt(p))).has_value());
  co_await pipe->read(1s);  // keep the pipe open until the desktop acts
  co_return true;
}

Bytes post_handshake(bool with_info) {
  PostHandshakeMessage m;
  if (with_info) m.get_info = Bytes{0xa1, 0x01, 0x80};  // {1: []}
  return *encode_post_handshake(m);
}

TEST_CASE("session: the desktop refuses a phone shutdown, a post-handshake message without getInfo, a forged link") {
  Session s;
  auto [phone_end, desktop_end] = make_memory_pipe_pair(s.io.get_executor());
  std::vector<Bytes> after;
  CableError expected = CableError::kInternal;
  bool opened = true;
  SUBCASE("shutdown from the phone") {
    after = {post_handshake(true), frame_message(MessageType::kShutdown, {})};
    expected = CableError::kPeerShutdown;
  }
  SUBCASE("no getInfo") {
    after = {post_handshake(false)};
    opened = false;
    expected = CableError::kBadMessage;
  }
  SUBCASE("linking information signed for another handshake") {
    PhoneIdentity identity{crypto::SecretBytes(Bytes(32, 0x11)), Bytes{1}, "forger"};
    auto info = identity.make_linking_info(s.keys.desktop_public, HandshakeHash{}, s.phone.env.rng);
    after = {post_handshake(true), encode_update_message(&*info), frame_message(MessageType::kShutdown, {})};
    expected = CableError::kPeerShutdown;
  }
  auto phone = spawn<bool>(s.io, [&, pipe = phone_end]() { return fake_phone(s, pipe, after); });
  std::optional<CableError> seen;
  std::optional<LinkingInfo> linking;
  auto desktop = spawn<bool>(s.io, [&, pipe = desktop_end]() -> asio::awaitable<bool> {
    auto channel = co_await DesktopChannel::open(s.io.get_executor(), pipe, *s.keys.initiator(s.desktop_rng), false,
                                                 s.keys.verifier(), quick(), s.desktop_log);
    if (!channel) {
      seen = channel.error();
      co_return true;
    }
    linking = co_await (*channel)->wait_for_linking(500ms);
    auto r = co_await (*channel)->transact(plain_make_credential(), 1s);
    seen = r ? CableError::kInternal : r.error();
    co_return true;
  });
  REQUIRE(drive(s.io, [&] { return phone->done() && desktop->done(); }));
  CHECK(seen == expected);
  CHECK_FALSE(linking.has_value());
  if (!opened) CHECK(s.desktop_log.contains("post-handshake"));
}

}  // namespace
}  // namespace vfido::cable
