// The client ("desktop") side of hybrid (hybrid-protocol.md §1, §9.2, §10): make and show the
// QR code, find the phone's advert by trial decryption, join its tunnel, run the Noise handshake
// as initiator, read the post-handshake message, then carry CTAP requests; verify and keep the
// linking information a phone sends, and use it later to reach the phone without a QR code.
// Runs on one executor; a blocking caller (libfido2) reaches it through tools/host.
#pragma once

#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "authenticator/crypto/keys.h"
#include "authenticator/env/log.h"
#include "authenticator/env/rng.h"
#include "transports/hybrid/advert_channel.h"
#include "transports/hybrid/async_event.h"
#include "transports/hybrid/eid.h"
#include "transports/hybrid/handshake.h"
#include "transports/hybrid/linking.h"
#include "transports/hybrid/message_pipe.h"
#include "transports/hybrid/messages.h"
#include "transports/hybrid/qr.h"
#include "transports/hybrid/tunnel_url.h"

namespace vfido::cable {

struct DesktopOptions {
  // Used instead of wss://<the domain the advert names> (a local tunnel server).
  std::optional<TunnelUrl> tunnel_override;
  std::chrono::milliseconds advert_timeout{120000};
  std::chrono::milliseconds connect_timeout{10000};
  // From message 1 to the post-handshake message.
  std::chrono::milliseconds handshake_timeout{30000};
  std::size_t max_message = 64 * 1024;
  std::string ca_file;
};

// What the desktop makes for one QR code (§1 step 1): its QR key, the secret, and the contents.
struct DesktopQr {
  crypto::EcdhKey identity;
  QrContents contents;

  // Key 2 = the assigned domains this implementation knows, key 3 = `unix_time`, key 4 =
  // `supports_linking`, key 5 = the hint.
  static CableResult<DesktopQr> generate(Rng& rng, RequestType hint, std::uint64_t unix_time, bool supports_linking);
};

// A phone the desktop can reach without a QR code (§9.1): the verified linking information and
// the encoded tunnel domain its QR-flow advert named.
struct LinkedDevice {
  LinkingInfo info;
  std::uint16_t domain = 0;
};

class DesktopChannel : public std::enable_shared_from_this<DesktopChannel> {
 public:
  // Decides whether linking information is genuine (the QR flow checks the signature with the
  // QR key and this session's handshake hash; the linked flow ignores linking data, as Chromium).
  using LinkVerifier = std::function<bool(const LinkingInfo&, const HandshakeHash&)>;

  // Sends message 1 on `pipe`, expects the connection signal first when `expect_signal`
  // (§9.2 step 5), then message 2 and the post-handshake message (§8.3: getInfo and the "ctap"
  // feature required). Then reads in the background.
  static boost::asio::awaitable<CableResult<std::shared_ptr<DesktopChannel>>> open(
      boost::asio::any_io_executor ex, std::shared_ptr<MessagePipe> pipe, HandshakeInitiator initiator,
      bool expect_signal, LinkVerifier verifier, DesktopOptions options, Log& log);

  DesktopChannel(boost::asio::any_io_executor ex, std::shared_ptr<MessagePipe> pipe, HandshakeOutput out,
                 LinkVerifier verifier, Log& log);

  // The phone's getInfo response CBOR (no status byte).
  const Bytes& get_info() const { return get_info_; }
  const HandshakeHash& handshake_hash() const { return hash_; }

  // One CTAP request (command || CBOR) -> the response (status || CBOR). getInfo is answered
  // from the post-handshake message without a round trip (§8.3). One at a time.
  boost::asio::awaitable<CableResult<Bytes>> transact(Bytes request, std::chrono::milliseconds timeout);

  // Waits up to `timeout` for verified linking information; takes it.
  boost::asio::awaitable<std::optional<LinkingInfo>> wait_for_linking(std::chrono::milliseconds timeout);
  // Linking information if any has arrived (taken).
  std::optional<LinkingInfo> take_linking();

  // §8.6: an encrypted shutdown message, then the close. Idempotent.
  boost::asio::awaitable<void> shutdown();
  // Why the channel is no longer usable (nullopt while it is).
  std::optional<CableError> failure() const { return failure_; }

 private:
  boost::asio::awaitable<void> read_loop();
  void fail_with(CableError e, const std::string& detail);

  std::shared_ptr<MessagePipe> pipe_;
  Crypter crypter_;
  HandshakeHash hash_;
  LinkVerifier verifier_;
  Log& log_;
  Bytes get_info_;
  AsyncEvent event_;
  bool waiting_ = false;
  std::optional<Bytes> response_;
  std::optional<LinkingInfo> linking_;
  std::optional<CableError> failure_;
  bool shut_down_ = false;
};

// Waits for an advert whose tag verifies under `eid_key` and returns its plaintext. kTimeout
// when none came; the log then says how many adverts were seen and why each was refused.
boost::asio::awaitable<CableResult<Eid>> wait_for_advert(boost::asio::any_io_executor ex, AdvertChannel& adverts,
                                                         ByteSpan eid_key, EidCheck check,
                                                         std::chrono::milliseconds timeout, Log& log);

struct QrConnection {
  std::shared_ptr<DesktopChannel> channel;
  std::uint16_t domain = 0;  // from the advert: kept with linking information
};

// §1 steps 4-6 for the QR code `qr` shows.
boost::asio::awaitable<CableResult<QrConnection>> connect_qr(boost::asio::any_io_executor ex, const DesktopQr& qr,
                                                            AdvertChannel& adverts, DesktopOptions options, Rng& rng,
                                                            Log& log);

// §9.2: reach a linked phone through /cable/contact. kTunnelGone means the tunnel server no
// longer knows the contact ID: forget the link.
boost::asio::awaitable<CableResult<std::shared_ptr<DesktopChannel>>> connect_linked(
    boost::asio::any_io_executor ex, const LinkedDevice& device, RequestType hint, AdvertChannel& adverts,
    DesktopOptions options, Rng& rng, Log& log);

}  // namespace vfido::cable
