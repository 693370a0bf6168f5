// A listening Unix stream socket that only its owner may use, shared by the Unix transport and
// the daemon's control socket: a stale socket file (its server died) is replaced, a live server
// or a file that is not a socket is never disturbed, and the file has mode 0600 before anyone
// can connect.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>  // before awaitable.hpp (Boost 1.74 uses std::exchange without it)

#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "authenticator/env/log.h"

namespace vfido::transport::unix_socket {

// Opens, binds, chmods 0600 and listens `acceptor` on `path`. Throws
// boost::system::system_error whose message starts with `who` ("unix", "control").
void listen_private(boost::asio::local::stream_protocol::acceptor& acceptor, const std::string& path,
                    std::string_view who);

// Accepts clients until the acceptor is closed, handing each connected socket to `on_client`. A
// failed accept (EMFILE, say) is logged and tried again 50 ms later, so the clients already
// connected keep being served. `on_client` must live until the coroutine ends: pass a local of
// the awaiting coroutine (not a temporary: g++ 12 destroys temporaries bound to by-value
// coroutine parameters twice).
using ClientHandler = std::function<void(boost::asio::local::stream_protocol::socket)>;
boost::asio::awaitable<void> accept_clients(boost::asio::local::stream_protocol::acceptor& acceptor,
                                            const ClientHandler& on_client, Log& log, std::string_view who);

}  // namespace vfido::transport::unix_socket
