#include "tools/host/control_server.h"

#include <unistd.h>


#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "transports/unix/socket_file.h"

namespace vfido::host {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;

namespace {

// The one error filter of this file (style.md §17): aborted operations and clients hanging up
// are the normal end of a connection.
void fail(Log& log, const boost::system::error_code& ec, std::string_view what) {
  if (ec == asio::error::operation_aborted || ec == asio::error::eof || ec == asio::error::bad_descriptor ||
      ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
    return;
  }
  log.write(LogLevel::kWarning, "control: " + std::string(what) + ": " + ec.message());
}

}  // namespace

// One client: read a line, answer it, repeat; an idle timer closes it.
class ControlSession final : public std::enable_shared_from_this<ControlSession> {
 public:
  ControlSession(stream::socket socket, std::shared_ptr<ControlServer> owner)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), owner_(std::move(owner)) {}

  void start() {
    asio::co_spawn(socket_.get_executor(), [self = shared_from_this()] { return self->serve(); }, asio::detached);
  }

  // Tells the client why, then closes (too many clients).
  void refuse(std::string why) {
    asio::co_spawn(
        socket_.get_executor(),
        [self = shared_from_this(), why = std::move(why)]() -> asio::awaitable<void> {
          std::string line = self->owner_->refusal_(why) + "\n";
          boost::system::error_code ec;
          co_await asio::async_write(self->socket_, asio::buffer(line), asio::redirect_error(asio::use_awaitable, ec));
          self->close();
        },
        asio::detached);
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(stream::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  bool open() const { return !closed_; }

 private:
  void arm_idle_timer() {
    timer_.expires_after(owner_->idle_timeout_);
    timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto self = weak.lock()) self->close();
    });
  }

  asio::awaitable<void> serve() {
    auto self = shared_from_this();
    std::string buffer;
    while (!closed_ && !owner_->closed_) {
      arm_idle_timer();
      boost::system::error_code ec;
      const std::size_t n = co_await asio::async_read_until(socket_, asio::dynamic_buffer(buffer, ControlServer::kMaxLine),
                                                            '\n', asio::redirect_error(asio::use_awaitable, ec));
      if (closed_) break;
      if (ec == asio::error::not_found) {
        // kMaxLine bytes without a newline: answer once, then hang up (the rest of the line
        // cannot be told apart from the next request).
        std::string line = owner_->refusal_("request line longer than " + std::to_string(ControlServer::kMaxLine) +
                                            " bytes") + "\n";
        co_await asio::async_write(socket_, asio::buffer(line), asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
      if (ec) {
        fail(owner_->log_, ec, "read");  // EOF mid-line included: the partial request is dropped
        break;
      }
      std::string_view line(buffer.data(), n - 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      std::string response;
      if (!line.empty()) response = owner_->handler_(line) + "\n";
      buffer.erase(0, n);
      if (response.empty()) continue;  // blank lines are ignored
      timer_.cancel();
      arm_idle_timer();  // a client that never reads its responses is closed too
      co_await asio::async_write(socket_, asio::buffer(response), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        fail(owner_->log_, ec, "write");
        break;
      }
    }
    close();
  }

  stream::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<ControlServer> owner_;
  bool closed_ = false;
};

ControlServer::ControlServer(asio::any_io_executor ex, std::string path, Handler handler, Refusal refusal, Log& log)
    : acceptor_(ex), path_(std::move(path)), handler_(std::move(handler)), refusal_(std::move(refusal)), log_(log) {
  transport::unix_socket::listen_private(acceptor_, path_, "control");
}

ControlServer::~ControlServer() { close(); }

void ControlServer::start() {
  asio::co_spawn(acceptor_.get_executor(), [self = shared_from_this()] { return self->accept_loop(); },
                 asio::detached);
}

asio::awaitable<void> ControlServer::accept_loop() {
  auto self = shared_from_this();
  const transport::unix_socket::ClientHandler on_client = [this, self](stream::socket socket) {
    if (closed_) return;
    auto session = std::make_shared<ControlSession>(std::move(socket), self);
    if (sessions_.count() >= kMaxClients) {
      session->refuse("too many control clients (" + std::to_string(kMaxClients) + "); try again later");
      return;
    }
    sessions_.add(session);
    session->start();
  };
  co_await transport::unix_socket::accept_clients(acceptor_, on_client, log_, "control");
}

std::size_t ControlServer::client_count() const { return sessions_.count(); }

void ControlServer::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  sessions_.close_all();
  ::unlink(path_.c_str());
}

}  // namespace vfido::host
