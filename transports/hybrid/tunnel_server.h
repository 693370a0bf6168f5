// A caBLE v2 tunnel server (hybrid-protocol.md §6) on Boost.Beast: the relay both ends of a
// hybrid session meet at. Endpoints (all WebSocket upgrades with the fido.cable subprotocol):
//   /cable/new/<tunnel ID>                 phone, QR flow: opens a tunnel, gets X-caBLE-Routing-ID
//   /cable/connect/<routing ID>/<tunnel ID> the other end joins (desktop in the QR flow, phone in
//                                          the linked flow); 404 when unknown
//   /cable/contact/<contact ID>            desktop, linked flow: opens a tunnel and tells the phone
//   /vfido/listen/<contact ID>             vfido's phone-side channel for those notifications
// Messages are forwarded verbatim and in order; messages that arrive before the other end are
// held for it; when one end closes, the other is closed after what was queued for it.
// Limits: tunnels, connections, message size, bytes queued per connection, the upgrade,
// pairing and idle timeouts. Nothing a peer sends can stop the server: every failure ends that
// peer's connection (and its tunnel) only. One io_context thread (style.md §17).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "authenticator/env/log.h"
#include "transports/hybrid/tunnel_url.h"

namespace vfido::cable {

struct TunnelServerOptions {
  std::string host = "127.0.0.1";  // loopback by default
  std::uint16_t port = 0;          // 0: any free port (see TunnelServer::port())
  // wss:// when both are set: a PEM certificate chain (leaf first) and its PEM private key.
  std::string cert_file;
  std::string key_file;
  std::size_t max_tunnels = 10000;
  // Open sockets of every kind (upgrading, tunnel ends, listeners); 0 = 2 * max_tunnels + 1024.
  std::size_t max_connections = 0;
  std::size_t max_message = 64 * 1024;  // larger messages close the sender (WebSocket 1009)
  // Bytes waiting for one connection (held for an end that has not joined, or not yet written to
  // a slow reader); beyond it the connection is closed.
  std::size_t max_queued_bytes = 1024 * 1024;
  std::chrono::milliseconds handshake_timeout{10000};  // TLS and HTTP upgrade
  std::chrono::milliseconds pairing_timeout{120000};   // a tunnel's first end waits this long for the other
  std::chrono::milliseconds idle_timeout{300000};      // a joined tunnel with no message either way
  std::size_t max_contacts = 10000;                    // contact IDs remembered for /cable/contact
  // Where the contact IDs phones listened for are kept (one hex ID a line, 0600), so that a
  // restarted server answers a linked desktop with 503 until the phone is back instead of 410
  // (which makes the desktop forget the link). Empty: in memory only.
  std::string contacts_file;
  std::chrono::milliseconds shutdown_grace{3000};      // closing handshakes before sockets are cut
};

struct TunnelServerStats {
  std::size_t connections = 0;  // open sockets
  std::size_t tunnels = 0;      // waiting for the other end, or joined
  std::size_t joined = 0;       // both ends connected
  std::size_t listeners = 0;    // phones listening for contact requests
  std::uint64_t accepted = 0;   // sockets accepted since start
  std::uint64_t refused = 0;    // upgrades answered with an HTTP error, or sockets cut at a limit
  std::uint64_t forwarded = 0;  // messages forwarded
};

class TunnelServer {
 public:
  // Binds at once (so port() is known); throws boost::system::system_error when the address
  // cannot be bound, std::runtime_error when the certificate, the key or the contacts file cannot
  // be read.
  TunnelServer(boost::asio::any_io_executor ex, TunnelServerOptions options, Log& log);
  // Without a finished shutdown(): stops listening and cuts every connection (on the executor,
  // so it may run on any thread); `log` must outlive the executor's remaining handlers.
  ~TunnelServer();
  TunnelServer(const TunnelServer&) = delete;
  TunnelServer& operator=(const TunnelServer&) = delete;

  void start();
  // Graceful: stops accepting, closes every connection (WebSocket 1001, going away), cuts what
  // is left after shutdown_grace, then calls `done`. Call from the executor's thread.
  void shutdown(std::function<void()> done = {});

  std::uint16_t port() const;
  TunnelUrl url() const;  // ws:// or wss:// with the bound address and port
  TunnelServerStats stats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vfido::cable
