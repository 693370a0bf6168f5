#include "tools/host/hid_channel.h"

#include "transports/uhid/report_pacer.h"

#include <hidapi.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace vfido::host {
namespace {

constexpr unsigned short kFidoUsagePage = 0xF1D0;  // CTAP 2.1 §11.2.8.1
constexpr unsigned short kFidoUsage = 0x01;
// 16 reports at once (half of uhid's 32-event queue), then one per millisecond.
constexpr std::uint32_t kWriteBurst = 16;
constexpr std::uint64_t kWriteIntervalUs = 1000;


// hidapi keeps global state; one hid_init() for the process is enough (hid_exit is optional).
bool hidapi_ready() {
  static const bool ok = hid_init() == 0;
  return ok;
}

std::string narrow(const wchar_t* w) {
  std::string out;
  if (w == nullptr) return out;
  for (; *w != L'\0'; ++w) out += (*w >= 0x20 && *w < 0x7F) ? static_cast<char>(*w) : '?';
  return out;
}

class HidChannel final : public ReportChannel {
 public:
  HidChannel(hid_device* dev, std::string path) : dev_(dev), path_(std::move(path)) {}
  ~HidChannel() override { hid_close(dev_); }
  HidChannel(const HidChannel&) = delete;
  HidChannel& operator=(const HidChannel&) = delete;

  bool write(const Report& report) override {
    std::array<unsigned char, Report{}.size() + 1> buf{};  // report ID 0, then the report
    std::copy(report.begin(), report.end(), buf.begin() + 1);
    while (!pacer_.try_take(transport::uhid::steady_now_us())) {
      std::this_thread::sleep_for(std::chrono::microseconds(pacer_.wait_us(transport::uhid::steady_now_us())));
    }
    return hid_write(dev_, buf.data(), buf.size()) == static_cast<int>(buf.size());
  }
  std::optional<Report> read(int timeout_ms) override {
    Report r{};
    int n = hid_read_timeout(dev_, r.data(), r.size(), timeout_ms);
    if (n <= 0) return std::nullopt;
    // A shorter input report is padded with zeros (§11.2.4 packets have a fixed size).
    return r;
  }
  std::string description() const override { return path_; }

 private:
  hid_device* dev_;
  std::string path_;
  transport::uhid::ReportPacer pacer_{kWriteBurst, kWriteIntervalUs};
};

}  // namespace

std::vector<FidoHidDevice> enumerate_fido_devices() {
  std::vector<FidoHidDevice> out;
  if (!hidapi_ready()) return out;
  hid_device_info* list = hid_enumerate(0, 0);
  for (hid_device_info* d = list; d != nullptr; d = d->next) {
    if (d->usage_page != kFidoUsagePage || d->usage != kFidoUsage) continue;
    out.push_back({d->path ? d->path : "", d->vendor_id, d->product_id, narrow(d->manufacturer_string),
                   narrow(d->product_string), narrow(d->serial_number)});
  }
  hid_free_enumeration(list);
  return out;
}

tl::expected<std::unique_ptr<ReportChannel>, std::string> open_hid_channel(const std::string& path) {
  if (!hidapi_ready()) return tl::unexpected(std::string("hidapi could not be initialised"));
  // hidapi reports no reason; find out what open() itself says.
  if (::access(path.c_str(), R_OK | W_OK) != 0) {
    int err = errno;
    std::string msg = "cannot open " + path + ": " + std::strerror(err);
    if (err == EACCES) msg += " (see udev/README.md: uaccess or the vfido group)";
    return tl::unexpected(msg);
  }
  hid_device* dev = hid_open_path(path.c_str());
  if (dev == nullptr) return tl::unexpected("hidapi cannot open " + path);
  return std::unique_ptr<ReportChannel>(std::make_unique<HidChannel>(dev, path));
}

}  // namespace vfido::host
