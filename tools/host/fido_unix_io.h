// libfido2 custom I/O (fido_dev_io_t, libfido2 ≥ 1.5) over vfido's Unix socket transport.
// libfido2 writes report ID 0 followed by the 64-byte report (65 bytes, as to hidraw) and
// reads 64-byte reports with a timeout in milliseconds (-1 = wait forever); these functions
// turn that into a stream of fixed 64-byte reports on the socket (transports/unix).
#pragma once

#include <fido.h>

#include <memory>
#include <string>

namespace vfido::host {

// open(path) connects to the socket; read(h, buf, 64, ms) returns 64 or -1 on timeout or error;
// write(h, buf, 65) expects buf[0] == 0 and sends the other 64 bytes; close(h) disconnects.
const fido_dev_io_t& unix_socket_io();

struct FidoDevDeleter {
  void operator()(fido_dev_t* dev) const;  // closes (if open) and frees
};
using FidoDev = std::unique_ptr<fido_dev_t, FidoDevDeleter>;

// A new fido_dev_t opened on the Unix socket at `path` through unix_socket_io(): the device
// is set up with fido_dev_set_io_functions and then fido_dev_open (CTAPHID_INIT and, for a
// CTAP2 device, getInfo). `timeout_ms` bounds every later libfido2 call on the device
// (fido_dev_set_timeout; -1 = wait forever). On failure returns null and stores the libfido2
// status in *error.
FidoDev open_unix_device(const std::string& path, int* error = nullptr, int timeout_ms = -1);

// The same for any custom I/O: fido_dev_set_io_functions(io), the timeout, fido_dev_open(path).
FidoDev open_device_with_io(const fido_dev_io_t& io, const std::string& path, int* error = nullptr,
                            int timeout_ms = -1);

}  // namespace vfido::host
