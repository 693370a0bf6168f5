// The authenticator ("phone") side of hybrid (hybrid-protocol.md §1, §9.2 "Phone", §10):
//   QR flow:     open /cable/new/<tunnel ID> -> routing ID -> advertise the EID -> answer the
//                desktop's Noise KNpsk0 message -> post-handshake message (getInfo) -> update
//                message (linking information or padding) -> serve CTAP until shutdown.
//   linked flow: hear about a desktop's /cable/contact through vfido's listen channel -> open
//                /cable/connect -> advertise a random EID under the link's EID key -> NKpsk0 ->
//                post-handshake message -> serve CTAP.
// CTAP requests go to an Authenticator, the same core every transport uses. Runs on one
// executor (the Authenticator's).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "authenticator/authenticator.h"
#include "authenticator/env/log.h"
#include "authenticator/env/rng.h"
#include "transports/hybrid/advert_channel.h"
#include "transports/hybrid/async_event.h"
#include "transports/hybrid/cable_error.h"
#include "transports/hybrid/handshake.h"
#include "transports/hybrid/linking.h"
#include "transports/hybrid/message_pipe.h"
#include "transports/hybrid/qr.h"
#include "transports/hybrid/tunnel_protocol.h"
#include "transports/hybrid/tunnel_url.h"

namespace vfido::cable {

struct PhoneOptions {
  // Where this phone's tunnel server is, and the encoded domain its advert names (§5). The
  // desktop maps the domain to a URL (or uses its own override).
  TunnelUrl tunnel{false, "127.0.0.1", 80};
  std::uint16_t domain = 0;
  std::chrono::milliseconds connect_timeout{10000};
  // How long to wait for the desktop's handshake once advertising.
  std::chrono::milliseconds handshake_timeout{120000};
  // How long to wait for the next request (or the shutdown).
  std::chrono::milliseconds idle_timeout{180000};
  std::size_t max_message = 64 * 1024;
  std::string ca_file;  // wss:// with a private CA
  // Linking: when set and the QR code says the desktop can store it (key 4 true), the update
  // message carries linking information (§8.4); otherwise padding only.
  const PhoneIdentity* identity = nullptr;
};

struct PhoneContext {
  boost::asio::any_io_executor ex;
  Authenticator& authenticator;
  AdvertChannel& adverts;
  Rng& rng;
  Log& log;
  PhoneOptions options;
};

struct PhoneSummary {
  std::size_t ctap_requests = 0;
  bool linking_sent = false;
};

// One QR-initiated session, start to end. The error says what went wrong (kTimeout: no
// desktop; kHandshakeFailed: wrong QR secret or PSK; kDecryptFailed: a tampered, replayed or
// reordered message...), and has been logged with details.
boost::asio::awaitable<CableResult<PhoneSummary>> run_phone_qr(PhoneContext& ctx, const QrContents& qr);

// One linked session for a contact notification.
boost::asio::awaitable<CableResult<PhoneSummary>> run_phone_linked(PhoneContext& ctx, const PhoneIdentity& identity,
                                                                   const ContactNotification& notification);

// Keeps /vfido/listen/<contact ID> open at the phone's tunnel server and runs a linked session
// for each contact notification, one at a time. Reconnects every `retry` while the server is
// away (a restart). run() returns after stop() or `max_sessions` sessions (0 = no limit).
// Create with std::make_shared; use from the context's executor.
class ContactListener : public std::enable_shared_from_this<ContactListener> {
 public:
  ContactListener(PhoneContext& ctx, const PhoneIdentity& identity, std::size_t max_sessions = 0,
                  std::chrono::milliseconds retry = std::chrono::seconds(1));
  boost::asio::awaitable<void> run();
  void stop();
  std::size_t sessions() const { return sessions_; }
  // True while the listen socket is open (tests wait for it before contacting).
  bool listening() const { return listening_; }

 private:
  PhoneContext& ctx_;
  const PhoneIdentity& identity_;
  std::size_t max_sessions_;
  std::chrono::milliseconds retry_;
  std::shared_ptr<MessagePipe> pipe_;
  std::unique_ptr<AsyncEvent> wake_;
  std::size_t sessions_ = 0;
  bool stopped_ = false;
  bool listening_ = false;
};

// The part both flows share, on a connected pipe: read message 1 and answer it with `respond`,
// then the post-handshake message, the optional update, and CTAP until shutdown. Exposed for
// tests over a MemoryPipe.
using Responder = std::function<CableResult<ResponderOutput>(ByteSpan message1)>;
using UpdateMaker = std::function<std::optional<Bytes>(const HandshakeHash&, PhoneSummary&)>;
boost::asio::awaitable<CableResult<PhoneSummary>> serve_phone_channel(PhoneContext& ctx, MessagePipe& pipe,
                                                                      Responder respond, UpdateMaker update);

}  // namespace vfido::cable
