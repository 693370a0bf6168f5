#include "tools/host/fido_udp_io.h"

#include <cstring>
#include <memory>

#include "tools/host/report_channel.h"

namespace vfido::host {
namespace {

void* io_open(const char* path) {
  if (path == nullptr) return nullptr;
  const std::string spec(path);
  const auto colon = spec.rfind(':');
  if (colon == std::string::npos) return nullptr;
  unsigned long port = 0;
  try {
    port = std::stoul(spec.substr(colon + 1));
  } catch (...) {
    return nullptr;
  }
  if (port == 0 || port > 65535) return nullptr;
  auto channel = open_udp_channel(spec.substr(0, colon), static_cast<std::uint16_t>(port), 0);
  return channel.release();  // owned by libfido2 until io_close
}

void io_close(void* handle) { std::unique_ptr<ReportChannel> channel(static_cast<ReportChannel*>(handle)); }

int io_read(void* handle, unsigned char* buf, std::size_t len, int ms) {
  auto* channel = static_cast<ReportChannel*>(handle);
  if (channel == nullptr || buf == nullptr || len != vfido::ctaphid::kReportLen) return -1;
  auto report = channel->read(ms < 0 ? 60 * 60 * 1000 : ms);
  if (!report) return -1;
  std::memcpy(buf, report->data(), report->size());
  return static_cast<int>(report->size());
}

// libfido2 writes report ID 0 and the report, as to hidraw.
int io_write(void* handle, const unsigned char* buf, std::size_t len) {
  auto* channel = static_cast<ReportChannel*>(handle);
  if (channel == nullptr || buf == nullptr || len != vfido::ctaphid::kReportLen + 1 || buf[0] != 0) return -1;
  Report r{};
  std::memcpy(r.data(), buf + 1, r.size());
  return channel->write(r) ? static_cast<int>(len) : -1;
}

const fido_dev_io_t kUdpIo = {io_open, io_close, io_read, io_write};

}  // namespace

const fido_dev_io_t& udp_io() { return kUdpIo; }

FidoDev open_udp_device(const std::string& host, std::uint16_t port, int* error, int timeout_ms) {
  return open_device_with_io(udp_io(), host + ":" + std::to_string(port), error, timeout_ms);
}

}  // namespace vfido::host
