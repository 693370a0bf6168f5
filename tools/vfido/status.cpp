// `vfido status`: is the key of `vfido up` running, and where can hosts find it.
//
//   vfido status [--instance NAME]
//
// Prints the pid, the device name, VID:PID and serial, its /dev/hidrawN (looked up under /sys
// now, so it is current) and the other transports. Exit status: 0 running, 3 not running (the
// LSB convention for "program is not running").
#include <iostream>
#include <memory>
#include <string>

#include "tools/host/daemon_instance.h"
#include "tools/vfido/commands.h"

namespace vfido::cli {
namespace {

constexpr int kNotRunning = 3;

int run_status(const std::string& instance) {
  const std::string dir = host::runtime_dir();
  host::InstanceStatus s = host::query_instance(dir, instance);
  if (!s.running) {
    std::cout << "key \"" << instance << "\": not running\n";
    return kNotRunning;
  }
  auto field = [&s](const std::string& key) {
    auto it = s.state.find(key);
    return it == s.state.end() ? std::string() : it->second;
  };
  std::cout << "key \"" << instance << "\": running (pid " << s.pid << ")\n";
  if (!field("started").empty()) std::cout << "  since:    " << field("started") << '\n';
  if (field("uhid") == "yes") {
    std::cout << "  device:   \"" << field("name") << "\" " << field("vendor_id") << ':' << field("product_id")
              << " serial " << field("serial") << '\n';
    std::string node;
    auto vid = parse_hex16(field("vendor_id"));
    auto pid = parse_hex16(field("product_id"));
    if (vid && pid) {
      if (auto found = host::find_hidraw("/sys", *vid, *pid, field("serial"))) node = "/dev/" + *found;
    }
    std::cout << "  hidraw:   " << (node.empty() ? "(not found under /sys)" : node) << '\n';
  } else {
    std::cout << "  device:   none (--no-uhid)\n";
  }
  if (!field("udp").empty()) std::cout << "  udp:      " << field("udp") << '\n';
  if (!field("unix").empty()) std::cout << "  unix:     " << field("unix") << '\n';
  if (!field("profile").empty()) std::cout << "  profile:  " << field("profile") << '\n';
  if (!field("presence").empty()) {
    std::cout << "  presence: " << field("presence") << (field("uv").empty() ? "" : ", user verification " + field("uv"))
              << '\n';
  }
  if (!field("store").empty()) std::cout << "  store:    " << field("store") << '\n';
  if (!field("control").empty()) std::cout << "  control:  " << field("control") << " (vfido ctl)\n";
  std::cout << "  files:    " << dir << '/' << instance << ".{pid,state,ctl}\n";
  return 0;
}

}  // namespace

void add_status(CLI::App& app, int* exit_code) {
  auto instance = std::make_shared<std::string>("default");
  CLI::App* cmd = app.add_subcommand("status", "Show whether the key of `vfido up` runs, and its hidraw node");
  add_instance_option(cmd, *instance);
  cmd->callback([instance, exit_code] { *exit_code = run_status(*instance); });
}

}  // namespace vfido::cli
