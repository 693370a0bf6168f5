// A host's raw view of a FIDO HID device: 64-byte output reports go out, 64-byte input reports
// come in (CTAP 2.1 §11.2.4), with no CTAPHID logic. The prober (ctaphid_probe.h) runs over this,
// so the same checks reach a hidraw node (HidapiChannel, hid_channel.h), vfido's Unix socket
// and its UDP transport.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "transports/ctaphid/packet.h"

namespace vfido::host {

using transport::ctaphid::Report;

class ReportChannel {
 public:
  virtual ~ReportChannel() = default;
  // Sends one output report; false when the device is gone.
  virtual bool write(const Report& report) = 0;
  // The next input report, or nullopt when none arrives within timeout_ms (or the device is gone).
  virtual std::optional<Report> read(int timeout_ms) = 0;
  // What the channel talks to, for messages ("unix:/run/key.sock", "/dev/hidraw3").
  virtual std::string description() const = 0;
};

// vfido's Unix socket transport (a stream of 64-byte reports), through the same I/O functions
// libfido2 uses (fido_unix_io.h). nullptr when the socket cannot be connected.
std::unique_ptr<ReportChannel> open_unix_channel(const std::string& path);

// vfido's UDP transport: reports go to host:port, replies are received on reply_port (0 = the
// key's default peer port 7112). nullptr when the socket cannot be set up.
std::unique_ptr<ReportChannel> open_udp_channel(const std::string& host, std::uint16_t port,
                                                std::uint16_t reply_port);

}  // namespace vfido::host
