// libfido2 custom I/O (fido_dev_io_t) over vfido's UDP transport: each 64-byte report is one
// datagram (report_channel.h open_udp_channel), so libfido2 reaches a `vfido serve --udp` key
// the way it reaches a USB key.
#pragma once

#include <cstdint>
#include <string>

#include "tools/host/fido_unix_io.h"

namespace vfido::host {

// The device path libfido2 hands to open() is "HOST:PORT" (reports go there; replies come back
// on the key's default peer port).
const fido_dev_io_t& udp_io();

// A new fido_dev_t opened on the key at host:port; null and the libfido2 status in *error on
// failure. `timeout_ms` as for open_unix_device.
FidoDev open_udp_device(const std::string& host, std::uint16_t port, int* error = nullptr, int timeout_ms = -1);

}  // namespace vfido::host
