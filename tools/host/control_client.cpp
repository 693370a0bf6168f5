#include "tools/host/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace vfido::host {

tl::expected<ControlClient, std::string> ControlClient::connect(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path)) return tl::unexpected("socket path too long: " + path);
  std::memcpy(addr.sun_path, path.data(), path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return tl::unexpected(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == ENOENT || err == ECONNREFUSED) return tl::unexpected("nothing listens on " + path);
    return tl::unexpected("cannot connect to " + path + ": " + std::strerror(err));
  }
  return ControlClient(fd);
}

ControlClient::ControlClient(ControlClient&& other) noexcept
    : fd_(other.fd_), pending_(std::move(other.pending_)), next_id_(other.next_id_) {
  other.fd_ = -1;
}

ControlClient& ControlClient::operator=(ControlClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    pending_ = std::move(other.pending_);
    next_id_ = other.next_id_;
    other.fd_ = -1;
  }
  return *this;
}

ControlClient::~ControlClient() {
  if (fd_ >= 0) ::close(fd_);
}

tl::expected<std::string, std::string> ControlClient::read_line(int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (auto nl = pending_.find('\n'); nl != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return tl::unexpected(std::string("no answer from the daemon in time"));
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;  // the deadline check above ends it
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return tl::unexpected(std::string("the daemon closed the connection"));
    pending_.append(buf, static_cast<std::size_t>(n));
  }
}

tl::expected<std::string, std::string> ControlClient::exchange(std::string_view line, int timeout_ms) {
  std::string out(line);
  out.push_back('\n');
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::send(fd_, out.data() + done, out.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return tl::unexpected(std::string("cannot send to the daemon: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  return read_line(timeout_ms);
}

tl::expected<nlohmann::json, std::string> ControlClient::call(std::string_view method, const nlohmann::json& params,
                                                              int timeout_ms) {
  const long id = next_id_++;
  nlohmann::json request = {{"id", id}, {"method", method}, {"params", params}};
  auto line = exchange(request.dump(), timeout_ms);
  if (!line) return tl::unexpected(line.error());
  nlohmann::json response = nlohmann::json::parse(*line, nullptr, false);
  if (response.is_discarded() || !response.is_object()) return tl::unexpected("not a JSON response: " + *line);
  return response;
}

}  // namespace vfido::host
