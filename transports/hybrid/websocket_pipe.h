// The client end of a tunnel: a WebSocket (RFC 6455) over TCP, or over TLS for wss://, asking
// for the fido.cable subprotocol (hybrid-protocol.md §6.1), as a MessagePipe. Both the phone and
// the desktop side connect with it; only this file and tunnel_server.cpp use Beast (style.md §16 c).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "authenticator/env/log.h"
#include "transports/hybrid/message_pipe.h"
#include "transports/hybrid/tunnel_url.h"

namespace vfido::cable {

struct WebSocketConnectOptions {
  // Extra request headers (X-caBLE-Client-Payload...).
  std::vector<std::pair<std::string, std::string>> headers;
  // Bounds name resolution, TCP connect, TLS and the upgrade together.
  std::chrono::milliseconds timeout{10000};
  // wss://: a PEM file of certificates to trust instead of the system's (a test server's own).
  std::string ca_file;
  // The largest message accepted from the server.
  std::size_t max_message = 64 * 1024;
};

struct WebSocketConnection {
  std::shared_ptr<MessagePipe> pipe;
  // The 101 response's headers, names in lower case.
  std::map<std::string, std::string> headers;
};

// The connect options a session's own options (PhoneOptions, DesktopOptions) imply.
template <typename SessionOptions>
WebSocketConnectOptions connect_options_of(const SessionOptions& o) {
  WebSocketConnectOptions w;
  w.timeout = o.connect_timeout;
  w.ca_file = o.ca_file;
  w.max_message = o.max_message;
  return w;
}

// Opens `target` (a path such as /cable/new/<HEX>) on `url`. Errors: kTunnelGone for HTTP 410,
// kTunnelRefused for any other refusal (unreachable, TLS failure, another HTTP status, no
// fido.cable in the answer), kTimeout. The reason goes to `log` at warning level.
boost::asio::awaitable<CableResult<WebSocketConnection>> connect_websocket(boost::asio::any_io_executor ex,
                                                                          TunnelUrl url, std::string target,
                                                                          WebSocketConnectOptions options, Log& log);

}  // namespace vfido::cable
