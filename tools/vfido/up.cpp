// `vfido up`: the daemon. One key, plugged into the running kernel as a USB FIDO security key
// through /dev/uhid, and optionally reachable on UDP and a Unix socket too (the same key: one
// core, one CTAPHID server). Runs until SIGINT, SIGTERM or SIGHUP, or `vfido down`; the uhid
// device is destroyed on every way out (and by the kernel if the process dies).
//
//   vfido up [--instance NAME] [--presence approve|deny]
//            [--vid HEX] [--pid HEX] [--name TEXT] [--serial TEXT] [--phys TEXT]
//            [--uhid-path PATH | --no-uhid] [--udp [--udp-port N ...]] [--unix PATH] [-v]
//            [--store NAME|PATH (--passphrase-file F | --key-file F) [--state NAME|PATH]]
//
// Output: a few "vfido: ..." lines on stdout once everything is up; the structured log (logfmt:
// one `event=ctap` line per CTAP command with its status and duration, `-v` adds the bytes and
// debug lines) on stderr. Exit status: 0 after a signal, 1 when the key cannot start (uhid
// unavailable, the instance already running, a transport that cannot be opened) or the uhid
// device is lost, 2 on a usage error.
//
// The work is split in phases — key options, instance lock, transports, run — so that the
// options still to come slot into one phase each: --profile fills the key options, --store
// picks the credential store (and names the lock), --control adds the control socket next to
// the other transports.
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <exception>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "tools/host/command_log.h"
#include "tools/host/daemon_instance.h"
#include "tools/host/virtual_key.h"
#include "tools/vfido/commands.h"
#include "tools/vfido/store_flags.h"

namespace vfido::cli {
namespace {

namespace uhid = transport::uhid;

struct UpOptions {
  std::string instance = "default";
  std::string presence = "approve";
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

// Phase 1: what the key is (profile, presence) and how it reports.
host::KeyOptions key_options(const UpOptions& o, host::LogfmtLog& log) {
  host::KeyOptions k;
  k.presence = o.presence == "deny" ? host::PresenceMode::kDeny : host::PresenceMode::kApprove;
  k.verbose = o.verbose;
  k.log = &log;
  k.command_bytes = o.verbose;
  k.on_command = [&log, bytes = o.verbose](const host::CommandRecord& r) {
    log.fields(LogLevel::kInfo, host::format_command(r, bytes));
  };
  return k;
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

  host::LogfmtLog log(std::cerr, o.verbose ? LogLevel::kDebug : LogLevel::kInfo);
  boost::asio::io_context io;
  // Signals first: from here on SIGINT/SIGTERM/SIGHUP end the run through shutdown(), which
  // destroys the uhid device. (Before this point a signal kills the process, and the kernel
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

  // Phase 3: the credential store (declared before the key, which it outlives), the key and
  // its transports.
  host::KeyOptions options = key_options(o, log);
  std::optional<host::KeyStorage> storage;
  if (int r = open_storage_for_key(o.store, "vfido up", storage); r != 0) return r;
  if (storage) {
    storage->attach(options);
    if (auto note = storage->profile_note(options.profile); !note.empty()) std::cerr << "vfido up: note: " << note << '\n';
  }
  std::unique_ptr<host::VirtualKey> key;
  try {
    key = std::make_unique<host::VirtualKey>(io, std::move(options));
  } catch (const std::exception& e) {
    std::cerr << "vfido up: " << e.what() << '\n';
    return 1;
  }

  int exit_code = 0;
  host::StateFields state = {{"instance", o.instance},
                             {"pid", std::to_string(::getpid())},
                             {"started", utc_time()},
                             {"presence", o.presence}};
  if (storage) state.emplace_back("store", storage->description);
  std::shared_ptr<uhid::UhidTransport> hid;
  if (!o.no_uhid) {
    try {
      hid = key->add_uhid(*uhid_opts);
    } catch (const uhid::UhidUnavailable& e) {
      std::cerr << "vfido up: " << e.what() << '\n';
      return 1;
    } catch (const std::exception& e) {
      std::cerr << "vfido up: cannot create the uhid device: " << e.what() << '\n';
      return 1;
    }
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
  if (!attach_socket_transports(*key, o.transports, "vfido up", &state)) return 1;

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
  if (hid) {
    hid->set_start_handler([&] { look_for_hidraw(40); });
    hid->set_failure_handler([&](const std::string& why) {
      std::cerr << "vfido up: the uhid device was lost: " << why << '\n';
      exit_code = 1;
      hidraw_timer.cancel();
      signals.cancel();
      key->shutdown();
    });
  }

  // Phase 4: run.
  if (auto ok = lock->write_state(state); !ok) {
    std::cerr << "vfido up: " << ok.error() << '\n';
    return 1;
  }
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    log.write(LogLevel::kInfo, "signal " + std::to_string(signal_number) + ", stopping");
    hidraw_timer.cancel();
    key->shutdown();  // UHID_DESTROY, socket files removed; run() then returns
  });
  std::cout << "vfido: key \"" << o.instance << "\" is up (pid " << ::getpid() << "); stop it with `vfido down"
            << (o.instance == "default" ? "" : " --instance " + o.instance) << "`\n"
            << std::flush;
  log.write(LogLevel::kInfo, "key \"" + o.instance + "\" up, profile \"" + key->authenticator().profile().name +
                                 "\", presence " + o.presence);
  try {
    key->run();
  } catch (const std::exception& e) {
    std::cerr << "vfido up: " << e.what() << '\n';
    exit_code = 1;
  }
  key.reset();     // every transport closed (the uhid device destroyed) before the lock goes
  lock->release();
  return exit_code;
}

}  // namespace

void add_up(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<UpOptions>();
  CLI::App* cmd = app.add_subcommand(
      "up", "Plug a virtual FIDO2 security key into this machine (uhid) and serve it until stopped");
  add_instance_option(cmd, o->instance);
  cmd->add_option("--presence", o->presence, "How the simulated user answers a touch request")
      ->check(CLI::IsMember({"approve", "deny"}))
      ->capture_default_str();
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
