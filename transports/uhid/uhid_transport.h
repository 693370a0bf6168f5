// The Linux uhid transport: makes the key a HID device of the running kernel. It opens
// /dev/uhid, announces a FIDO HID device with UHID_CREATE2 (CTAP 2.1 §11.2.8.1 report
// descriptor, bus USB), gives every output report a host writes to the hidraw node to the
// CTAPHID layer and sends the CTAPHID layer's reports back as UHID_INPUT2. Like the UDP and Unix
// transports it only moves 64-byte reports (style.md §14, §15); the event layout lives in
// uhid_event.h.
//
// Lifetime: the kernel creates /dev/hidrawN when the device starts (UHID_START) and removes it
// on UHID_DESTROY, which close() sends, or when the file descriptor closes (even on a crash).
//
// Input reports are paced (report_pacer.h): a burst of 32 goes at once, then one per
// millisecond, like a full-speed USB endpoint, so a long reply does not overrun the hosts'
// hidraw buffers (64 reports each).
//
// Events handled: START/STOP (logged), OPEN/CLOSE (a host opened the hidraw node / the last one
// closed it), OUTPUT (a report), GET_REPORT/SET_REPORT (answered EIO at once: the FIDO device has
// no feature reports, and an unanswered request would stall the host for the kernel's 5 s),
// anything else is ignored. Unusable output reports (numbered, empty, too long) are dropped with
// a warning; nothing a host writes can stop the read loop.
//
// Threading: one io_context thread; every member function is called from that executor
// (style.md §17). Create with std::make_shared or UhidTransport::open.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>  // before awaitable.hpp: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "authenticator/bytes.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/log.h"
#include "transports/uhid/report_pacer.h"
#include "transports/uhid/uhid_event.h"

namespace vfido::transport::uhid {

using Report = std::array<std::uint8_t, vfido::ctaphid::kReportLen>;

// Default identity. 1209 is the pid.codes vendor ID and 0001 its test product ID, meant for
// devices that are never sold: a virtual key is exactly that. Sandboxed browsers that only pass
// through security keys they know need another pair (see udev/README.md): --vid/--pid.
inline constexpr std::uint16_t kDefaultVendorId = 0x1209;
inline constexpr std::uint16_t kDefaultProductId = 0x0001;
inline constexpr char kDefaultPath[] = "/dev/uhid";

struct Options {
  std::string path = kDefaultPath;
  std::string name = "vfido virtual FIDO2 key";  // HID_NAME: what hosts show
  std::string phys = "vfido";                    // HID_PHYS
  std::string serial = "vfido-default";          // HID_UNIQ
  std::uint16_t vendor_id = kDefaultVendorId;
  std::uint16_t product_id = kDefaultProductId;
  std::uint16_t version = 0x0100;  // bcdDevice-like device release, 1.0
  std::uint32_t input_burst = 32;          // input reports sent at once before pacing starts
  std::uint32_t input_interval_us = 1000;  // then one per interval; 0 = no pacing
};

// /dev/uhid cannot be used; what() says why and how to fix it (module, udev rule, group).
class UhidUnavailable : public std::runtime_error {
 public:
  UhidUnavailable(const std::string& message, int error_number)
      : std::runtime_error(message), error_number_(error_number) {}
  int error_number() const { return error_number_; }

 private:
  int error_number_;
};

// The message for an open() of `path` that failed with errno `error_number`: the cause, then the
// fix. `node_details` (for example "crw------- root:root") is appended when not empty.
std::string access_hint(int error_number, const std::string& path, const std::string& node_details = {});

class UhidTransport final : public std::enable_shared_from_this<UhidTransport> {
 public:
  // Called with each report a host wrote (1..64 bytes, report number removed).
  using ReportHandler = std::function<void(ByteSpan)>;
  // Called once when the device is lost (read error, end of file): the key cannot be reached
  // through it any more.
  using FailureHandler = std::function<void(const std::string&)>;
  // Called on each UHID_START: the kernel has bound a driver and /dev/hidrawN exists.
  using StartHandler = std::function<void()>;

  // Opens options.path read-write. Throws UhidUnavailable (with the fix) when it cannot, and
  // std::invalid_argument when the options do not fit the kernel's structure.
  static std::shared_ptr<UhidTransport> open(boost::asio::any_io_executor ex, Options options,
                                             ReportHandler on_report, Log& log);

  // Adopts `fd`, an open uhid file descriptor (or, in tests, one end of a SOCK_SEQPACKET socket
  // pair standing in for the kernel). Throws std::invalid_argument for unusable options.
  UhidTransport(boost::asio::any_io_executor ex, int fd, Options options, ReportHandler on_report, Log& log);
  ~UhidTransport();
  UhidTransport(const UhidTransport&) = delete;
  UhidTransport& operator=(const UhidTransport&) = delete;

  void set_failure_handler(FailureHandler handler) { on_failure_ = std::move(handler); }
  void set_start_handler(StartHandler handler) { on_start_ = std::move(handler); }

  // Sends UHID_CREATE2 and starts the read loop. Throws boost::system::system_error when the
  // kernel refuses the device.
  void start();
  // Queues one report for the hosts; it leaves as a UHID_INPUT2 now or, past the burst, paced.
  void send(const Report& report);
  // UHID_DESTROY, then closes the descriptor; the hidraw node disappears. Idempotent.
  void close();

  const Options& options() const { return options_; }
  bool started() const { return started_; }  // UHID_START seen and no UHID_STOP since
  bool host_open() const { return host_open_; }  // between UHID_OPEN and UHID_CLOSE
  std::uint64_t dropped_reports() const { return dropped_; }

 private:
  boost::asio::awaitable<void> read_loop();
  void handle(ByteSpan event);
  void on_output(const Output& output);
  bool write_event(ByteSpan bytes, const char* what);
  void pump();
  void fail(const std::string& why);

  boost::asio::posix::stream_descriptor fd_;
  Options options_;
  DeviceInfo info_;
  ReportHandler on_report_;
  FailureHandler on_failure_;
  StartHandler on_start_;
  Log& log_;
  std::vector<std::uint8_t> rx_;
  std::deque<Report> tx_;
  ReportPacer pacer_;
  boost::asio::steady_timer pace_timer_;
  bool pace_timer_armed_ = false;
  bool created_ = false;
  bool started_ = false;
  bool host_open_ = false;
  bool closed_ = false;
  std::uint64_t dropped_ = 0;
};

}  // namespace vfido::transport::uhid
