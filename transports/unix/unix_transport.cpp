#include "transports/unix/unix_transport.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

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

// Removes the socket file left by a server that is gone. A live server (it accepts a
// connection) is not disturbed, and a path that is not a socket is never deleted.
void remove_stale_socket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return;  // nothing there
  if (!S_ISSOCK(st.st_mode)) {
    throw boost::system::system_error(asio::error::already_open,
                                      "unix: " + path + " exists and is not a socket");
  }
  asio::io_context probe_ctx;
  stream::socket probe(probe_ctx);
  boost::system::error_code ec;
  probe.connect(stream::endpoint(path), ec);
  if (!ec) {
    throw boost::system::system_error(asio::error::address_in_use,
                                      "unix: a server is already listening on " + path);
  }
  ::unlink(path.c_str());
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
  remove_stale_socket(path_);
  stream::endpoint ep(path_);
  acceptor_.open(ep.protocol());
  acceptor_.bind(ep);
  // Owner-only access. No client can connect between bind() and this call: listen() has not
  // been called yet.
  if (::chmod(path_.c_str(), S_IRUSR | S_IWUSR) != 0) {
    int err = errno;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    ::unlink(path_.c_str());
    throw boost::system::system_error(boost::system::error_code(err, boost::system::system_category()),
                                      "unix: chmod " + path_);
  }
  acceptor_.listen();
}

UnixTransport::~UnixTransport() { close(); }

void UnixTransport::start() {
  asio::co_spawn(acceptor_.get_executor(), [self = shared_from_this()] { return self->accept_loop(); },
                 asio::detached);
}

asio::awaitable<void> UnixTransport::accept_loop() {
  auto self = shared_from_this();
  while (!closed_) {
    boost::system::error_code ec;
    stream::socket socket(acceptor_.get_executor());
    co_await acceptor_.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (closed_ || ec == asio::error::operation_aborted) break;
    if (ec) {
      // For example EMFILE: keep serving the clients we have and try again.
      fail(log_, ec, "accept");
      continue;
    }
    auto conn = std::make_shared<Connection>(std::move(socket), self);
    prune();
    connections_.push_back(conn);
    conn->start();
    log_.write(LogLevel::kDebug, "unix: client connected (" + std::to_string(client_count()) + " open)");
  }
}

void UnixTransport::deliver(ByteSpan report) {
  if (!closed_ && on_report_) on_report_(report);
}

void UnixTransport::send(const Report& report) {
  if (closed_) return;
  prune();
  // Copy first: a send may close a connection, which must not disturb this iteration.
  auto targets = connections_;
  for (auto& weak : targets) {
    if (auto conn = weak.lock()) conn->send(report);
  }
}

void UnixTransport::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& weak : connections_) {
    if (auto conn = weak.lock()) conn->close();
  }
  connections_.clear();
  ::unlink(path_.c_str());
}

std::size_t UnixTransport::client_count() const {
  return static_cast<std::size_t>(std::count_if(connections_.begin(), connections_.end(), [](const auto& weak) {
    auto conn = weak.lock();
    return conn && conn->open();
  }));
}

void UnixTransport::prune() {
  std::erase_if(connections_, [](const auto& weak) {
    auto conn = weak.lock();
    return !conn || !conn->open();
  });
}

}  // namespace vfido::transport::unix_socket
