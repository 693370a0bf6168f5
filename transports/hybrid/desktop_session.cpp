#include "transports/hybrid/desktop_session.h"

#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "authenticator/ctap_constants.h"
#include "transports/hybrid/advertising_data.h"
#include "transports/hybrid/derive.h"
#include "transports/hybrid/tunnel_domain.h"
#include "transports/hybrid/tunnel_protocol.h"
#include "transports/hybrid/websocket_pipe.h"

namespace vfido::cable {
namespace {

namespace asio = boost::asio;

constexpr std::uint8_t kCtapGetInfo = 0x04;
// The background reader waits this long for a message; the channel may sit idle between
// requests for as long as the caller likes.
constexpr std::chrono::hours kReadForever{24};

void say(Log& log, LogLevel level, const std::string& text) { log.write(level, "hybrid desktop: " + text); }

template <typename T>
CableResult<T> failed(Log& log, CableError e, const std::string& detail) {
  say(log, LogLevel::kError, detail + ": " + std::string(describe(e)));
  return cable_fail(e);
}

// The override, or wss://<domain>.
std::optional<TunnelUrl> tunnel_for(const DesktopOptions& o, std::uint16_t domain) {
  if (o.tunnel_override) return o.tunnel_override;
  return url_for_domain(domain);
}

}  // namespace

CableResult<DesktopQr> DesktopQr::generate(Rng& rng, RequestType hint, std::uint64_t unix_time, bool supports_linking) {
  auto identity = crypto::EcdhKey::generate(rng);
  if (!identity) return cable_fail(CableError::kInternal);
  auto compressed = crypto::p256_compress(identity->public_point());
  if (!compressed) return cable_fail(CableError::kInternal);
  QrContents q;
  std::copy(compressed->begin(), compressed->end(), q.public_key.begin());
  rng.fill(q.secret);
  q.assigned_domains = kAssignedDomains.size();
  q.timestamp = unix_time;
  q.supports_linking = supports_linking;
  q.request_hint = std::string(request_type_text(hint));
  return DesktopQr{std::move(*identity), std::move(q)};
}

DesktopChannel::DesktopChannel(asio::any_io_executor ex, std::shared_ptr<MessagePipe> pipe, HandshakeOutput out,
                               LinkVerifier verifier, Log& log)
    : pipe_(std::move(pipe)),
      crypter_(std::move(out.crypter)),
      hash_(out.hash),
      verifier_(std::move(verifier)),
      log_(log),
      event_(ex) {}

asio::awaitable<CableResult<std::shared_ptr<DesktopChannel>>> DesktopChannel::open(
    asio::any_io_executor ex, std::shared_ptr<MessagePipe> pipe, HandshakeInitiator initiator, bool expect_signal,
    LinkVerifier verifier, DesktopOptions options, Log& log) {
  using R = std::shared_ptr<DesktopChannel>;
  auto message1 = initiator.message1();
  if (!message1) co_return failed<R>(log, message1.error(), "building the handshake");
  VFIDO_CABLE_CO_TRY(co_await pipe->write(std::move(*message1)));
  if (expect_signal) {
    // §9.2 step 5: the server's single 0x00 byte says the phone has joined.
    auto signal = co_await pipe->read(options.handshake_timeout);
    if (!signal) co_return failed<R>(log, signal.error(), "waiting for the phone to join the tunnel");
    if (*signal != Bytes{kConnectionSignal}) {
      pipe->abort();
      co_return failed<R>(log, CableError::kBadMessage, "the tunnel's connection signal");
    }
  }
  auto message2 = co_await pipe->read(options.handshake_timeout);
  if (!message2) {
    // A phone that refuses message 1 (wrong QR secret, PSK or identity key) just closes.
    co_return failed<R>(log, message2.error(),
                        message2.error() == CableError::kTunnelClosed
                            ? "the phone closed the tunnel instead of answering the handshake (it refused message 1: "
                              "wrong QR code, PSK or identity key?)"
                            : "waiting for the phone's handshake answer");
  }
  auto out = initiator.process_message2(*message2);
  if (!out) {
    pipe->abort();
    co_return failed<R>(log, out.error(), "the phone's handshake answer");
  }
  auto channel = std::make_shared<DesktopChannel>(ex, pipe, std::move(*out), std::move(verifier), log);

  // §8.6: nothing is sent before the post-handshake message.
  auto sealed = co_await pipe->read(options.handshake_timeout);
  if (!sealed) co_return failed<R>(log, sealed.error(), "waiting for the post-handshake message");
  auto plain = channel->crypter_.decrypt(*sealed);
  if (!plain) {
    pipe->abort();
    co_return failed<R>(log, plain.error(), "the post-handshake message");
  }
  auto post = parse_post_handshake(plain->expose());
  if (!post || !post->get_info) {
    pipe->abort();
    co_return failed<R>(log, post ? CableError::kBadMessage : post.error(),
                        "the post-handshake message (revision 1 with getInfo is required)");
  }
  channel->get_info_ = std::move(*post->get_info);
  if (post->linking) {
    if (channel->verifier_ && channel->verifier_(*post->linking, channel->hash_)) {
      channel->linking_ = std::move(*post->linking);
    } else {
      say(log, LogLevel::kWarning, "ignored linking information whose signature does not verify");
    }
  }
  say(log, LogLevel::kInfo, "handshake complete");
  asio::co_spawn(ex, [channel]() { return channel->read_loop(); }, asio::detached);
  co_return channel;
}

void DesktopChannel::fail_with(CableError e, const std::string& detail) {
  if (failure_) return;
  failure_ = e;
  if (e != CableError::kCancelled) say(log_, LogLevel::kError, detail + ": " + std::string(describe(e)));
  pipe_->abort();
  event_.notify();
}

asio::awaitable<void> DesktopChannel::read_loop() {
  auto self = shared_from_this();
  while (!failure_) {
    auto sealed = co_await pipe_->read(kReadForever);
    if (shut_down_) co_return;
    if (!sealed) {
      fail_with(sealed.error(), "the tunnel");
      co_return;
    }
    auto plain = crypter_.decrypt(*sealed);
    if (!plain) {
      fail_with(plain.error(), "message " + std::to_string(crypter_.read_count()) + " from the phone");
      co_return;
    }
    auto message = parse_message(plain->expose());
    if (!message) {
      fail_with(message.error(), "a message from the phone");
      co_return;
    }
    switch (message->type) {
      case MessageType::kCtap:
        // §8.2: a reply's type matches the request's; an unrequested reply is a protocol error.
        if (!waiting_ || response_) {
          fail_with(CableError::kBadMessage, "a CTAP response nobody asked for");
          co_return;
        }
        response_ = std::move(message->payload);
        event_.notify();
        break;
      case MessageType::kUpdate: {
        auto update = parse_update(message->payload);
        if (!update) {
          say(log_, LogLevel::kWarning, "ignored a malformed update message");
        } else if (*update) {
          if (verifier_ && verifier_(**update, hash_)) {
            linking_ = std::move(**update);
            say(log_, LogLevel::kInfo, "received linking information from \"" + linking_->name + "\"");
            event_.notify();
          } else {
            say(log_, LogLevel::kWarning, "ignored linking information whose signature does not verify");
          }
        }
        break;
      }
      case MessageType::kShutdown:
        // §8.2: only the desktop ends a session; Chromium treats this as an error.
        fail_with(CableError::kPeerShutdown, "the phone");
        co_return;
      case MessageType::kJson:
        fail_with(CableError::kBadMessage, "a digital-credential message (not requested)");
        co_return;
    }
  }
}

asio::awaitable<CableResult<Bytes>> DesktopChannel::transact(Bytes request, std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  if (failure_) co_return cable_fail(*failure_);
  if (request.empty() || waiting_) co_return cable_fail(CableError::kInternal);
  if (request == Bytes{kCtapGetInfo}) {
    // §8.3: answered from the post-handshake message.
    Bytes reply(1 + get_info_.size(), static_cast<std::uint8_t>(CtapStatus::kOk));
    std::copy(get_info_.begin(), get_info_.end(), reply.begin() + 1);
    co_return reply;
  }
  auto sealed = crypter_.encrypt(frame_message(MessageType::kCtap, request));
  if (!sealed) co_return cable_fail(sealed.error());
  waiting_ = true;
  response_.reset();
  auto written = co_await pipe_->write(std::move(*sealed));
  if (!written) {
    waiting_ = false;
    fail_with(written.error(), "sending a request");
    co_return cable_fail(*failure_);
  }
  const auto deadline = AsyncEvent::Clock::now() + timeout;
  while (!response_ && !failure_) {
    if (!co_await event_.wait_until(deadline) && !response_ && !failure_) {
      waiting_ = false;
      fail_with(CableError::kTimeout, "waiting " + std::to_string(timeout.count()) + " ms for the phone's answer");
      co_return cable_fail(CableError::kTimeout);
    }
  }
  waiting_ = false;
  if (!response_) co_return cable_fail(*failure_);
  Bytes reply = std::move(*response_);
  response_.reset();
  if (reply.empty()) co_return cable_fail(CableError::kBadMessage);
  co_return reply;
}

asio::awaitable<std::optional<LinkingInfo>> DesktopChannel::wait_for_linking(std::chrono::milliseconds timeout) {
  auto self = shared_from_this();
  const auto deadline = AsyncEvent::Clock::now() + timeout;
  while (!linking_ && !failure_ && !waiting_) {
    if (!co_await event_.wait_until(deadline)) break;
  }
  co_return take_linking();
}

std::optional<LinkingInfo> DesktopChannel::take_linking() {
  std::optional<LinkingInfo> out = std::move(linking_);
  linking_.reset();
  return out;
}

asio::awaitable<void> DesktopChannel::shutdown() {
  auto self = shared_from_this();
  if (shut_down_) co_return;
  shut_down_ = true;
  if (!failure_) {
    auto sealed = crypter_.encrypt(frame_message(MessageType::kShutdown, {}));
    if (sealed) co_await pipe_->write(std::move(*sealed));
    co_await pipe_->close();
    failure_ = CableError::kCancelled;
  }
  event_.notify();
}

asio::awaitable<CableResult<Eid>> wait_for_advert(asio::any_io_executor ex, AdvertChannel& adverts, ByteSpan eid_key,
                                                  EidCheck check, std::chrono::milliseconds timeout, Log& log) {
  AsyncEvent found(ex);
  std::optional<Eid> match;
  std::size_t seen = 0;
  std::size_t others = 0;
  std::size_t refused = 0;
  const Bytes key(eid_key.begin(), eid_key.end());
  adverts.start_scanning([&](ByteSpan data) {
    if (match) return;
    ++seen;
    auto advert = find_cable_advert(data);
    if (!advert) {
      ++refused;
      return;
    }
    auto eid = decrypt_advert(*advert, key, check);
    if (eid) {
      match = *eid;
      found.notify();
    } else if (eid.error() == CableError::kAdvertMismatch) {
      ++others;  // another session's advert (or a tampered one)
    } else {
      ++refused;
      say(log, LogLevel::kWarning, "refused an advert: " + std::string(describe(eid.error())));
    }
  });
  const auto deadline = AsyncEvent::Clock::now() + timeout;
  while (!match && co_await found.wait_until(deadline)) {
  }
  adverts.stop_scanning();
  if (!match) {
    say(log, LogLevel::kError,
        "no advert for this session within " + std::to_string(timeout.count()) + " ms (" + std::to_string(seen) +
            " seen: " + std::to_string(others) + " with a tag of another key, " + std::to_string(refused) + " refused)");
    co_return cable_fail(CableError::kTimeout);
  }
  co_return *match;
}

asio::awaitable<CableResult<QrConnection>> connect_qr(asio::any_io_executor ex, const DesktopQr& qr,
                                                     AdvertChannel& adverts, DesktopOptions options, Rng& rng, Log& log) {
  const auto& secret = qr.contents.secret;
  const auto eid_key = derive(secret, {}, DerivedValueType::kEidKey, kEidKeyLen);
  const auto tunnel_secret = derive(secret, {}, DerivedValueType::kTunnelId, kTunnelIdLen);
  TunnelId tunnel_id{};
  std::copy(tunnel_secret.expose().begin(), tunnel_secret.expose().end(), tunnel_id.begin());

  const EidCheck check;  // named: GCC 12 mishandles braced temporaries passed to coroutines
  auto eid = co_await wait_for_advert(ex, adverts, eid_key.expose(), check, options.advert_timeout, log);
  if (!eid) co_return cable_fail(eid.error());
  const EidComponents c = eid_components(*eid);
  auto url = tunnel_for(options, c.domain);
  if (!url) co_return failed<QrConnection>(log, CableError::kUnknownDomain, "the advert's tunnel domain");
  say(log, LogLevel::kInfo, "advert found: routing ID " + hex_upper(c.routing_id) + ", domain " +
                                decode_domain(c.domain).value_or("?") + ", connecting to " + url->text());
  const auto psk = derive(secret, *eid, DerivedValueType::kPsk, kPskLen);

  auto conn = co_await connect_websocket(ex, *url, connect_path(c.routing_id, tunnel_id), connect_options_of(options), log);
  if (!conn) co_return failed<QrConnection>(log, conn.error(), "joining the phone's tunnel");
  auto initiator = HandshakeInitiator::for_qr(psk.expose(), qr.identity, rng);
  if (!initiator) co_return cable_fail(initiator.error());
  // §9.1: linking information must be signed for this QR key and this handshake.
  const crypto::EcdhKey* identity = &qr.identity;
  DesktopChannel::LinkVerifier verify = [identity](const LinkingInfo& info, const HandshakeHash& hash) {
    return verify_linking_signature(info, *identity, hash);
  };
  auto channel = co_await DesktopChannel::open(ex, conn->pipe, std::move(*initiator), false, std::move(verify), options, log);
  if (!channel) co_return cable_fail(channel.error());
  co_return QrConnection{std::move(*channel), c.domain};
}

asio::awaitable<CableResult<std::shared_ptr<DesktopChannel>>> connect_linked(asio::any_io_executor ex,
                                                                            const LinkedDevice& device, RequestType hint,
                                                                            AdvertChannel& adverts,
                                                                            DesktopOptions options, Rng& rng, Log& log) {
  using R = std::shared_ptr<DesktopChannel>;
  const LinkingInfo& info = device.info;
  auto url = tunnel_for(options, device.domain);
  if (!url) co_return failed<R>(log, CableError::kUnknownDomain, "the linked phone's tunnel domain");
  // §9.2 steps 1-2.
  ClientPayload payload;
  payload.link_id = info.link_id;
  rng.fill(payload.client_nonce);
  payload.hint = std::string(request_type_text(hint));
  WebSocketConnectOptions ws = connect_options_of(options);
  ws.headers.emplace_back(std::string(kClientPayloadHeader), hex_upper(encode_client_payload(payload)));
  ws.headers.emplace_back(std::string(kSignalConnectionHeader), "true");
  auto conn = co_await connect_websocket(ex, *url, contact_path(info.contact_id), ws, log);
  if (!conn) co_return failed<R>(log, conn.error(), "contacting \"" + info.name + "\" at " + url->text());
  const bool signal = conn->headers.count("x-cable-signal-connection") != 0;

  // §9.2 step 3: the linked advert is random bytes under the link's EID key.
  const auto eid_key = derive(info.link_secret.expose(), payload.client_nonce, DerivedValueType::kEidKey, kEidKeyLen);
  EidCheck check;
  check.check_domain = false;
  auto eid = co_await wait_for_advert(ex, adverts, eid_key.expose(), check, options.advert_timeout, log);
  if (!eid) {
    conn->pipe->abort();
    co_return cable_fail(eid.error());
  }
  const auto psk = derive(info.link_secret.expose(), *eid, DerivedValueType::kPsk, kPskLen);
  auto initiator = HandshakeInitiator::for_linked(psk.expose(), info.identity_public, rng);
  if (!initiator) co_return cable_fail(initiator.error());
  // §9.2 step 5: linking data in this flow is ignored.
  co_return co_await DesktopChannel::open(ex, conn->pipe, std::move(*initiator), signal, nullptr, options, log);
}

}  // namespace vfido::cable
