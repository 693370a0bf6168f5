#include "transports/uhid/uhid_transport.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <variant>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace vfido::transport::uhid {
namespace {

namespace asio = boost::asio;

// Unusable reports are logged, but a host writing garbage in a loop must not flood the log:
// the first few are logged, then one in kLogEvery.
constexpr std::uint64_t kLogFirst = 10;
constexpr std::uint64_t kLogEvery = 1000;

// Reports waiting for their turn beyond this are dropped: the CTAPHID layer never queues more
// than a few messages, so this only bounds a runaway.
constexpr std::size_t kMaxQueuedReports = 4096;


// The kernel's errno for "no such feature report" style answers.
constexpr std::uint16_t kEio = EIO;

DeviceInfo device_info(const Options& o) {
  DeviceInfo info;
  info.name = o.name;
  info.phys = o.phys;
  info.uniq = o.serial;
  info.bus = kBusUsb;
  info.vendor = o.vendor_id;
  info.product = o.product_id;
  info.version = o.version;
  return info;
}

// "crw------- root:root" for the node at `path`, or "" when it cannot be inspected.
std::string node_details(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  std::string mode = S_ISCHR(st.st_mode) ? "c" : "?";
  const char* bits = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i) mode += (st.st_mode & (1u << (8 - i))) ? bits[i] : '-';
  const passwd* pw = ::getpwuid(st.st_uid);
  const group* gr = ::getgrgid(st.st_gid);
  return mode + " " + (pw ? pw->pw_name : std::to_string(st.st_uid)) + ":" +
         (gr ? gr->gr_name : std::to_string(st.st_gid));
}

}  // namespace

std::string access_hint(int error_number, const std::string& path, const std::string& details) {
  std::string msg = "cannot open " + path + ": " + std::strerror(error_number);
  if (!details.empty()) msg += " (" + details + ")";
  switch (error_number) {
    case ENOENT:
      msg += ".\n  The uhid kernel module is not loaded. Load it now with `sudo modprobe uhid`;"
             "\n  `sudo udev/install.sh` also loads it at every boot (/etc/modules-load.d/vfido.conf).";
      break;
    case EACCES:
    case EPERM:
      msg += ".\n  You may not create HID devices. Install vfido's udev rule with `sudo udev/install.sh`"
             "\n  (it gives the logged-in user access to /dev/uhid and to vfido's hidraw node), then log out"
             "\n  and in again; or join the vfido group the rule sets (`sudo usermod -aG vfido $USER`) and"
             "\n  start a new login session. See udev/README.md.";
      break;
    case ENODEV:
    case ENXIO:
      msg += ".\n  This kernel has no uhid driver (CONFIG_UHID). Load it with `sudo modprobe uhid`, or use a"
             "\n  kernel built with it; the socket transports (--udp, --unix) need no kernel support.";
      break;
    default:
      msg += ".\n  See udev/README.md for the uhid module, the udev rule and the vfido group.";
      break;
  }
  return msg;
}

std::shared_ptr<UhidTransport> UhidTransport::open(asio::any_io_executor ex, Options options, ReportHandler on_report,
                                                   Log& log) {
  int fd = ::open(options.path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    throw UhidUnavailable(access_hint(err, options.path, node_details(options.path)), err);
  }
  try {
    return std::make_shared<UhidTransport>(std::move(ex), fd, std::move(options), std::move(on_report), log);
  } catch (...) {
    ::close(fd);
    throw;
  }
}

UhidTransport::UhidTransport(asio::any_io_executor ex, int fd, Options options, ReportHandler on_report, Log& log)
    : fd_(ex),
      options_(std::move(options)),
      info_(device_info(options_)),
      on_report_(std::move(on_report)),
      log_(log),
      rx_(event_size()),
      pacer_(options_.input_burst, options_.input_interval_us),
      pace_timer_(ex) {
  // Validate before owning the descriptor, so a bad option leaves the caller's fd alone.
  if (auto created = encode_create2(info_); !created) {
    throw std::invalid_argument("uhid: " + std::string(uhid_error_text(created.error())));
  }
  fd_.assign(fd);
}

UhidTransport::~UhidTransport() { close(); }

void UhidTransport::start() {
  if (created_ || closed_) return;
  auto create = encode_create2(info_);  // checked in the constructor
  boost::system::error_code ec;
  asio::write(fd_, asio::buffer(*create), ec);
  if (ec) {
    throw boost::system::system_error(ec, "uhid: UHID_CREATE2 was refused");
  }
  created_ = true;
  char ids[16];
  std::snprintf(ids, sizeof(ids), "%04x:%04x", options_.vendor_id, options_.product_id);
  log_.write(LogLevel::kInfo, "uhid: created \"" + options_.name + "\" " + ids + " serial " + options_.serial);
  asio::co_spawn(fd_.get_executor(), [self = shared_from_this()] { return self->read_loop(); }, asio::detached);
}

void UhidTransport::send(const Report& report) {
  if (!created_ || closed_) return;
  if (tx_.size() >= kMaxQueuedReports) {
    log_.write(LogLevel::kWarning, "uhid: input queue full, dropped a report");
    return;
  }
  tx_.push_back(report);
  pump();
}

