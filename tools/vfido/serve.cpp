// `vfido serve`: runs a virtual key on the socket transports until SIGINT or SIGTERM.
//
//   vfido serve --udp [--udp-host 127.0.0.1 --udp-port 8111 --udp-peer-port 7112]
//               [--unix PATH] [--presence MODE] [--uv MODE] [--control PATH]
//               [--profile ID|FILE] [--aaguid UUID] [--attestation none|self|packed]
//               [--reset-window-ms N] [--verbose]
//               [--store NAME|PATH (--passphrase-file F | --key-file F) [--state NAME|PATH]]
//
// MODE is approve, deny, prompt (asked on the terminal) or api (answered through the control
// API, which then needs --control PATH: the socket `vfido ctl --socket PATH` talks to).
// Without --store the key keeps its credentials in memory; with it, in a device store (made
// when missing) or a synced vault (store_flags.h). Prints a line naming the store, then one line
// per transport on stdout once it listens (test harnesses wait for it), then serves; exits 0
// after a signal, 1 when the store, a transport or the terminal cannot be opened, 2 on a usage
// error. SIGUSR1 power-cycles the key (VirtualKey::power_cycle(): tokens, key agreement and the
// PIN mismatch count are dropped, the reset window starts again) and prints
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

#include "tools/host/daemon.h"
#include "tools/host/store_options.h"
#include "tools/vfido/commands.h"
#include "tools/vfido/store_flags.h"

namespace vfido::cli {
namespace {

struct ServeOptions {
  SocketTransportOptions transports;
  PresenceOptions presence;
  host::ProfileChoice profile;
  std::string control;
  std::optional<std::uint64_t> reset_window_ms;  // overrides the profile's when set
  bool verbose = false;
  host::StoreOptions store;
};

int run_serve(const ServeOptions& o) {
  if (!o.transports.any()) {
    std::cerr << "vfido serve: no transport chosen; give --udp and/or --unix PATH\n";
    return 2;
  }
  if (o.presence.uses_api() && o.control.empty()) {
    std::cerr << "vfido serve: presence mode api needs a control socket: add --control PATH\n";
    return 2;
  }
  auto profile = resolve_profile_options(o.profile, "vfido serve");
  if (!profile) return 2;
  if (o.reset_window_ms) profile->model.reset_window_ms = *o.reset_window_ms;

  // Declared before the daemon: the stores outlive its keys.
  std::optional<host::KeyStorage> storage;
  if (int r = open_storage_for_key(o.store, "vfido serve", storage); r != 0) return r;
  if (storage) {
    if (auto note = storage->profile_note(profile->model); !note.empty()) std::cerr << "vfido serve: note: " << note << '\n';
  }

  boost::asio::io_context io;
  host::StderrLog log(o.verbose);
  host::DaemonOptions d;
  d.info.control_path = o.control;
  d.prompt = o.presence.prompts();
  d.registry.verbose = o.verbose;
  d.registry.log = &log;
  auto daemon = host::Daemon::create(io, std::move(d), log);
  if (!daemon) {
    std::cerr << "vfido serve: " << daemon.error() << '\n';
    return 1;
  }
  host::KeySpec spec;
  spec.profile_id = profile->id;
  spec.profile = profile->model;
  spec.presence = o.presence.presence;
  spec.verification = o.presence.verification;
  if (o.transports.udp) spec.udp = o.transports.udp_options;
  if (!o.transports.unix_path.empty()) spec.unix_paths.push_back(o.transports.unix_path);
  if (storage) spec.storage = &*storage;
  auto added = (*daemon)->keys().add(std::move(spec));
  if (!added) {
    std::cerr << "vfido serve: " << added.error() << '\n';
    return 1;
  }
  host::VirtualKey& key = *(*added)->key;

  // The signals are caught before the listening lines go out, so that a harness may signal as
  // soon as it sees them. SIGUSR1: unplug and plug in again, as often as it comes.
  boost::asio::signal_set power(io, SIGUSR1);
  std::function<void()> await_power_cycle = [&] {
    power.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      key.power_cycle();
      std::cout << "vfido: power cycle (SIGUSR1)" << std::endl;
      await_power_cycle();
    });
  };
  await_power_cycle();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    key.log().write(LogLevel::kInfo, "signal " + std::to_string(signal_number) + ", stopping");
    power.cancel();
    (*daemon)->shutdown();  // closes the transports (removing the socket files); run() then returns
  });

  print_socket_transports(**added, o.transports);
  if (!o.control.empty()) std::cout << "vfido: control socket " << o.control << '\n';
  std::cout << std::flush;
  (*daemon)->start();
  try {
    io.run();
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
  add_presence_options(cmd, o->presence);
  cmd->add_option("--control", o->control, "Listen for the control API (vfido ctl --socket PATH) on this Unix socket");
  add_profile_options(cmd, o->profile);
  cmd->add_option("--reset-window-ms", o->reset_window_ms,
                  "How long after power-up (or SIGUSR1) authenticatorReset is allowed; 0 = always (default: the profile's, 10000)");
  cmd->add_flag("-v,--verbose", o->verbose, "Log every request and error to stderr");
  add_store_flags(cmd, o->store, kAllStoreFlags, false);
  cmd->callback([o, exit_code] { *exit_code = run_serve(*o); });
}

}  // namespace vfido::cli
