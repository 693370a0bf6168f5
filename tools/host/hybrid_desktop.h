// The desktop side of hybrid for a process that also runs blocking libfido2 calls: the advert
// channel and the DesktopChannel live on a background io thread; connect_*() block until the
// phone is there and hand back a HybridLink for open_hybrid_device().
#pragma once

#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "authenticator/env/log.h"
#include "authenticator/env/rng.h"
#include "tools/host/background_io.h"
#include "tools/host/fido_hybrid_io.h"
#include "transports/hybrid/desktop_session.h"
#include "transports/hybrid/udp_advert_channel.h"

namespace vfido::host {

struct HybridDesktopOptions {
  cable::DesktopOptions desktop;
  cable::UdpAdvertOptions advert;
  cable::RequestType hint = cable::RequestType::kMakeCredential;
  bool supports_linking = true;  // QR key 4
};

class HybridDesktop {
 public:
  // Makes the QR code at once (see qr()); `log` must outlive this object.
  HybridDesktop(HybridDesktopOptions options, Log& log);
  ~HybridDesktop();
  HybridDesktop(const HybridDesktop&) = delete;
  HybridDesktop& operator=(const HybridDesktop&) = delete;

  // What to show: the QR contents (qr_url(qr()) is the FIDO:/ text).
  const cable::QrContents& qr() const { return qr_.contents; }

  // Waits for this QR code's advert, joins the phone's tunnel and completes the handshake.
  cable::CableResult<std::shared_ptr<HybridLink>> connect_qr();
  // Reaches a linked phone without a QR code (§9.2).
  cable::CableResult<std::shared_ptr<HybridLink>> connect_linked(const cable::LinkedDevice& device);

  // After connect_qr: the phone's verified linking information, waiting up to `timeout` for
  // it, with the tunnel domain its advert named. nullopt when the phone sent none.
  std::optional<cable::LinkedDevice> linked_device(std::chrono::milliseconds timeout);

  // Ends the current session (shutdown message) if any.
  void close();

 private:
  HybridDesktopOptions options_;
  Log& log_;
  OpenSslRng rng_;
  BackgroundIo io_;
  std::shared_ptr<cable::UdpAdvertChannel> adverts_;
  cable::DesktopQr qr_;
  std::shared_ptr<HybridLink> link_;
  std::uint16_t domain_ = 0;
};

}  // namespace vfido::host
