// `vfido probe`: CTAPHID transport conformance checks (tools/host/ctaphid_probe.h) against a FIDO
// HID device — vfido's or a hardware key — or against vfido's socket transports.
//
//   vfido probe [DEVICE] [--ping-size N] [--msg-timeout-wait MS]
//
// DEVICE is a hidraw node (/dev/hidraw3, opened with hidapi), unix:PATH or udp:HOST:PORT (vfido's
// socket transports). Without DEVICE every HID device with the FIDO usage page (0xF1D0) is
// probed. Prints a table per device; exit status 0 when every check passed, 1 when one failed
// or no device could be probed, 2 on a usage error.
#include <iostream>
#include <memory>
#include <string>

#include "tools/host/ctaphid_probe.h"
#include "tools/host/hid_channel.h"
#include "tools/host/report_channel.h"
#include "tools/vfido/commands.h"

namespace vfido::cli {
namespace {

struct ProbeCliOptions {
  std::string device;
  std::uint16_t udp_reply_port = 7112;
  host::ProbeOptions probe;
};

// Opens DEVICE; on failure prints why and returns null.
std::unique_ptr<host::ReportChannel> open_device(const ProbeCliOptions& o) {
  const std::string& d = o.device;
  if (d.rfind("unix:", 0) == 0) {
    auto ch = host::open_unix_channel(d.substr(5));
    if (!ch) std::cerr << "vfido probe: cannot connect to " << d << '\n';
    return ch;
  }
  if (d.rfind("udp:", 0) == 0) {
    const std::string rest = d.substr(4);
    const auto colon = rest.rfind(':');
    int port = colon == std::string::npos ? -1 : std::atoi(rest.c_str() + colon + 1);
    if (port <= 0 || port > 65535) {
      std::cerr << "vfido probe: " << d << ": expected udp:HOST:PORT\n";
      return nullptr;
    }
    auto ch = host::open_udp_channel(rest.substr(0, colon), static_cast<std::uint16_t>(port), o.udp_reply_port);
    if (!ch) std::cerr << "vfido probe: cannot set up " << d << " (reply port " << o.udp_reply_port << " in use?)\n";
    return ch;
  }
  auto ch = host::open_hid_channel(d);
  if (!ch) {
    std::cerr << "vfido probe: " << ch.error() << '\n';
    return nullptr;
  }
  return std::move(*ch);
}

bool probe_one(host::ReportChannel& channel, const std::string& heading, const host::ProbeOptions& options) {
  std::cout << "probing " << heading << '\n' << std::flush;
  auto checks = host::run_probe(channel, options);
  std::cout << host::format_probe_table(checks);
  const bool ok = host::all_passed(checks);
  std::cout << (ok ? "all checks passed" : "FAILED") << "\n" << std::flush;
  return ok;
}

int run_probe_cli(const ProbeCliOptions& o) {
  if (!o.device.empty()) {
    auto ch = open_device(o);
    if (!ch) return 1;
    return probe_one(*ch, ch->description(), o.probe) ? 0 : 1;
  }
  auto devices = host::enumerate_fido_devices();
  if (devices.empty()) {
    std::cerr << "vfido probe: no FIDO HID device (usage page 0xF1D0) found; is `vfido up` running, and may you "
                 "open /dev/hidraw*? (udev/README.md)\n";
    return 1;
  }
  bool ok = true;
  for (const auto& d : devices) {
    char ids[16];
    std::snprintf(ids, sizeof(ids), "%04x:%04x", d.vendor_id, d.product_id);
    auto ch = host::open_hid_channel(d.path);
    if (!ch) {
      std::cerr << "vfido probe: " << ch.error() << '\n';
      ok = false;
      continue;
    }
    ok = probe_one(**ch, d.path + " (" + ids + " " + d.manufacturer + " " + d.product + ")", o.probe) && ok;
  }
  return ok ? 0 : 1;
}

}  // namespace

void add_probe(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ProbeCliOptions>();
  CLI::App* cmd = app.add_subcommand("probe", "Check a FIDO HID device's CTAPHID transport (any key, or vfido's)");
  cmd->add_option("device", o->device,
                  "/dev/hidrawN, unix:PATH or udp:HOST:PORT; default: every FIDO HID device");
  cmd->add_option("--ping-size", o->probe.ping_size, "Bytes in the large PING (at most 7609)")
      ->check(CLI::Range(1, 7609))
      ->capture_default_str();
  cmd->add_option("--msg-timeout-wait", o->probe.msg_timeout_wait_ms,
                  "Milliseconds to wait for ERR_MSG_TIMEOUT")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--udp-reply-port", o->udp_reply_port, "Local UDP port the key sends to (udp: devices)")
      ->capture_default_str();
  cmd->callback([o, exit_code] { *exit_code = run_probe_cli(*o); });
}

}  // namespace vfido::cli
