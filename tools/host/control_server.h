// The control socket: a Unix stream socket (mode 0600, in the daemon's private runtime
// directory) that carries newline-delimited request lines to a handler and its response lines
// back (control_api.h speaks the JSON). Several clients at once, each served in order: one
// request is answered before the next line of that client is read.
//
// Limits, so that no client can wedge or exhaust the daemon: a request line is at most
// kMaxLine bytes (a longer one gets an error response and the connection is closed); at most
// kMaxClients connections at a time (one more is told so and closed); a connection idle for
// kIdleTimeout is closed; a client that disconnects mid-line or never reads its responses
// affects only its own connection.
//
// Threading: the daemon's io_context thread, like the core (style.md §17). Create with
// std::make_shared.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>  // before awaitable.hpp (Boost 1.74 uses std::exchange without it)
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "authenticator/env/log.h"
#include "transports/unix/connection_set.h"

namespace vfido::host {

class ControlSession;

class ControlServer final : public std::enable_shared_from_this<ControlServer> {
 public:
  static constexpr std::size_t kMaxLine = 1 << 20;  // 1 MiB: room for a large blob in base64url
  static constexpr std::size_t kMaxClients = 16;
  static constexpr std::chrono::seconds kIdleTimeout{600};

  // One request line (without the newline) -> one response line (without the newline).
  using Handler = std::function<std::string(std::string_view line)>;
  // What to answer when a line exceeds kMaxLine or too many clients connect.
  using Refusal = std::function<std::string(std::string_view why)>;

  // Binds `path` (a stale socket file is replaced; a live server there is an error), sets mode
  // 0600 and listens. Throws boost::system::system_error.
  ControlServer(boost::asio::any_io_executor ex, std::string path, Handler handler, Refusal refusal, Log& log);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  void start();
  // Stops accepting, closes every connection and removes the socket file. Idempotent.
  void close();

  const std::string& path() const { return path_; }
  std::size_t client_count() const;
  // For tests: shorter idle timeouts.
  void set_idle_timeout(std::chrono::milliseconds t) { idle_timeout_ = t; }

 private:
  friend class ControlSession;
  boost::asio::awaitable<void> accept_loop();

  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::string path_;
  Handler handler_;
  Refusal refusal_;
  Log& log_;
  transport::unix_socket::ConnectionSet<ControlSession> sessions_;
  std::chrono::milliseconds idle_timeout_ = kIdleTimeout;
  bool closed_ = false;
};

}  // namespace vfido::host
