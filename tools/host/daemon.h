// What a vfido daemon (`vfido up`, `vfido serve`) is made of, assembled in one place: the keys
// (KeyRegistry), the broker where prompt/api presence requests wait, the terminal prompt when a
// key asks the person at the terminal, and the control socket speaking the control API. All of
// it runs on one io_context the caller owns and runs (style.md §17).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "tools/host/control_api.h"
#include "tools/host/control_server.h"
#include "tools/host/key_registry.h"
#include "tools/host/presence_broker.h"
#include "tools/host/terminal_prompt.h"

namespace vfido::host {

struct DaemonOptions {
  DaemonInfo info;            // control API facts; info.control_path empty: no control socket
  RegistryOptions registry;   // log and callbacks for every key
  bool prompt = false;        // open the terminal prompt (some key asks in prompt mode)
  std::string prompt_path = TerminalPrompt::kControllingTerminal;
};

class Daemon {
 public:
  // Opens the terminal (when options.prompt) and the control socket (when
  // options.info.control_path is set); the error says what failed and how to fix it.
  static tl::expected<std::unique_ptr<Daemon>, std::string> create(boost::asio::io_context& io, DaemonOptions options,
                                                                   Log& log);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  KeyRegistry& keys() { return *keys_; }
  PresenceBroker& broker() { return broker_; }
  ControlApi& api() { return *api_; }
  const std::string& control_path() const { return control_path_; }
  // The control socket's server (null without one), e.g. to shorten its idle timeout in tests.
  ControlServer* control_server() { return control_.get(); }

  // Starts the keys, the prompt and the control socket. Call from the io_context thread.
  void start();
  // Closes the control socket and the prompt and shuts every key down; io_context::run() then
  // returns once the aborted operations drained (if nothing else keeps it busy). Idempotent.
  void shutdown();

 private:
  explicit Daemon(boost::asio::io_context& io, DaemonOptions options);

  boost::asio::io_context& io_;
  PresenceBroker broker_;
  std::unique_ptr<KeyRegistry> keys_;
  std::unique_ptr<ControlApi> api_;
  std::shared_ptr<TerminalPrompt> prompt_;
  std::shared_ptr<ControlServer> control_;
  std::string control_path_;
  bool stopped_ = false;
};

}  // namespace vfido::host
