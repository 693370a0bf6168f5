#include "tools/host/fido_unix_io.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>

#include "authenticator/ctap_constants.h"

namespace vfido::host {
namespace {

constexpr std::size_t kReportLen = vfido::ctaphid::kReportLen;

// The handle libfido2 carries between calls. `partial` keeps the bytes of a report whose read
// timed out half way, so the stream never loses its 64-byte alignment.
struct Handle {
  int fd = -1;
  std::array<unsigned char, kReportLen> partial{};
  std::size_t partial_len = 0;
};

void* io_open(const char* path) {
  if (path == nullptr) return nullptr;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::size_t len = std::strlen(path);
  if (len == 0 || len >= sizeof(addr.sun_path)) return nullptr;
  std::memcpy(addr.sun_path, path, len);

  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return nullptr;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return nullptr;
  }
  auto h = std::make_unique<Handle>();
  h->fd = fd;
  return h.release();  // owned by libfido2 until io_close
}

void io_close(void* handle) {
  std::unique_ptr<Handle> h(static_cast<Handle*>(handle));
  if (h) ::close(h->fd);
}

// Reads one whole report. `ms` < 0 waits forever; otherwise the whole read, including the
// remaining part of a partial report, must finish within `ms` milliseconds.
int io_read(void* handle, unsigned char* buf, std::size_t len, int ms) {
  auto* h = static_cast<Handle*>(handle);
  if (h == nullptr || buf == nullptr || len != kReportLen) return -1;
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::milliseconds(ms < 0 ? 0 : ms);

  while (h->partial_len < kReportLen) {
    int wait = -1;
    if (ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      wait = left > 0 ? static_cast<int>(left) : 0;
    }
    pollfd pfd{h->fd, POLLIN, 0};
    int r = ::poll(&pfd, 1, wait);
    if (r < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (r == 0) return -1;  // timeout; any partial report is kept for the next call
    ssize_t n = ::recv(h->fd, h->partial.data() + h->partial_len, kReportLen - h->partial_len, 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return -1;
    }
    if (n == 0) return -1;  // the key went away
    h->partial_len += static_cast<std::size_t>(n);
  }
  std::memcpy(buf, h->partial.data(), kReportLen);
  h->partial_len = 0;
  return static_cast<int>(kReportLen);
}

// libfido2 writes report ID 0 and the report, as to hidraw (CTAP 2.1 §11.2.4: no report IDs).
int io_write(void* handle, const unsigned char* buf, std::size_t len) {
  auto* h = static_cast<Handle*>(handle);
  if (h == nullptr || buf == nullptr || len != kReportLen + 1 || buf[0] != 0) return -1;
  const unsigned char* p = buf + 1;
  std::size_t left = kReportLen;
  while (left > 0) {
    ssize_t n = ::send(h->fd, p, left, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return static_cast<int>(len);
}

const fido_dev_io_t kUnixSocketIo = {io_open, io_close, io_read, io_write};

}  // namespace

const fido_dev_io_t& unix_socket_io() { return kUnixSocketIo; }

void FidoDevDeleter::operator()(fido_dev_t* dev) const {
  if (dev == nullptr) return;
  fido_dev_close(dev);  // FIDO_ERR_INVALID_ARGUMENT when it was never opened: harmless
  fido_dev_free(&dev);
}

FidoDev open_unix_device(const std::string& path, int* error, int timeout_ms) {
  return open_device_with_io(unix_socket_io(), path, error, timeout_ms);
}

FidoDev open_device_with_io(const fido_dev_io_t& io, const std::string& path, int* error, int timeout_ms) {
  int r = FIDO_ERR_INTERNAL;
  FidoDev dev(fido_dev_new());
  if (dev) {
    r = fido_dev_set_io_functions(dev.get(), &io);
    if (r == FIDO_OK) r = fido_dev_set_timeout(dev.get(), timeout_ms);
    if (r == FIDO_OK) r = fido_dev_open(dev.get(), path.c_str());
  }
  if (error != nullptr) *error = r;
  if (r != FIDO_OK) {
    if (dev) {
      fido_dev_t* raw = dev.release();
      fido_dev_free(&raw);  // not open: nothing to close
    }
    return nullptr;
  }
  return dev;
}

}  // namespace vfido::host
