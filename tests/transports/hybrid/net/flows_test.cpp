// Both ends' flows through a real tunnel server on loopback, with the advert carried in process
// (the Air): the QR flow and a linked reconnection, then the failures the issue lists — wrong QR
// secret, tampered advert, wrong PSK, replayed and reordered frames, an oversized frame, a peer
// that never answers — each a clear error on both ends while the server keeps serving.
#include <doctest/doctest.h>

#include "tests/transports/hybrid/net/net_test_util.h"
#include "transports/hybrid/advertising_data.h"
#include "transports/hybrid/derive.h"
#include "transports/hybrid/desktop_session.h"
#include "transports/hybrid/tunnel_server.h"
#include "transports/hybrid/websocket_pipe.h"

namespace vfido::cable {
namespace {

using namespace test;
namespace vt = vfido::test;

struct Flow {
  Flow() {
    server = std::make_unique<TunnelServer>(io.get_executor(), TunnelServerOptions{}, server_log);
    server->start();
    phone = std::make_unique<Phone>(io, *phone_adverts, [&] {
      PhoneOptions o;
      o.tunnel = server->url();
      o.handshake_timeout = 1500ms;
      o.idle_timeout = 3s;
      return o;
    }());
    desktop.tunnel_override = server->url();
    desktop.advert_timeout = 1500ms;
    desktop.handshake_timeout = 1500ms;
  }
  ~Flow() {
    bool done = false;
    server->shutdown([&] { done = true; });
    drive(io, [&] { return done; }, 5s);
  }
  DesktopQr new_qr() { return *DesktopQr::generate(rng, RequestType::kMakeCredential, 1700000000, true); }

  // A normal QR session with one makeCredential: the server still serves.
  void check_still_serving() {
    DesktopQr qr = new_qr();
    auto p = spawn<CableResult<PhoneSummary>>(io, [&]() { return run_phone_qr(phone->ctx, qr.contents); });
    auto d = spawn<bool>(io, [&]() -> asio::awaitable<bool> {
      auto c = co_await connect_qr(io.get_executor(), qr, *desktop_adverts, desktop, rng, desktop_log);
      REQUIRE(c.has_value());
      auto r = co_await c->channel->transact(plain_make_credential(), 3s);
      REQUIRE(r.has_value());
      CHECK((*r)[0] == 0);
      co_await c->channel->shutdown();
      co_return true;
    });
    REQUIRE(drive(io, [&] { return p->done() && d->done(); }));
    CHECK(p->value->has_value());
  }

