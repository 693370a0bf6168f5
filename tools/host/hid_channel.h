// ReportChannel over a real HID device with hidapi (hidraw backend on Linux): any FIDO key,
// hardware or vfido's uhid device. FIDO devices use no report IDs (CTAP 2.1 §11.2.8.1), so every
// write is report ID 0 followed by the 64-byte report, and reads return the 64 bytes.
//
// Writes are paced (transports/uhid/report_pacer.h): 16 reports at once, then one per
// millisecond, the rate of a full-speed USB interrupt endpoint (bInterval 1), which a USB key
// imposes anyway. A uhid device has no such flow control: the kernel queues at most 32 events
// for the daemon and drops the rest ("Output queue is full" in dmesg), so an unpaced burst of
// more than ~31 reports can lose reports there.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "tools/host/report_channel.h"

namespace vfido::host {

// A HID device that declares the FIDO usage page 0xF1D0, usage 0x01 (CTAP 2.1 §11.2.8.1).
struct FidoHidDevice {
  std::string path;  // "/dev/hidraw3"
  std::uint16_t vendor_id = 0;
  std::uint16_t product_id = 0;
  std::string manufacturer;
  std::string product;
  std::string serial;
};

// Every FIDO HID device hidapi enumerates, in its order.
std::vector<FidoHidDevice> enumerate_fido_devices();

// Opens `path` (read-write); the error explains why not (permissions: see udev/README.md).
tl::expected<std::unique_ptr<ReportChannel>, std::string> open_hid_channel(const std::string& path);

}  // namespace vfido::host
