// `vfido up`: the daemon. A key plugged into the running kernel as a USB FIDO security key
// through /dev/uhid, optionally reachable on UDP and a Unix socket too (the same key: one core,
// one CTAPHID server), and the control socket through which `vfido ctl` (or any JSON client)
// adds more keys, imports and lists credentials and answers presence requests. Runs until
// SIGINT, SIGTERM or SIGHUP, or `vfido down`; every uhid device is destroyed on every way out
// (and by the kernel if the process dies).
//
//   vfido up [--instance NAME] [--profile ID|FILE] [--aaguid UUID]
//            [--presence MODE] [--uv MODE]          MODE: approve, deny, prompt, api
//            [--vid HEX] [--pid HEX] [--name TEXT] [--serial TEXT] [--phys TEXT]
//            [--uhid-path PATH | --no-uhid] [--udp [--udp-port N ...]] [--unix PATH] [-v]
//            [--store NAME|PATH (--passphrase-file F | --key-file F) [--state NAME|PATH]]
//
// Output: a few "vfido: ..." lines on stdout once everything is up; the structured log (logfmt:
// one `event=ctap` line per CTAP command with its status and duration, `-v` adds the bytes and
// debug lines) on stderr. Exit status: 0 after a signal, 1 when the key cannot start (uhid
// unavailable, the instance already running, a store that cannot be opened or is in use by
// another daemon, a transport that cannot be opened, no terminal for --presence prompt) or the
// first key's uhid device is lost, 2 on a usage error.
//
// The work is split in phases — key options, instance lock, store, daemon and first key, run.
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "tools/host/command_log.h"
#include "tools/host/daemon.h"
#include "tools/host/daemon_instance.h"
#include "tools/host/store_options.h"
#include "tools/vfido/commands.h"
#include "tools/vfido/store_flags.h"

namespace vfido::cli {
namespace {

namespace uhid = transport::uhid;

struct UpOptions {
  std::string instance = "default";
  host::ProfileChoice profile;
  PresenceOptions presence;
  std::string vid = "1209";
  std::string pid = "0001";
  std::string name = uhid::Options{}.name;
  std::string serial;  // default: vfido-<instance>
  std::string phys = uhid::Options{}.phys;
  std::string uhid_path = uhid::kDefaultPath;
  bool no_uhid = false;
  SocketTransportOptions transports;
  bool verbose = false;
  host::StoreOptions store;  // --store ... (store_flags.h); none: credentials in memory
};

std::string hex4(std::uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04x", v);
  return buf;
}

std::string utc_time() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The uhid identity from the options; nullopt (after a message) when the IDs are not hex.
std::optional<uhid::Options> uhid_options(const UpOptions& o) {
  uhid::Options u;
  auto vid = parse_hex16(o.vid);
  auto pid = parse_hex16(o.pid);
  if (!vid || !pid) {
    std::cerr << "vfido up: --vid and --pid take 1 to 4 hex digits (e.g. 1209, 0x0001)\n";
    return std::nullopt;
  }
  u.path = o.uhid_path;
  u.name = o.name;
  u.phys = o.phys;
  u.serial = o.serial.empty() ? "vfido-" + o.instance : o.serial;
  u.vendor_id = *vid;
  u.product_id = *pid;
  return u;
}

int run_up(const UpOptions& o) {
  if (!host::valid_instance_name(o.instance)) {
    std::cerr << "vfido up: --instance takes 1 to 64 letters, digits, '.', '_' or '-'\n";
    return 2;
  }
  if (o.no_uhid && !o.transports.any()) {
    std::cerr << "vfido up: --no-uhid leaves no transport; add --udp and/or --unix PATH\n";
    return 2;
  }
  std::optional<uhid::Options> uhid_opts = uhid_options(o);
  if (!uhid_opts) return 2;
  // Phase 1: what the key is.
  std::optional<profiles::Profile> profile = resolve_profile_options(o.profile, "vfido up");
  if (!profile) return 2;

  host::LogfmtLog log(std::cerr, o.verbose ? LogLevel::kDebug : LogLevel::kInfo);
  boost::asio::io_context io;
  // Signals first: from here on SIGINT/SIGTERM/SIGHUP end the run through shutdown(), which
  // destroys the uhid devices. (Before this point a signal kills the process, and the kernel
  // destroys a device whose descriptor closes, so no device is ever left behind.)
  boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);