  asio::io_context io;
  vt::RecordingLog server_log;
  vt::RecordingLog desktop_log;
  std::unique_ptr<TunnelServer> server;
  Air air{io};
  std::unique_ptr<Air::Channel> phone_adverts = air.channel();
  std::unique_ptr<Air::Channel> desktop_adverts = air.channel();
  std::unique_ptr<Phone> phone;
  DesktopOptions desktop;
  SeededRng rng{99};
};

TEST_CASE("flows: QR session, then a linked session without a QR code") {
  Flow f;
  PhoneIdentity identity{crypto::SecretBytes(Bytes(32, 0x33)), Bytes{0x0c, 0x0a}, "flow phone"};
  f.phone->ctx.options.identity = &identity;
  DesktopQr qr = f.new_qr();
  auto p = spawn<CableResult<PhoneSummary>>(f.io, [&]() { return run_phone_qr(f.phone->ctx, qr.contents); });
  std::optional<LinkedDevice> device;
  Bytes credential_id;
  auto d = spawn<bool>(f.io, [&]() -> asio::awaitable<bool> {
    auto c = co_await connect_qr(f.io.get_executor(), qr, *f.desktop_adverts, f.desktop, f.rng, f.desktop_log);
    REQUIRE(c.has_value());
    CHECK(c->domain == 0);
    vt::MakeCredentialArgs args;
    args.rk = true;
    auto r = co_await c->channel->transact(vt::make_credential_msg(args), 3s);
    REQUIRE(r.has_value());
    auto reply = vt::decode_reply(*r);
    REQUIRE(reply.status == CtapStatus::kOk);
    auto ad = AuthenticatorData::parse(reply.at(2).as_bytes());
    REQUIRE(ad.has_value());
    credential_id = ad->attested->credential_id;
    auto link = co_await c->channel->wait_for_linking(2s);
    REQUIRE(link.has_value());
    device = LinkedDevice{std::move(*link), c->domain};
    co_await c->channel->shutdown();
    co_return true;
  });
  REQUIRE(drive(f.io, [&] { return p->done() && d->done(); }));
  REQUIRE(p->value->has_value());
  CHECK((*p->value)->linking_sent);
  REQUIRE(device.has_value());

  // The phone listens; the desktop contacts it through the tunnel server.
  auto listener = std::make_shared<ContactListener>(f.phone->ctx, identity, 1);
  auto l = spawn<bool>(f.io, [listener]() -> asio::awaitable<bool> {
    co_await listener->run();
    co_return true;
  });
  REQUIRE(drive(f.io, [&] { return listener->listening(); }));
  auto d2 = spawn<bool>(f.io, [&]() -> asio::awaitable<bool> {
    auto c = co_await connect_linked(f.io.get_executor(), *device, RequestType::kGetAssertion, *f.desktop_adverts,
                                     f.desktop, f.rng, f.desktop_log);
    REQUIRE(c.has_value());
    vt::GetAssertionArgs args;
    auto r = co_await (*c)->transact(vt::get_assertion_msg(args), 3s);
    REQUIRE(r.has_value());
    auto reply = vt::decode_reply(*r);
    CHECK(reply.status == CtapStatus::kOk);
    CHECK(reply.at(1).find("id")->as_bytes() == credential_id);
    co_await (*c)->shutdown();
    co_return true;
  });
  REQUIRE(drive(f.io, [&] { return d2->done() && l->done(); }));
  CHECK(listener->sessions() == 1);
}

TEST_CASE("flows: wrong QR secret and tampered advert: the desktop finds no advert, the phone no desktop") {
  Flow f;
  DesktopQr qr = f.new_qr();
  QrContents scanned = qr.contents;
  SUBCASE("wrong QR secret") { scanned.secret[0] ^= 1; }
  SUBCASE("tampered advert") {
    f.air.tamper = [](Bytes& ad) { ad.back() ^= 0x01; };
  }
  auto p = spawn<CableResult<PhoneSummary>>(f.io, [&]() { return run_phone_qr(f.phone->ctx, scanned); });
  auto d = spawn<CableResult<QrConnection>>(f.io, [&]() {
    return connect_qr(f.io.get_executor(), qr, *f.desktop_adverts, f.desktop, f.rng, f.desktop_log);
  });
  REQUIRE(drive(f.io, [&] { return p->done() && d->done(); }));
  CHECK(d->value->error() == CableError::kTimeout);
  CHECK(f.desktop_log.contains("with a tag of another key"));
  CHECK(p->value->error() == CableError::kTimeout);
  CHECK(f.phone->log.contains("no desktop started the handshake"));
  f.air.tamper = nullptr;
  f.check_still_serving();
}

// The QR flow's phone steps by hand, with the PSK of another EID and/or no answer at all.
asio::awaitable<CableResult<PhoneSummary>> odd_phone(Flow& f, const QrContents& qr, bool answer) {
  const auto tunnel_secret = derive(qr.secret, {}, DerivedValueType::kTunnelId, kTunnelIdLen);
  TunnelId tunnel_id{};
  std::copy(tunnel_secret.expose().begin(), tunnel_secret.expose().end(), tunnel_id.begin());
  const WebSocketConnectOptions defaults;
  auto conn = co_await connect_websocket(f.io.get_executor(), f.server->url(), new_tunnel_path(tunnel_id), defaults,
                                         f.phone->log);
  REQUIRE(conn.has_value());
  EidComponents c;
  std::copy_n(parse_hex_any_case(conn->headers["x-cable-routing-id"])->begin(), 3, c.routing_id.begin());
  const Eid eid = eid_from_components(c);
  const auto eid_key = derive(qr.secret, {}, DerivedValueType::kEidKey, kEidKeyLen);
  f.phone_adverts->start_advertising(encode_advertising_data(*encrypt_eid(eid, eid_key.expose())));
  c.nonce[0] = 1;  // the PSK of another EID
  const auto wrong_psk = derive(qr.secret, eid_from_components(c), DerivedValueType::kPsk, kPskLen);
  auto pipe = conn->pipe;
  if (!answer) {
    co_await pipe->read(5s);  // reads message 1 and says nothing
    co_await pipe->read(5s);
    co_return cable_fail(CableError::kCancelled);
  }
  const Bytes desktop_key = *crypto::p256_decompress(qr.public_key);
  Responder respond = [&](ByteSpan m1) { return respond_qr(wrong_psk.expose(), desktop_key, m1, f.phone->env.rng); };
  co_return co_await serve_phone_channel(f.phone->ctx, *pipe, respond, nullptr);
}

TEST_CASE("flows: wrong PSK, and a phone that never answers") {
  Flow f;
  DesktopQr qr = f.new_qr();
  bool answer = true;
  CableError desktop_error = CableError::kTunnelClosed;
  SUBCASE("wrong PSK") {}
  SUBCASE("no answer") {
    answer = false;
    desktop_error = CableError::kTimeout;
  }
  auto p = spawn<CableResult<PhoneSummary>>(f.io, [&]() { return odd_phone(f, qr.contents, answer); });
  auto d = spawn<CableResult<QrConnection>>(f.io, [&]() {
    return connect_qr(f.io.get_executor(), qr, *f.desktop_adverts, f.desktop, f.rng, f.desktop_log);
  });
  REQUIRE(drive(f.io, [&] { return p->done() && d->done(); }));
  CHECK(d->value->error() == desktop_error);
  if (answer) {
    CHECK(p->value->error() == CableError::kHandshakeFailed);
    CHECK(f.phone->log.contains("refused"));
  } else {
    CHECK(f.desktop_log.contains("waiting for the phone's handshake answer"));
  }
  f.phone_adverts->stop_advertising();
  f.check_still_serving();
}

// The desktop's steps by hand up to the tunnel, then `run` on the pipe.
template <typename T>
asio::awaitable<T> desktop_tunnel(Flow& f, const DesktopQr& qr,
                                  std::function<asio::awaitable<T>(std::shared_ptr<MessagePipe>, HandshakeInitiator)> run) {
  const auto eid_key = derive(qr.contents.secret, {}, DerivedValueType::kEidKey, kEidKeyLen);
  const auto tunnel_secret = derive(qr.contents.secret, {}, DerivedValueType::kTunnelId, kTunnelIdLen);
  TunnelId tunnel_id{};
  std::copy(tunnel_secret.expose().begin(), tunnel_secret.expose().end(), tunnel_id.begin());
  const EidCheck check;
  auto eid = co_await wait_for_advert(f.io.get_executor(), *f.desktop_adverts, eid_key.expose(), check, 3s, f.desktop_log);
  REQUIRE(eid.has_value());
  const auto psk = derive(qr.contents.secret, *eid, DerivedValueType::kPsk, kPskLen);
  const WebSocketConnectOptions defaults;
  auto conn = co_await connect_websocket(f.io.get_executor(), f.server->url(),
                                         connect_path(eid_components(*eid).routing_id, tunnel_id), defaults, f.desktop_log);
  REQUIRE(conn.has_value());
  co_return co_await run(conn->pipe, *HandshakeInitiator::for_qr(psk.expose(), qr.identity, f.rng));
}

TEST_CASE("flows: replayed, reordered and oversized frames through the server; a desktop that never starts") {
  Flow f;
  DesktopQr qr = f.new_qr();
  std::function<std::vector<Bytes>(std::vector<Bytes>)> arrange;
  CableError phone_error = CableError::kDecryptFailed;
  bool silent = false;
  SUBCASE("replayed") {
    arrange = [](std::vector<Bytes> r) { return std::vector<Bytes>{r[0], r[0]}; };
  }
  SUBCASE("reordered") {
    arrange = [](std::vector<Bytes> r) { return std::vector<Bytes>{r[1], r[0]}; };
  }
  SUBCASE("oversized (above the server's 64 KiB)") {
    arrange = [](std::vector<Bytes> r) { return std::vector<Bytes>{r[0], Bytes(70 * 1024, 0x55)}; };
    phone_error = CableError::kTunnelClosed;
  }
  SUBCASE("the desktop joins and never sends message 1") {
    silent = true;
    phone_error = CableError::kTimeout;
  }
  auto p = spawn<CableResult<PhoneSummary>>(f.io, [&]() { return run_phone_qr(f.phone->ctx, qr.contents); });
  auto d = spawn<int>(f.io, [&]() {
    return desktop_tunnel<int>(f, qr, [&](std::shared_ptr<MessagePipe> pipe, HandshakeInitiator init) -> asio::awaitable<int> {
      if (silent) {
        co_await pipe->read(5s);  // until the phone gives up and the server closes the tunnel
        co_return -1;
      }
      co_return co_await hostile_desktop(pipe, std::move(init), three_requests(), arrange);
    });
  });
  REQUIRE(drive(f.io, [&] { return p->done() && d->done(); }));
  CHECK(p->value->error() == phone_error);
  if (phone_error == CableError::kDecryptFailed) CHECK(f.phone->log.contains("failed to decrypt"));
  if (silent) CHECK(f.phone->log.contains("no desktop started the handshake"));
  if (phone_error == CableError::kTunnelClosed) CHECK(f.server_log.contains("above"));
  f.check_still_serving();
}

}  // namespace
}  // namespace vfido::cable
