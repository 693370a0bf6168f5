// Unix stream socket transport, for libfido2's custom I/O (fido_dev_set_io_functions) and other
// in-host clients. The byte stream carries fixed 64-byte CTAPHID reports (CTAP 2.1 §11.2.4) in
// both directions, with no report-ID prefix and no other framing.
//
// Like a hidraw node, the socket may be opened by several clients at once, and every report
// the key sends goes to every connected client: clients keep the reports of their own channel
// (CID) and skip the rest, as libfido2 does. Reports from all clients go to one CTAPHID server,
// which keeps the channels apart.
//
// The socket file is created with mode 0600; a stale file at the path (left by a process that
// died) is removed first, but a live server there is not taken over; the file is removed by
// close(). There is no idle timeout on a connection: like an open hidraw node, a client may
// stay connected and silent as long as it likes.
//
// Threading: one io_context thread; every member function is called from that executor
// (style.md §17). Create with std::make_shared (handlers keep the transport alive).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>  // before awaitable.hpp: Boost 1.74's awaitable.hpp uses std::exchange without it
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include "authenticator/bytes.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/log.h"
#include "transports/unix/connection_set.h"

namespace vfido::transport::unix_socket {

using Report = std::array<std::uint8_t, vfido::ctaphid::kReportLen>;

class Connection;

class UnixTransport final : public std::enable_shared_from_this<UnixTransport> {
 public:
  // Called with each 64-byte report that arrived from any client.
  using ReportHandler = std::function<void(ByteSpan)>;

  // Removes a stale socket file, binds, sets mode 0600 and listens, all at once, so a client
  // may connect as soon as the constructor returns. Throws boost::system::system_error when
  // the path is unusable or another server is listening on it.
  UnixTransport(boost::asio::any_io_executor ex, std::string path, ReportHandler on_report, Log& log);
  ~UnixTransport();
  UnixTransport(const UnixTransport&) = delete;
  UnixTransport& operator=(const UnixTransport&) = delete;

  // Starts accepting clients.
  void start();
  // Queues one report for every connected client.
  void send(const Report& report);
  // Stops accepting, closes every connection and removes the socket file. Idempotent.
  void close();

  const std::string& path() const { return path_; }
  std::size_t client_count() const;

 private:
  friend class Connection;
  boost::asio::awaitable<void> accept_loop();
  void deliver(ByteSpan report);

  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::string path_;
  ReportHandler on_report_;
  Log& log_;
  ConnectionSet<Connection> connections_;
  bool closed_ = false;
};

}  // namespace vfido::transport::unix_socket
