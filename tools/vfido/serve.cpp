// `vfido serve`: runs a virtual key on the socket transports until SIGINT or SIGTERM.
//
//   vfido serve --udp [--udp-host 127.0.0.1 --udp-port 8111 --udp-peer-port 7112]
//               [--unix PATH] [--presence approve|deny] [--profile ID|FILE] [--aaguid UUID]
//               [--attestation none|self|packed]
//               [--reset-window-ms N] [--verbose]
//               [--store NAME|PATH (--passphrase-file F | --key-file F) [--state NAME|PATH]]
//
// Without --store the key keeps its credentials in memory; with it, in a device store (made
// when missing) or a synced vault (store_flags.h). Prints a line naming the store, then one line
// per transport on stdout once it listens (test harnesses wait for it), then serves; exits 0
// after a signal, 1 when the store or a transport cannot be opened, 2 on a usage error.
// SIGUSR1 power-cycles the key (VirtualKey::power_cycle(): tokens, key agreement and the PIN
// mismatch count are dropped, the reset window starts again) and prints
// "vfido: power cycle (SIGUSR1)" once done; so does the UDP reboot datagram, silently.
#include <csignal>
#include <cstdint>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "profiles/registry.h"
#include "tools/host/virtual_key.h"
#include "tools/host/store_options.h"
#include "tools/vfido/commands.h"
#include "tools/vfido/store_flags.h"

namespace vfido::cli {
namespace {

struct ServeOptions {
  SocketTransportOptions transports;
  std::string presence = "approve";
  host::ProfileChoice profile;
  std::optional<std::uint64_t> reset_window_ms;  // overrides the profile's when set
  bool verbose = false;
  host::StoreOptions store;
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
  OpenSslRng rng;
  auto profile = host::load_profile(o.profile, rng);
  if (!profile) {
    std::cerr << "vfido serve: " << profile.error() << '\n';
    return 2;
  }
  key_options.profile = profile->model;
  if (o.reset_window_ms) key_options.profile.reset_window_ms = *o.reset_window_ms;

  // Declared before the key: the stores outlive it.
  std::optional<host::KeyStorage> storage;
  if (int r = open_storage_for_key(o.store, "vfido serve", storage); r != 0) return r;
  if (storage) {
    storage->attach(key_options);
    if (auto note = storage->profile_note(key_options.profile); !note.empty()) std::cerr << "vfido serve: note: " << note << '\n';
  }

  std::unique_ptr<host::VirtualKey> key;
  try {
    key = std::make_unique<host::VirtualKey>(io, key_options);
  } catch (const std::exception& e) {
    std::cerr << "vfido serve: " << e.what() << '\n';
    return 1;
  }

  // The signals are caught before the listening lines go out, so that a harness may signal as
  // soon as it sees them. SIGUSR1: unplug and plug in again, as often as it comes.
  boost::asio::signal_set power(io, SIGUSR1);
  std::function<void()> await_power_cycle = [&] {
    power.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      key->power_cycle();
      std::cout << "vfido: power cycle (SIGUSR1)" << std::endl;
      await_power_cycle();
    });
  };
  await_power_cycle();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&key, &power](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    key->log().write(LogLevel::kInfo, "signal " + std::to_string(signal_number) + ", stopping");
    power.cancel();
    key->shutdown();  // closes the transports (removing the socket file); run() then returns
  });

  if (!attach_socket_transports(*key, o.transports, "vfido serve")) return 1;
  std::cout << std::flush;

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
  CLI::App* cmd = app.add_subcommand(
      "serve", "Run a virtual key on UDP and/or a Unix socket until SIGINT/SIGTERM (SIGUSR1: power cycle)");
  add_socket_transport_options(cmd, o->transports);
  cmd->add_option("--presence", o->presence, "How the simulated user answers a touch request")
      ->check(CLI::IsMember({"approve", "deny"}))
      ->capture_default_str();
  add_profile_options(cmd, o->profile);
  cmd->add_option("--reset-window-ms", o->reset_window_ms,
                  "How long after power-up (or SIGUSR1) authenticatorReset is allowed; 0 = always (default: the profile's, 10000)");
  cmd->add_flag("-v,--verbose", o->verbose, "Log every request and error to stderr");
  add_store_flags(cmd, o->store, kAllStoreFlags, false);
  cmd->callback([o, exit_code] { *exit_code = run_serve(*o); });
}

}  // namespace vfido::cli
