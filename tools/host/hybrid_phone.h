// The phone side of hybrid inside this process, on its own io thread: a VirtualKey's
// authenticator (any profile) behind a caBLE v2 session, the loopback advert channel, and
// optionally the listener that serves linked desktops. For `vfido demo --transport hybrid` and
// the end-to-end tests; `vfido hybrid authenticator` runs the same pieces on its main thread.
#pragma once

#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include <chrono>
#include <future>
#include <memory>
#include <optional>

#include "authenticator/env/log.h"
#include "authenticator/env/rng.h"
#include "tools/host/background_io.h"
#include "tools/host/virtual_key.h"
#include "transports/hybrid/phone_session.h"
#include "transports/hybrid/udp_advert_channel.h"

namespace vfido::host {

struct HybridPhoneOptions {
  KeyOptions key;
  cable::PhoneOptions phone;
  cable::UdpAdvertOptions advert;
  // Linking: with an identity the phone sends linking information when the QR code allows it
  // and can listen for linked desktops.
  std::shared_ptr<const cable::PhoneIdentity> identity;
};

class HybridPhone {
 public:
  HybridPhone(HybridPhoneOptions options, Log& log);
  ~HybridPhone();
  HybridPhone(const HybridPhone&) = delete;
  HybridPhone& operator=(const HybridPhone&) = delete;

  // Starts one QR session ("the user scanned the code"); wait_qr() gives its outcome.
  void start_qr(const cable::QrContents& qr);
  // nullopt when it has not finished within `timeout`.
  std::optional<cable::CableResult<cable::PhoneSummary>> wait_qr(std::chrono::milliseconds timeout);

  // Serves linked desktops until stop_listening() (needs an identity).
  void start_listening();
  void stop_listening();
  // Waits until the listen channel is open; false after `timeout`.
  bool wait_listening(std::chrono::milliseconds timeout);
  std::size_t linked_sessions();

  // Runs `f(key)` on the phone's thread (the core is single-threaded).
  void on_key(const std::function<void(VirtualKey&)>& f) { io_.run_sync([&] { f(*key_); }); }

 private:
  HybridPhoneOptions options_;
  Log& log_;
  OpenSslRng rng_;
  BackgroundIo io_;
  std::unique_ptr<VirtualKey> key_;
  std::shared_ptr<cable::UdpAdvertChannel> adverts_;
  std::unique_ptr<cable::PhoneContext> ctx_;
  std::shared_ptr<cable::ContactListener> listener_;
  std::optional<std::future<cable::CableResult<cable::PhoneSummary>>> qr_result_;
};

}  // namespace vfido::host
