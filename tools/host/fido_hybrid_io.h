// libfido2 over hybrid: fido_dev_set_transport_functions (libfido2 >= 1.7) hands whole CTAP
// messages to these functions instead of HID reports, so every libfido2 call works over a
// caBLE v2 channel exactly as over USB. libfido2 still "opens" the device: CTAPHID_INIT is
// answered locally (a CBOR-capable device, no U2F), CTAP2 CBOR messages travel as type-1
// messages through the channel, CANCEL is a no-op (caBLE has none). getInfo is answered from
// the phone's post-handshake message (hybrid-protocol.md §8.3).
#pragma once

#include <fido.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

#include <boost/asio/any_io_executor.hpp>

#include "authenticator/bytes.h"
#include "tools/host/fido_unix_io.h"
#include "transports/hybrid/desktop_session.h"

namespace vfido::host {

// A DesktopChannel that lives on an io_context thread, usable from any other thread.
class HybridLink : public std::enable_shared_from_this<HybridLink> {
 public:
  HybridLink(boost::asio::any_io_executor ex, std::shared_ptr<cable::DesktopChannel> channel);

  // Starts one CTAP request (command || CBOR); false when one is still outstanding.
  bool begin(Bytes request);
  // Waits up to timeout_ms (-1: forever) for the outstanding request's answer; nullopt on
  // timeout (the request stays outstanding).
  std::optional<cable::CableResult<Bytes>> finish(int timeout_ms);
  // Both, for callers that are not libfido2.
  cable::CableResult<Bytes> transact(Bytes request, int timeout_ms);

  // Ends the session (the shutdown message) and waits for it.
  void close();
  std::shared_ptr<cable::DesktopChannel> channel() const { return channel_; }
  boost::asio::any_io_executor executor() const { return ex_; }

  // How long one request may take on the channel's side; libfido2's own timeout usually ends
  // the wait first.
  static constexpr std::chrono::minutes kRequestLimit{5};

 private:
  boost::asio::any_io_executor ex_;
  std::shared_ptr<cable::DesktopChannel> channel_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool outstanding_ = false;
  std::optional<cable::CableResult<Bytes>> result_;
};

// The transport and I/O functions (open looks the path up in a registry of links).
const fido_dev_transport_t& hybrid_transport();
const fido_dev_io_t& hybrid_io();

// A fido_dev_t opened on `link` (fido_dev_set_io_functions + fido_dev_set_transport_functions +
// fido_dev_open). `timeout_ms` bounds each libfido2 call (fido_dev_set_timeout). On failure null,
// with the libfido2 status in *error.
FidoDev open_hybrid_device(std::shared_ptr<HybridLink> link, int* error = nullptr, int timeout_ms = -1);

}  // namespace vfido::host
