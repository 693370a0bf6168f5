// `vfido serve`: runs a virtual key on the socket transports until SIGINT or SIGTERM.
//
//   vfido serve --udp [--udp-host 127.0.0.1 --udp-port 8111 --udp-peer-port 7112]
//               [--unix PATH] [--presence approve|deny] [--verbose]
//
// Prints one line per transport on stdout once it listens (test harnesses wait for it), then
// serves; exits 0 after a signal, 1 when a transport cannot be opened, 2 on a usage error.
#include <csignal>
#include <cstdint>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "tools/host/virtual_key.h"
#include "tools/vfido/commands.h"

namespace vfido::cli {
namespace {

struct ServeOptions {
  SocketTransportOptions transports;
  std::string presence = "approve";
  bool verbose = false;
};

int run_serve(const ServeOptions& o) {
  if (!o.transports.any()) {
    std::cerr << "vfido serve: no transport chosen; give --udp and/or --unix PATH\n";
    return 2;
  }

  boost::asio::io_context io;
  host::KeyOptions key_options;
  key_options.presence = o.presence == "deny" ? host::PresenceMode::kDeny : host::PresenceMode::kApprove;
  key_options.verbose = o.verbose;

  std::unique_ptr<host::VirtualKey> key;
  try {
    key = std::make_unique<host::VirtualKey>(io, key_options);
  } catch (const std::exception& e) {
    std::cerr << "vfido serve: " << e.what() << '\n';
    return 1;
  }

  if (!attach_socket_transports(*key, o.transports, "vfido serve")) return 1;

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&key](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    key->log().write(LogLevel::kInfo, "signal " + std::to_string(signal_number) + ", stopping");
    key->shutdown();  // closes the transports (removing the socket file); run() then returns
  });

  try {
    key->run();
  } catch (const std::exception& e) {
    std::cerr << "vfido serve: " << e.what() << '\n';
    return 1;
  }
  return 0;
}

}  // namespace

void add_serve(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Run a virtual key on UDP and/or a Unix socket until SIGINT/SIGTERM");
  add_socket_transport_options(cmd, o->transports);
  cmd->add_option("--presence", o->presence, "How the simulated user answers a touch request")
      ->check(CLI::IsMember({"approve", "deny"}))
      ->capture_default_str();
  cmd->add_flag("-v,--verbose", o->verbose, "Log every request and error to stderr");
  cmd->callback([o, exit_code] { *exit_code = run_serve(*o); });
}

}  // namespace vfido::cli
