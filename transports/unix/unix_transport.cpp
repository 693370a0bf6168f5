#include "transports/unix/unix_transport.h"

#include <unistd.h>

#include <algorithm>
#include <deque>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "transports/unix/socket_file.h"

namespace vfido::transport::unix_socket {

namespace asio = boost::asio;
using stream = asio::local::stream_protocol;

namespace {

// Reports waiting for one client beyond this are dropped: a client that never reads must not
// make the key grow without bound (hidraw drops input reports in the same situation).
constexpr std::size_t kMaxQueuedReports = 4096;

// The one error filter of this file (style.md §17): aborted operations and a client hanging
// up are the normal end of a connection.
void fail(Log& log, const boost::system::error_code& ec, std::string_view what) {
  if (ec == asio::error::operation_aborted || ec == asio::error::eof ||
      ec == asio::error::bad_descriptor || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe) {
    return;
  }
  log.write(LogLevel::kWarning, "unix: " + std::string(what) + ": " + ec.message());
}

}  // namespace

// One connected client: a read loop delivering whole reports and a write queue with one
// async_write in flight (style.md §17).
class Connection final : public std::enable_shared_from_this<Connection> {
 public:
  Connection(stream::socket socket, std::shared_ptr<UnixTransport> owner)
      : socket_(std::move(socket)), owner_(std::move(owner)) {}

  void start() {
    asio::co_spawn(socket_.get_executor(), [self = shared_from_this()] { return self->read_loop(); },
                   asio::detached);
  }

  void send(const Report& report) {
    if (closed_) return;
    if (tx_.size() >= kMaxQueuedReports) {
      owner_->log_.write(LogLevel::kWarning, "unix: a client's queue is full; dropped a report");
      return;
    }
    tx_.push_back(report);
    if (!writing_) write_next();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(stream::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  bool open() const { return !closed_; }

 private:
  asio::awaitable<void> read_loop() {
    auto self = shared_from_this();
    while (!closed_) {
      boost::system::error_code ec;
      // async_read completes only with a whole report; partial reads are joined here.
      co_await asio::async_read(socket_, asio::buffer(rx_), asio::redirect_error(asio::use_awaitable, ec));
      if (closed_) break;
      if (ec) {
        fail(owner_->log_, ec, "read");
        break;
      }
      owner_->deliver(rx_);
    }
    close();
  }

  void write_next() {
    if (closed_ || tx_.empty()) {
      writing_ = false;
      return;
    }
    writing_ = true;
    // The front element keeps a stable address in the deque until its write completes.
    asio::async_write(socket_, asio::buffer(tx_.front()),
                      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                        if (self->closed_) {
                          self->writing_ = false;
                          return;
                        }
                        if (ec) {
                          fail(self->owner_->log_, ec, "write");
                          self->close();
                          self->writing_ = false;
                          return;
                        }
                        self->tx_.pop_front();
                        self->write_next();
                      });
  }

  stream::socket socket_;
  std::shared_ptr<UnixTransport> owner_;
  Report rx_{};
  std::deque<Report> tx_;
  bool writing_ = false;
  bool closed_ = false;
};

UnixTransport::UnixTransport(asio::any_io_executor ex, std::string path, ReportHandler on_report, Log& log)
    : acceptor_(ex), path_(std::move(path)), on_report_(std::move(on_report)), log_(log) {
  listen_private(acceptor_, path_, "unix");
}

UnixTransport::~UnixTransport() { close(); }

void UnixTransport::start() {
  asio::co_spawn(acceptor_.get_executor(), [self = shared_from_this()] { return self->accept_loop(); },
                 asio::detached);
}

asio::awaitable<void> UnixTransport::accept_loop() {
  auto self = shared_from_this();
  const ClientHandler on_client = [this, self](stream::socket socket) {
    if (closed_) return;
    auto conn = std::make_shared<Connection>(std::move(socket), self);
    connections_.add(conn);
    conn->start();
    log_.write(LogLevel::kDebug, "unix: client connected (" + std::to_string(client_count()) + " open)");
  };
  co_await accept_clients(acceptor_, on_client, log_, "unix");
}

void UnixTransport::deliver(ByteSpan report) {
  if (!closed_ && on_report_) on_report_(report);
}

void UnixTransport::send(const Report& report) {
  if (closed_) return;
  for (const auto& conn : connections_.open_connections()) conn->send(report);
}

void UnixTransport::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  connections_.close_all();
  ::unlink(path_.c_str());
}

std::size_t UnixTransport::client_count() const { return connections_.count(); }

}  // namespace vfido::transport::unix_socket