  // Phase 2: one daemon per instance.
  const std::string dir = host::runtime_dir();
  if (auto ok = host::ensure_private_dir(dir); !ok) {
    std::cerr << "vfido up: " << ok.error() << '\n';
    return 1;
  }
  auto lock = host::InstanceLock::acquire(dir, o.instance);
  if (!lock) {
    std::cerr << "vfido up: " << lock.error() << '\n';
    return 1;
  }

  // Phase 3: the credential store (declared before the daemon, whose keys it outlives). A device
  // store is locked by the daemon that opened it: a second one is refused with the reason.
  std::optional<host::KeyStorage> storage;
  if (int r = open_storage_for_key(o.store, "vfido up", storage); r != 0) return r;
  if (storage) {
    if (auto note = storage->profile_note(profile->model); !note.empty()) std::cerr << "vfido up: note: " << note << '\n';
  }

  // Phase 4: the daemon (control socket, prompt) and its first key.
  int exit_code = 0;
  std::function<void()> stop_all;
  host::DaemonOptions d;
  d.info.instance = o.instance;
  d.info.control_path = host::control_socket_path(dir, o.instance);
  d.info.socket_dir = dir;
  if (!o.no_uhid) d.info.uhid_template = *uhid_opts;
  d.prompt = o.presence.prompts();
  d.registry.log = &log;
  d.registry.verbose = o.verbose;
  d.registry.command_bytes = o.verbose;
  d.registry.on_command = [&log, bytes = o.verbose](const std::string& key_id, const host::CommandRecord& r) {
    log.fields(LogLevel::kInfo, host::format_command(r, bytes) + " key=" + key_id);
  };
  host::Daemon* daemon_ptr = nullptr;
  d.registry.on_uhid_lost = [&](const std::string& key_id, const std::string& why) {
    if (key_id == "k1") {
      std::cerr << "vfido up: the uhid device was lost: " << why << '\n';
      exit_code = 1;
      stop_all();
      return;
    }
    log.write(LogLevel::kWarning, "key " + key_id + ": the uhid device was lost (" + why + "); removing the key");
    boost::asio::post(io, [&daemon_ptr, key_id] {
      if (daemon_ptr != nullptr) daemon_ptr->keys().remove(key_id);
    });
  };
  auto daemon = host::Daemon::create(io, std::move(d), log);
  if (!daemon) {
    std::cerr << "vfido up: " << daemon.error() << '\n';
    return 1;
  }
  daemon_ptr = daemon->get();

  host::KeySpec spec;
  spec.profile_id = profile->id;
  spec.profile = profile->model;
  spec.presence = o.presence.presence;
  spec.verification = o.presence.verification;
  if (!o.no_uhid) spec.uhid = *uhid_opts;
  if (!o.transports.unix_path.empty()) spec.unix_paths.push_back(o.transports.unix_path);
  if (o.transports.udp) spec.udp = o.transports.udp_options;
  if (storage) spec.storage = &*storage;
  auto first = (*daemon)->keys().add(std::move(spec));
  if (!first) {
    std::cerr << "vfido up: " << first.error() << '\n';
    return 1;
  }
  host::HostedKey& key = **first;

  host::StateFields state = {{"instance", o.instance},
                             {"pid", std::to_string(::getpid())},
                             {"started", utc_time()},
                             {"profile", profile->id},
                             {"presence", std::string(host::presence_mode_name(o.presence.presence))},
                             {"uv", std::string(host::presence_mode_name(o.presence.verification))},
                             {"control", (*daemon)->control_path()}};
  if (storage) state.emplace_back("store", storage->description);
  if (key.uhid) {
    state.insert(state.end(), {{"uhid", "yes"},
                               {"name", uhid_opts->name},
                               {"vendor_id", hex4(uhid_opts->vendor_id)},
                               {"product_id", hex4(uhid_opts->product_id)},
                               {"serial", uhid_opts->serial}});
    std::cout << "vfido: uhid device \"" << uhid_opts->name << "\" " << hex4(uhid_opts->vendor_id) << ':'
              << hex4(uhid_opts->product_id) << " serial " << uhid_opts->serial << '\n';
  } else {
    state.emplace_back("uhid", "no");
  }
  if (!key.udp.empty()) state.emplace_back("udp", key.udp);
  for (const std::string& path : key.unix_paths) state.emplace_back("unix", path);
  print_socket_transports(key, o.transports);
  std::cout << "vfido: control socket " << (*daemon)->control_path() << " (vfido ctl)\n";

