// A client of the control API (control_api.h) for `vfido ctl` and tests: one connection to the
// daemon's control socket, one request line out and one response line back per call, with a
// timeout. Plain blocking POSIX sockets: the client has nothing else to do meanwhile.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace vfido::host {

class ControlClient {
 public:
  // Connects to `path`. The error says whether nothing listens there (the daemon is not
  // running), or the path cannot be used.
  static tl::expected<ControlClient, std::string> connect(const std::string& path);

  ControlClient(ControlClient&& other) noexcept;
  ControlClient& operator=(ControlClient&& other) noexcept;
  ControlClient(const ControlClient&) = delete;
  ControlClient& operator=(const ControlClient&) = delete;
  ~ControlClient();

  // Sends {"id": n, "method": method, "params": params} and returns the whole response object
  // (with "result" or "error"); the error is about the connection (closed, timed out, not JSON).
  tl::expected<nlohmann::json, std::string> call(std::string_view method, const nlohmann::json& params,
                                                 int timeout_ms = 10000);
  // Sends `line` plus a newline as it is and returns the response line (tests send bad input).
  tl::expected<std::string, std::string> exchange(std::string_view line, int timeout_ms = 10000);

  int fd() const { return fd_; }

 private:
  explicit ControlClient(int fd) : fd_(fd) {}
  tl::expected<std::string, std::string> read_line(int timeout_ms);

  int fd_ = -1;
  std::string pending_;  // bytes read past the last newline
  long next_id_ = 1;
};

}  // namespace vfido::host