void UhidTransport::pump() {
  const bool paced = options_.input_interval_us > 0;
  while (!tx_.empty() && !closed_ && (!paced || pacer_.try_take(steady_now_us()))) {
    auto event = encode_input2(tx_.front());  // 64 bytes always fit
    tx_.pop_front();
    if (event) write_event(*event, "UHID_INPUT2");
  }
  if (tx_.empty() || closed_ || pace_timer_armed_) return;
  pace_timer_armed_ = true;
  pace_timer_.expires_after(std::chrono::microseconds(std::max<std::uint64_t>(pacer_.wait_us(steady_now_us()), 1)));
  pace_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    self->pace_timer_armed_ = false;
    if (!ec && !self->closed_) self->pump();
  });
}

void UhidTransport::close() {
  if (closed_) return;
  closed_ = true;
  tx_.clear();
  pace_timer_.cancel();
  if (created_ && fd_.is_open()) {
    // The kernel would also destroy the device when the descriptor closes; saying so first
    // makes the removal explicit and immediate.
    boost::system::error_code ec;
    asio::write(fd_, asio::buffer(encode_destroy()), ec);
    if (ec) log_.write(LogLevel::kWarning, "uhid: UHID_DESTROY: " + ec.message());
    else log_.write(LogLevel::kInfo, "uhid: device destroyed");
  }
  boost::system::error_code ignored;
  fd_.close(ignored);
}

bool UhidTransport::write_event(ByteSpan bytes, const char* what) {
  // A uhid write is one whole event and never blocks for long; asio's synchronous write waits
  // for writability if the descriptor is non-blocking (a socket standing in for the kernel).
  boost::system::error_code ec;
  asio::write(fd_, asio::buffer(bytes.data(), bytes.size()), ec);
  if (ec) {
    log_.write(LogLevel::kWarning, std::string("uhid: ") + what + ": " + ec.message());
    return false;
  }
  return true;
}

asio::awaitable<void> UhidTransport::read_loop() {
  auto self = shared_from_this();  // the transport lives as long as its loop
  while (!closed_) {
    boost::system::error_code ec;
    // One read() returns one whole event (uhid_char_read copies one queued event).
    std::size_t n = co_await fd_.async_read_some(asio::buffer(rx_), asio::redirect_error(asio::use_awaitable, ec));
    if (closed_ || ec == asio::error::operation_aborted) break;
    if (ec == asio::error::interrupted || ec == asio::error::try_again) continue;
    if (ec) {
      fail(ec == asio::error::eof ? std::string("the uhid device was closed") : "reading events: " + ec.message());
      break;
    }
    handle(ByteSpan(rx_.data(), n));
  }
}

void UhidTransport::handle(ByteSpan bytes) {
  auto event = decode_event(bytes);
  if (!event) {
    log_.write(LogLevel::kWarning, "uhid: ignored an event: " + std::string(uhid_error_text(event.error())));
    return;
  }
  std::visit(
      [this](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, Start>) {
          started_ = true;
          log_.write(LogLevel::kInfo, "uhid: device started");
          if (on_start_) on_start_();
        } else if constexpr (std::is_same_v<T, Stop>) {
          started_ = false;
          log_.write(LogLevel::kInfo, "uhid: device stopped");
        } else if constexpr (std::is_same_v<T, Open>) {
          host_open_ = true;
          log_.write(LogLevel::kDebug, "uhid: a host opened the device");
        } else if constexpr (std::is_same_v<T, Close>) {
          // A host that vanished mid-message leaves a half-assembled message behind; the CTAPHID
          // layer's transaction timeout (CTAP 2.1 §11.2.5.2) frees the channel.
          host_open_ = false;
          log_.write(LogLevel::kDebug, "uhid: the last host closed the device");
        } else if constexpr (std::is_same_v<T, Output>) {
          on_output(e);
        } else if constexpr (std::is_same_v<T, GetReport>) {
          log_.write(LogLevel::kDebug, "uhid: GET_REPORT " + std::to_string(e.rnum) + " answered EIO (no feature reports)");
          write_event(encode_get_report_reply(e.id, kEio), "UHID_GET_REPORT_REPLY");
        } else if constexpr (std::is_same_v<T, SetReport>) {
          log_.write(LogLevel::kDebug, "uhid: SET_REPORT " + std::to_string(e.rnum) + " answered EIO (no feature reports)");
          write_event(encode_set_report_reply(e.id, kEio), "UHID_SET_REPORT_REPLY");
        } else {
          log_.write(LogLevel::kDebug, "uhid: ignored event type " + std::to_string(e.type));
        }
      },
      *event);
}

void UhidTransport::on_output(const Output& output) {
  auto report = output_report(output);
  if (!report) {
    ++dropped_;
    if (dropped_ <= kLogFirst || dropped_ % kLogEvery == 0) {
      log_.write(LogLevel::kWarning, "uhid: dropped a " + std::to_string(output.data.size()) + "-byte output report: " +
                                         std::string(output_problem_text(report.error())) + " (" +
                                         std::to_string(dropped_) + " dropped so far)");
    }
    return;
  }
  if (on_report_) on_report_(*report);
}

void UhidTransport::fail(const std::string& why) {
  log_.write(LogLevel::kError, "uhid: " + why);
  auto handler = std::move(on_failure_);
  on_failure_ = nullptr;
  if (handler) handler(why);
}

}  // namespace vfido::transport::uhid
