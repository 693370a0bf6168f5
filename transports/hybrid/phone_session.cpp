#include "transports/hybrid/phone_session.h"

#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include <memory>
#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "authenticator/ctap_constants.h"
#include "transports/hybrid/advertising_data.h"
#include "transports/hybrid/async_event.h"
#include "transports/hybrid/derive.h"
#include "transports/hybrid/eid.h"
#include "transports/hybrid/messages.h"
#include "transports/hybrid/websocket_pipe.h"

namespace vfido::cable {
namespace {

namespace asio = boost::asio;

// How often a request waiting for the user lets the core check its presence timeout.
constexpr std::chrono::milliseconds kPollInterval{100};
// CTAP 2.1 §6.4: authenticatorGetInfo.
constexpr std::uint8_t kCtapGetInfo = 0x04;

void say(PhoneContext& ctx, LogLevel level, const std::string& text) { ctx.log.write(level, "hybrid phone: " + text); }

CableResult<PhoneSummary> failed(PhoneContext& ctx, CableError e, const std::string& detail) {
  say(ctx, LogLevel::kError, detail + ": " + std::string(describe(e)));
  return cable_fail(e);
}

// Stops advertising when the scope ends, whatever the outcome.
struct AdvertisingScope {
  AdvertChannel& adverts;
  ~AdvertisingScope() { adverts.stop_advertising(); }
};

// One CTAP request through the core; waits (letting the core poll its timers) when the core
// waits for the user.
asio::awaitable<Bytes> ctap(PhoneContext& ctx, ByteSpan request) {
  auto event = std::make_shared<AsyncEvent>(ctx.ex);
  auto later = std::make_shared<std::optional<Bytes>>();
  std::optional<Bytes> now = ctx.authenticator.handle(request, [event, later](Bytes reply) {
    *later = std::move(reply);
    event->notify();
  });
  if (now) co_return std::move(*now);
  while (!*later) {
    co_await event->wait_until(AsyncEvent::Clock::now() + kPollInterval);
    if (!*later) ctx.authenticator.poll();
  }
  co_return std::move(**later);
}

asio::awaitable<CableResult<void>> send(MessagePipe& pipe, Crypter& crypter, ByteSpan plaintext) {
  auto sealed = crypter.encrypt(plaintext);
  if (!sealed) co_return cable_fail(sealed.error());
  co_return co_await pipe.write(std::move(*sealed));
}

}  // namespace

asio::awaitable<CableResult<PhoneSummary>> serve_phone_channel(PhoneContext& ctx, MessagePipe& pipe,
                                                               Responder respond, UpdateMaker update) {
  const auto& o = ctx.options;
  auto message1 = co_await pipe.read(o.handshake_timeout);
  if (!message1) {
    std::string what = "waiting for the handshake";
    if (message1.error() == CableError::kTimeout) {
      what = "no desktop started the handshake within " + std::to_string(o.handshake_timeout.count()) + " ms";
    }
    co_return failed(ctx, message1.error(), what);
  }
  auto answered = respond(*message1);
  if (!answered) {
    co_await pipe.close();
    co_return failed(ctx, answered.error(), "the desktop's handshake message was refused");
  }
  ctx.adverts.stop_advertising();  // §1 step 5: the desktop has found us
  VFIDO_CABLE_CO_TRY(co_await pipe.write(answered->message2));
  Crypter& crypter = answered->out.crypter;
  say(ctx, LogLevel::kInfo, "handshake complete");

  // §8.3: the post-handshake message carries the getInfo response without its status byte.
  const Bytes get_info_request(1, kCtapGetInfo);  // not a braced list across co_await (GCC 12)
  const Bytes info = co_await ctap(ctx, get_info_request);
  if (info.empty() || info[0] != static_cast<std::uint8_t>(CtapStatus::kOk)) {
    co_await pipe.close();
    co_return failed(ctx, CableError::kInternal, "the authenticator did not answer getInfo");
  }
  PostHandshakeMessage post;
  post.get_info = Bytes(info.begin() + 1, info.end());
  post.features.emplace();  // no braced list in a coroutine: GCC 12 cannot copy its array
  post.features->emplace_back(kFeatureCtap);
  auto post_bytes = encode_post_handshake(post);
  if (!post_bytes) co_return failed(ctx, post_bytes.error(), "encoding the post-handshake message");
  VFIDO_CABLE_CO_TRY(co_await send(pipe, crypter, *post_bytes));

  PhoneSummary summary;
  if (update) {
    if (auto u = update(answered->out.hash, summary)) VFIDO_CABLE_CO_TRY(co_await send(pipe, crypter, *u));
  }

  for (;;) {
    auto sealed = co_await pipe.read(o.idle_timeout);
    if (!sealed) {
      std::string what = "waiting for a request";
      if (sealed.error() == CableError::kTimeout) what = "no request for " + std::to_string(o.idle_timeout.count()) + " ms";
      co_return failed(ctx, sealed.error(), what);
    }
    auto plain = crypter.decrypt(*sealed);
    if (!plain) {
      pipe.abort();
      co_return failed(ctx, plain.error(), "message " + std::to_string(crypter.read_count()) + " from the desktop");
    }
    auto message = parse_message(plain->expose());
    if (!message) {
      pipe.abort();
      co_return failed(ctx, message.error(), "a message from the desktop");
    }
    switch (message->type) {
      case MessageType::kShutdown:
        say(ctx, LogLevel::kInfo, "the desktop ended the session after " + std::to_string(summary.ctap_requests) +
                                      " request(s)");
        co_await pipe.close();
        co_return summary;
      case MessageType::kCtap: {
        if (message->payload.empty()) {
          pipe.abort();
          co_return failed(ctx, CableError::kBadMessage, "an empty CTAP request");
        }
        ++summary.ctap_requests;
        const Bytes reply = co_await ctap(ctx, message->payload);
        VFIDO_CABLE_CO_TRY(co_await send(pipe, crypter, frame_message(MessageType::kCtap, reply)));
        break;
      }
      case MessageType::kUpdate:
        break;  // §8.2: updates from the desktop are parsed and ignored by the phone
      case MessageType::kJson:
        pipe.abort();
        co_return failed(ctx, CableError::kBadMessage, "a digital-credential message (feature \"dc\" not offered)");
    }
  }
}

asio::awaitable<CableResult<PhoneSummary>> run_phone_qr(PhoneContext& ctx, const QrContents& qr) {
  const auto& o = ctx.options;
  // §3.1 key 2: a desktop that knows fewer assigned domains could not decode ours.
  if (o.domain < kFirstHashedDomain && o.domain >= qr.assigned_domain_count()) {
    co_return failed(ctx, CableError::kUnknownDomain,
                     "the QR code's desktop knows " + std::to_string(qr.assigned_domain_count()) +
                         " assigned tunnel domain(s), not domain " + std::to_string(o.domain));
  }
  auto desktop_public = crypto::p256_decompress(qr.public_key);
  if (!desktop_public) co_return failed(ctx, CableError::kBadPublicKey, "the QR code's key");
  // §1 steps 2-3.
  const auto eid_key = derive(qr.secret, {}, DerivedValueType::kEidKey, kEidKeyLen);
  const auto tunnel_secret = derive(qr.secret, {}, DerivedValueType::kTunnelId, kTunnelIdLen);
  TunnelId tunnel_id{};
  std::copy(tunnel_secret.expose().begin(), tunnel_secret.expose().end(), tunnel_id.begin());

  auto conn = co_await connect_websocket(ctx.ex, o.tunnel, new_tunnel_path(tunnel_id), connect_options_of(o), ctx.log);
  if (!conn) co_return failed(ctx, conn.error(), "opening a tunnel at " + o.tunnel.text());
  // §6.1: the phone aborts without a routing ID.
  auto routing_header = conn->headers.find("x-cable-routing-id");
  std::optional<Bytes> routing_bytes;
  if (routing_header != conn->headers.end()) routing_bytes = parse_hex_any_case(routing_header->second);
  if (!routing_bytes || routing_bytes->size() != kRoutingIdLen) {
    conn->pipe->abort();
    co_return failed(ctx, CableError::kTunnelRefused, "the tunnel server sent no valid X-caBLE-Routing-ID");
  }
  EidComponents c;
  ctx.rng.fill(c.nonce);
  std::copy(routing_bytes->begin(), routing_bytes->end(), c.routing_id.begin());
  c.domain = o.domain;
  const Eid eid = eid_from_components(c);
  auto advert = encrypt_eid(eid, eid_key.expose());
  if (!advert) co_return failed(ctx, advert.error(), "encrypting the advert");
  const auto psk = derive(qr.secret, eid, DerivedValueType::kPsk, kPskLen);

  AdvertisingScope advertising{ctx.adverts};
  ctx.adverts.start_advertising(encode_advertising_data(*advert));
  say(ctx, LogLevel::kInfo, "tunnel open (routing ID " + hex_upper(c.routing_id) + "), advertising");

  const bool may_link = o.identity != nullptr && qr.supports_linking.value_or(false);
  const Bytes desktop_key = std::move(*desktop_public);
  Responder respond = [&](ByteSpan m1) { return respond_qr(psk.expose(), desktop_key, m1, ctx.rng); };
  // §8.4: Chromium's phone always sends the update in the QR flow; without linking data it is
  // padding only, of the same size.
  UpdateMaker update = [&](const HandshakeHash& hash, PhoneSummary& summary) -> std::optional<Bytes> {
    if (!may_link) return encode_update_message(nullptr);
    auto info = o.identity->make_linking_info(desktop_key, hash, ctx.rng);
    if (!info) {
      say(ctx, LogLevel::kWarning, "cannot make linking information: " + std::string(describe(info.error())));
      return encode_update_message(nullptr);
    }
    summary.linking_sent = true;
    return encode_update_message(&*info);
  };
  auto pipe = conn->pipe;  // kept alive for the session
  co_return co_await serve_phone_channel(ctx, *pipe, respond, update);
}

asio::awaitable<CableResult<PhoneSummary>> run_phone_linked(PhoneContext& ctx, const PhoneIdentity& identity,
                                                            const ContactNotification& n) {
  const auto& o = ctx.options;
  auto payload = parse_client_payload(n.client_payload);
  if (!payload) co_return failed(ctx, payload.error(), "the desktop's client payload");
  // §9.1: the link secret for this link ID, recomputed from the root secret.
  const auto link_secret = paired_link_secret(identity.root_secret.expose(), identity.contact_id, payload->link_id);
  auto identity_key = identity_key_from_root(identity.root_secret.expose());
  if (!identity_key) co_return failed(ctx, identity_key.error(), "the identity key");

  auto conn = co_await connect_websocket(ctx.ex, o.tunnel, connect_path(n.routing_id, n.tunnel_id), connect_options_of(o), ctx.log);
  if (!conn) co_return failed(ctx, conn.error(), "joining the desktop's tunnel at " + o.tunnel.text());
  // §9.2 "Phone": advertise a random EID under Derive(link secret, client nonce, 1).
  const auto eid_key = derive(link_secret.expose(), payload->client_nonce, DerivedValueType::kEidKey, kEidKeyLen);
  const Eid eid = random_linked_eid(ctx.rng);
  auto advert = encrypt_eid(eid, eid_key.expose());
  if (!advert) co_return failed(ctx, advert.error(), "encrypting the advert");
  const auto psk = derive(link_secret.expose(), eid, DerivedValueType::kPsk, kPskLen);

  AdvertisingScope advertising{ctx.adverts};
  ctx.adverts.start_advertising(encode_advertising_data(*advert));
  say(ctx, LogLevel::kInfo, "joined a linked desktop's tunnel, advertising");
  Responder respond = [&](ByteSpan m1) { return respond_linked(psk.expose(), *identity_key, m1, ctx.rng); };
  auto pipe = conn->pipe;
  co_return co_await serve_phone_channel(ctx, *pipe, respond, nullptr);
}

ContactListener::ContactListener(PhoneContext& ctx, const PhoneIdentity& identity, std::size_t max_sessions,
                                 std::chrono::milliseconds retry)
    : ctx_(ctx), identity_(identity), max_sessions_(max_sessions), retry_(retry), wake_(std::make_unique<AsyncEvent>(ctx.ex)) {}

void ContactListener::stop() {
  stopped_ = true;
  if (pipe_) pipe_->abort();
  wake_->notify();
}

asio::awaitable<void> ContactListener::run() {
  auto self = shared_from_this();
  const auto& o = ctx_.options;
  // The listen socket stays quiet for as long as no desktop calls; stop() aborts it.
  constexpr std::chrono::hours kQuiet{24};
  while (!stopped_) {
    auto conn = co_await connect_websocket(ctx_.ex, o.tunnel, listen_path(identity_.contact_id), connect_options_of(o), ctx_.log);
    if (!conn) {
      say(ctx_, LogLevel::kWarning, "cannot listen for linked desktops at " + o.tunnel.text() + "; retrying");
      co_await wake_->wait_until(AsyncEvent::Clock::now() + retry_);
      continue;
    }
    pipe_ = conn->pipe;
    listening_ = true;
    say(ctx_, LogLevel::kInfo, "listening for linked desktops at " + o.tunnel.text());
    while (!stopped_) {
      auto m = co_await pipe_->read(kQuiet);
      if (!m) break;  // the server went away (or stop()): reconnect
      auto n = parse_contact_notification(*m);
      if (!n) {
        say(ctx_, LogLevel::kWarning, "ignored a malformed contact notification");
        continue;
      }
      auto r = co_await run_phone_linked(ctx_, identity_, *n);
      if (r) say(ctx_, LogLevel::kInfo, "linked session done: " + std::to_string(r->ctap_requests) + " request(s)");
      ++sessions_;
      if (max_sessions_ != 0 && sessions_ >= max_sessions_) stopped_ = true;
    }
    listening_ = false;
    if (stopped_) {
      co_await pipe_->close();
    } else {
      pipe_->abort();
      say(ctx_, LogLevel::kWarning, "the listen channel closed; reconnecting");
      co_await wake_->wait_until(AsyncEvent::Clock::now() + retry_);
    }
    pipe_.reset();
  }
}

}  // namespace vfido::cable
