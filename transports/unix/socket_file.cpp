#include "transports/unix/socket_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vfido::transport::unix_socket {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;

namespace {

// Removes the socket file left by a server that is gone. A live server (it accepts a
// connection) is not disturbed, and a path that is not a socket is never deleted.
void remove_stale_socket(const std::string& path, std::string_view who) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;  // nothing there
  if (!S_ISSOCK(st.st_mode)) {
    throw boost::system::system_error(asio::error::already_open,
                                      std::string(who) + ": " + path + " exists and is not a socket");
  }
  asio::io_context probe_ctx;
  stream::socket probe(probe_ctx);
  boost::system::error_code ec;
  probe.connect(stream::endpoint(path), ec);
  if (!ec) {
    throw boost::system::system_error(asio::error::address_in_use,
                                      std::string(who) + ": a server is already listening on " + path);
  }
  ::unlink(path.c_str());
}

}  // namespace

void listen_private(stream::acceptor& acceptor, const std::string& path, std::string_view who) {
  remove_stale_socket(path, who);
  stream::endpoint ep(path);
  acceptor.open(ep.protocol());
  acceptor.bind(ep);
  // Owner-only access. No client can connect between bind() and this call: listen() has not
  // been called yet.
  if (::chmod(path.c_str(), S_IRUSR | S_IWUSR) != 0) {
    const int err = errno;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    ::unlink(path.c_str());
    throw boost::system::system_error(boost::system::error_code(err, boost::system::system_category()),
                                      std::string(who) + ": chmod " + path);
  }
  acceptor.listen();
}

asio::awaitable<void> accept_clients(stream::acceptor& acceptor, const ClientHandler& on_client, Log& log,
                                     std::string_view who) {
  const std::string name(who);  // the caller's view may not outlive the first suspension
  while (acceptor.is_open()) {
    boost::system::error_code ec;
    stream::socket socket(acceptor.get_executor());
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) break;
    if (ec) {
      log.write(LogLevel::kWarning, name + ": accept: " + ec.message());
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    on_client(std::move(socket));
  }
}

}  // namespace vfido::transport::unix_socket
