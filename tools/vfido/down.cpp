// `vfido down`: stops the daemon `vfido up` started (SIGTERM) and waits until it has exited, so
// the uhid device is gone when this returns.
//
//   vfido down [--instance NAME] [--timeout SECONDS]
//
// Exit status: 0 when the key stopped or was not running, 1 when it could not be stopped.
#include <iostream>
#include <memory>
#include <string>

#include "tools/host/daemon_instance.h"
#include "tools/vfido/commands.h"

namespace vfido::cli {
namespace {

struct DownOptions {
  std::string instance = "default";
  double timeout_s = 10;
};

int run_down(const DownOptions& o) {
  auto stopped = host::stop_instance(host::runtime_dir(), o.instance, static_cast<int>(o.timeout_s * 1000));
  if (!stopped) {
    std::cerr << "vfido down: " << stopped.error() << '\n';
    return 1;
  }
  std::cout << "vfido: key \"" << o.instance << "\" " << (*stopped ? "stopped" : "was not running") << '\n';
  return 0;
}

}  // namespace

void add_down(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<DownOptions>();
  CLI::App* cmd = app.add_subcommand("down", "Stop the key `vfido up` started and wait until its device is gone");
  add_instance_option(cmd, o->instance);
  cmd->add_option("--timeout", o->timeout_s, "Seconds to wait for the daemon to exit")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([o, exit_code] { *exit_code = run_down(*o); });
}

}  // namespace vfido::cli
