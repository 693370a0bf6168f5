#include "tools/host/report_channel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>

#include "tools/host/fido_unix_io.h"

namespace vfido::host {
namespace {

class UnixChannel final : public ReportChannel {
 public:
  UnixChannel(std::string path, void* handle) : path_(std::move(path)), handle_(handle) {}
  ~UnixChannel() override { unix_socket_io().close(handle_); }
  UnixChannel(const UnixChannel&) = delete;
  UnixChannel& operator=(const UnixChannel&) = delete;

  bool write(const Report& report) override {
    // The libfido2 I/O function takes what libfido2 writes to hidraw: report ID 0, then 64 bytes.
    std::array<unsigned char, Report{}.size() + 1> buf{};
    std::copy(report.begin(), report.end(), buf.begin() + 1);
    return unix_socket_io().write(handle_, buf.data(), buf.size()) == static_cast<int>(buf.size());
  }
  std::optional<Report> read(int timeout_ms) override {
    Report r{};
    if (unix_socket_io().read(handle_, r.data(), r.size(), timeout_ms) != static_cast<int>(r.size())) {
      return std::nullopt;
    }
    return r;
  }
  std::string description() const override { return "unix:" + path_; }

 private:
  std::string path_;
  void* handle_;
};

class UdpChannel final : public ReportChannel {
 public:
  UdpChannel(int fd, sockaddr_in key, std::string text) : fd_(fd), key_(key), text_(std::move(text)) {}
  ~UdpChannel() override { ::close(fd_); }
  UdpChannel(const UdpChannel&) = delete;
  UdpChannel& operator=(const UdpChannel&) = delete;

  bool write(const Report& report) override {
    return ::sendto(fd_, report.data(), report.size(), 0, reinterpret_cast<const sockaddr*>(&key_), sizeof(key_)) ==
           static_cast<ssize_t>(report.size());
  }
  std::optional<Report> read(int timeout_ms) override {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(left.count(), 0)));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return std::nullopt;
      Report report{};
      std::array<std::uint8_t, Report{}.size() + 1> buf{};
      ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n == static_cast<ssize_t>(report.size())) {
        std::copy_n(buf.begin(), report.size(), report.begin());
        return report;
      }
      // Anything else is not a report from the key: skip it.
    }
  }
  std::string description() const override { return text_; }

 private:
  int fd_;
  sockaddr_in key_;
  std::string text_;
};

}  // namespace

std::unique_ptr<ReportChannel> open_unix_channel(const std::string& path) {
  void* handle = unix_socket_io().open(path.c_str());
  if (handle == nullptr) return nullptr;
  return std::make_unique<UnixChannel>(path, handle);
}

std::unique_ptr<ReportChannel> open_udp_channel(const std::string& host, std::uint16_t port,
                                                std::uint16_t reply_port) {
  sockaddr_in key{};
  key.sin_family = AF_INET;
  key.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &key.sin_addr) != 1) return nullptr;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_port = htons(reply_port == 0 ? 7112 : reply_port);
  local.sin_addr = key.sin_addr;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof(local)) != 0) {
    ::close(fd);
    return nullptr;
  }
  return std::make_unique<UdpChannel>(fd, key, "udp:" + host + ":" + std::to_string(port));
}

}  // namespace vfido::host
