// `vfido tunnel-server`: a caBLE v2 tunnel server (transports/hybrid/tunnel_server.h) until
// SIGINT or SIGTERM, then a graceful shutdown.
//
//   vfido tunnel-server [--listen 127.0.0.1:47912] [--cert FILE --key FILE] [--contacts FILE] [--max-tunnels N]
//                       [--max-message BYTES] [--handshake-timeout S] [--pairing-timeout S]
//                       [--idle-timeout S] [--verbose]
//
// Prints "vfido: tunnel server listening on ws://HOST:PORT" (wss:// with a certificate) once it
// listens; exits 0 after a signal, 1 when it cannot listen, 2 on a usage error.
#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include <csignal>
#include <iostream>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "tools/host/threshold_log.h"
#include "tools/vfido/commands.h"
#include "transports/hybrid/tunnel_server.h"

namespace vfido::cli {
namespace {

struct TunnelServerCliOptions {
  std::string listen = "127.0.0.1:47912";
  cable::TunnelServerOptions server;
  double handshake_s = 10;
  double pairing_s = 120;
  double idle_s = 300;
  bool verbose = false;
};

std::chrono::milliseconds ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

int run_tunnel_server(TunnelServerCliOptions o) {
  auto hp = parse_host_port(o.listen);
  if (!hp) {
    std::cerr << "vfido tunnel-server: --listen: expected HOST:PORT, got " << o.listen << '\n';
    return 2;
  }
  o.server.host = hp->first;
  o.server.port = hp->second;
  o.server.handshake_timeout = ms(o.handshake_s);
  o.server.pairing_timeout = ms(o.pairing_s);
  o.server.idle_timeout = ms(o.idle_s);
  host::ThresholdLog log(o.verbose ? LogLevel::kDebug : LogLevel::kWarning);
  boost::asio::io_context io;
  std::unique_ptr<cable::TunnelServer> server;
  try {
    server = std::make_unique<cable::TunnelServer>(io.get_executor(), o.server, log);
  } catch (const std::exception& e) {
    std::cerr << "vfido tunnel-server: cannot listen on " << o.listen << ": " << e.what() << '\n';
    return 1;
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    server->shutdown([&] {
      const auto s = server->stats();
      std::cout << "vfido: tunnel server stopped (" << s.accepted << " connections, " << s.forwarded
                << " messages forwarded)" << std::endl;
    });
  });
  server->start();
  std::cout << "vfido: tunnel server listening on " << server->url().text() << std::endl;
  io.run();
  return 0;
}

}  // namespace

void add_tunnel_server(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<TunnelServerCliOptions>();
  CLI::App* cmd = app.add_subcommand("tunnel-server", "Run a caBLE v2 (hybrid) tunnel server until SIGINT/SIGTERM");
  cmd->add_option("--listen", o->listen, "HOST:PORT to listen on (loopback by default)")->capture_default_str();
  cmd->add_option("--cert", o->server.cert_file, "wss://: PEM certificate chain, leaf first");
  cmd->add_option("--key", o->server.key_file, "wss://: PEM private key of the certificate");
  cmd->add_option("--contacts", o->server.contacts_file,
                  "Keep the contact IDs of listening phones in this file (a restart then answers 503, not 410)");
  cmd->add_option("--max-tunnels", o->server.max_tunnels, "Tunnels open at once")->capture_default_str();
  cmd->add_option("--max-message", o->server.max_message, "Largest message in bytes (larger: closed with 1009)")
      ->capture_default_str();
  cmd->add_option("--handshake-timeout", o->handshake_s, "Seconds for TLS and the WebSocket upgrade")->capture_default_str();
  cmd->add_option("--pairing-timeout", o->pairing_s, "Seconds a tunnel waits for its second end")->capture_default_str();
  cmd->add_option("--idle-timeout", o->idle_s, "Seconds a joined tunnel may stay silent")->capture_default_str();
  cmd->add_flag("-v,--verbose", o->verbose, "Log every connection to stderr");
  cmd->callback([o, exit_code] { *exit_code = run_tunnel_server(*o); });
}

}  // namespace vfido::cli
