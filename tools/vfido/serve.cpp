// `vfido serve`: runs a virtual key on the socket transports until SIGINT or SIGTERM.
//
//   vfido serve --udp [--udp-host 127.0.0.1 --udp-port 8111 --udp-peer-port 7112]
//               [--unix PATH] [--presence approve|deny] [--verbose]
//               [--store NAME|PATH (--passphrase-file F | --key-file F) [--state NAME|PATH]]
//
// Without --store the key keeps its credentials in memory; with it, in a device store (made
// when missing) or a synced vault (store_flags.h). Prints a line naming the store, then one line
// per transport on stdout once it listens (test harnesses wait for it), then serves; exits 0
// after a signal, 1 when the store or a transport cannot be opened, 2 on a usage error.
#include <csignal>
#include <cstdint>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "tools/host/virtual_key.h"
#include "tools/host/store_options.h"
#include "tools/vfido/commands.h"
#include "tools/vfido/store_flags.h"

namespace vfido::cli {
namespace {

struct ServeOptions {
  bool udp = false;
  std::string udp_host = "127.0.0.1";
  std::uint16_t udp_port = 8111;
  std::string udp_peer_host = "127.0.0.1";
  std::uint16_t udp_peer_port = 7112;
  std::string unix_path;
  std::string presence = "approve";
  bool verbose = false;
  host::StoreOptions store;
};

int run_serve(const ServeOptions& o) {
  if (!o.udp && o.unix_path.empty()) {
    std::cerr << "vfido serve: no transport chosen; give --udp and/or --unix PATH\n";
    return 2;
  }

  boost::asio::io_context io;
  host::KeyOptions key_options;
  key_options.presence = o.presence == "deny" ? host::PresenceMode::kDeny : host::PresenceMode::kApprove;
  key_options.verbose = o.verbose;

  // Declared before the key: the stores outlive it.
  std::optional<host::KeyStorage> storage;
  if (!o.store.store.empty()) {
    auto opened = host::open_key_storage(o.store);
    if (!opened) {
      std::cerr << "vfido serve: " << opened.error() << '\n';
      return 1;
    }
    storage = std::move(*opened);
    storage->attach(key_options);
    std::cout << "vfido: store: " << storage->description << '\n';
  } else if (!o.store.state.empty() || !o.store.passphrase_file.empty() || !o.store.key_file.empty()) {
    std::cerr << "vfido serve: --state, --passphrase-file and --key-file need --store\n";
    return 2;
  }

  std::unique_ptr<host::VirtualKey> key;
  try {
    key = std::make_unique<host::VirtualKey>(io, key_options);
  } catch (const std::exception& e) {
    std::cerr << "vfido serve: " << e.what() << '\n';
    return 1;
  }

  if (o.udp) {
    transport::udp::Options udp;
    udp.host = o.udp_host;
    udp.port = o.udp_port;
    udp.peer_host = o.udp_peer_host;
    udp.peer_port = o.udp_peer_port;
    try {
      std::uint16_t port = key->add_udp(udp);
      std::cout << "vfido: listening on udp " << o.udp_host << ':' << port << ", sending to "
                << o.udp_peer_host << ':' << o.udp_peer_port << '\n';
    } catch (const std::exception& e) {
      std::cerr << "vfido serve: cannot open udp " << o.udp_host << ':' << o.udp_port << ": " << e.what() << '\n';
      return 1;
    }
  }
  if (!o.unix_path.empty()) {
    try {
      key->add_unix(o.unix_path);
      std::cout << "vfido: listening on unix " << o.unix_path << '\n';
    } catch (const std::exception& e) {
      std::cerr << "vfido serve: cannot listen on unix " << o.unix_path << ": " << e.what() << '\n';
      return 1;
    }
  }
  std::cout << std::flush;

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
  cmd->add_flag("--udp", o->udp, "Listen for 64-byte reports as UDP datagrams (the simulator protocol)");
  cmd->add_option("--udp-host", o->udp_host, "Address to bind the UDP socket to")->capture_default_str();
  cmd->add_option("--udp-port", o->udp_port, "UDP port the key receives on (0 = any free port)")
      ->capture_default_str();
  cmd->add_option("--udp-peer-host", o->udp_peer_host, "Address the key sends its reports to")
      ->capture_default_str();
  cmd->add_option("--udp-peer-port", o->udp_peer_port, "UDP port the key sends its reports to")
      ->capture_default_str();
  cmd->add_option("--unix", o->unix_path, "Unix stream socket path (64-byte reports; libfido2 custom I/O)");
  cmd->add_option("--presence", o->presence, "How the simulated user answers a touch request")
      ->check(CLI::IsMember({"approve", "deny"}))
      ->capture_default_str();
  cmd->add_flag("-v,--verbose", o->verbose, "Log every request and error to stderr");
  add_store_flags(cmd, o->store, kAllStoreFlags, false);
  cmd->callback([o, exit_code] { *exit_code = run_serve(*o); });
}

}  // namespace vfido::cli