  // The hidraw node appears shortly after UHID_START (the kernel binds hid-generic, then
  // hidraw): look for it a few times and record it for `vfido status`.
  boost::asio::steady_timer hidraw_timer(io);
  std::function<void(int)> look_for_hidraw = [&](int tries_left) {
    auto node = host::find_hidraw("/sys", uhid_opts->vendor_id, uhid_opts->product_id, uhid_opts->serial);
    if (node) {
      log.write(LogLevel::kInfo, "uhid: the key is /dev/" + *node);
      auto with_node = state;
      with_node.emplace_back("hidraw", "/dev/" + *node);
      if (auto ok = lock->write_state(with_node); !ok) log.write(LogLevel::kWarning, ok.error());
      return;
    }
    if (tries_left <= 0) {
      log.write(LogLevel::kWarning, "uhid: the device started but no hidraw node was found under /sys");
      return;
    }
    hidraw_timer.expires_after(std::chrono::milliseconds(50));
    hidraw_timer.async_wait([&, tries_left](const boost::system::error_code& ec) {
      if (!ec) look_for_hidraw(tries_left - 1);
    });
  };
  if (key.hid) key.hid->set_start_handler([&] { look_for_hidraw(40); });

  // Phase 5: run.
  if (auto ok = lock->write_state(state); !ok) {
    std::cerr << "vfido up: " << ok.error() << '\n';
    return 1;
  }
  stop_all = [&] {
    hidraw_timer.cancel();
    signals.cancel();
    (*daemon)->shutdown();  // UHID_DESTROY, socket files removed; run() then returns
  };
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    log.write(LogLevel::kInfo, "signal " + std::to_string(signal_number) + ", stopping");
    stop_all();
  });
  std::cout << "vfido: key \"" << o.instance << "\" is up (pid " << ::getpid() << "); stop it with `vfido down"
            << (o.instance == "default" ? "" : " --instance " + o.instance) << "`\n"
            << std::flush;
  log.write(LogLevel::kInfo, "key \"" + o.instance + "\" up, profile \"" + profile->id + "\", presence " +
                                 std::string(host::presence_mode_name(o.presence.presence)) + ", uv " +
                                 std::string(host::presence_mode_name(o.presence.verification)));
  (*daemon)->start();
  try {
    io.run();
  } catch (const std::exception& e) {
    std::cerr << "vfido up: " << e.what() << '\n';
    exit_code = 1;
  }
  daemon->reset();  // every transport closed (the uhid devices destroyed) before the lock goes
  lock->release();
  return exit_code;
}

}  // namespace

void add_up(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<UpOptions>();
  CLI::App* cmd = app.add_subcommand(
      "up", "Plug a virtual FIDO2 security key into this machine (uhid) and serve it until stopped");
  add_instance_option(cmd, o->instance);
  add_profile_options(cmd, o->profile);
  add_presence_options(cmd, o->presence);
  cmd->add_option("--vid", o->vid, "USB vendor ID the device announces (hex)")->capture_default_str();
  cmd->add_option("--pid", o->pid, "USB product ID the device announces (hex)")->capture_default_str();
  cmd->add_option("--name", o->name, "Device name hosts show (HID_NAME)")->capture_default_str();
  cmd->add_option("--serial", o->serial, "Serial number (HID_UNIQ); default vfido-<instance>");
  cmd->add_option("--phys", o->phys, "Physical path string (HID_PHYS)")->capture_default_str();
  cmd->add_option("--uhid-path", o->uhid_path, "The uhid character device")->capture_default_str();
  cmd->add_flag("--no-uhid", o->no_uhid, "Do not create a HID device; serve only --udp/--unix");
  add_socket_transport_options(cmd, o->transports);  // the same key, also on UDP and/or a Unix socket
  cmd->add_flag("-v,--verbose", o->verbose, "Log debug lines and the bytes of every CTAP request and response");
  add_store_flags(cmd, o->store, kAllStoreFlags, false);
  cmd->callback([o, exit_code] { *exit_code = run_up(*o); });
}

}  // namespace vfido::cli
