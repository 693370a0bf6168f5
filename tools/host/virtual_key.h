// A running virtual key: everything a key needs bundled in one object — the ports (steady
// clock, OpenSSL RNG, user presence as KeyOptions says, memory credential store, stderr log), the CTAP2
// core with a profile, the CTAPHID server and the transports it is reachable on (UDP, Unix
// sockets, and the kernel's uhid). Every
// report the key sends goes to every attached transport (like a HID device seen by all of its
// openers); reports from any transport go to the one CTAPHID server, which keeps channels apart.
//
// VirtualKey runs on an io_context the caller owns (one thread, style.md §17). BackgroundKey
// runs one on its own thread for in-process use (tests, `vfido demo`).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "authenticator/authenticator.h"
#include "authenticator/env/clock.h"
#include "authenticator/env/log.h"
#include "authenticator/env/rng.h"
#include "authenticator/env/user_presence.h"
#include "authenticator/profile.h"
#include "credstore/memory_state_store.h"
#include "credstore/memory_store.h"
#include "tools/host/command_log.h"
#include "tools/host/presence_broker.h"
#include "transports/ctaphid/authenticator_device.h"
#include "transports/ctaphid/server.h"
#include "transports/uhid/uhid_transport.h"
#include "transports/udp/udp_transport.h"
#include "transports/unix/unix_transport.h"

namespace vfido::host {

// Writes log lines to stderr, prefixed with "vfido: <level>:", when enabled.
class StderrLog final : public Log {
 public:
  explicit StderrLog(bool enabled) : enabled_(enabled) {}
  void write(LogLevel level, std::string_view message) override;

 private:
  bool enabled_;
};

struct KeyOptions {
  // How the simulated user answers touches, and built-in user verification (presence_broker.h).
  PresenceMode presence = PresenceMode::kApprove;
  PresenceMode verification = PresenceMode::kApprove;
  // Where prompt/api requests wait; required for those modes, must outlive the key.
  PresenceBroker* broker = nullptr;
  // The key's name in the daemon (requests in the broker carry it).
  std::string key_id = "k1";
  bool verbose = false;                        // log to stderr (otherwise the key is silent)
  AuthenticatorProfile profile;                // vfido's own device-bound key by default
  // Where the key's messages go instead of the stderr log chosen by `verbose` (the daemon's
  // structured log). Must outlive the key.
  Log* log = nullptr;
  // Called once per CTAP command served (see command_log.h); `command_bytes` also copies the
  // request and response into the record.
  CommandLoggingDevice::Sink on_command;
  bool command_bytes = false;
  // Externally owned stores that must outlive the key (see store_options.h); null: the key's
  // own memory store and memory state.
  CredentialStore* store = nullptr;
  StateStore* state = nullptr;
};

class VirtualKey {
 public:
  // Tick period of the CTAPHID server (transaction timeouts, keepalives, presence timeout);
  // Server::tick() wants <= 20 ms.
  static constexpr int kTickMs = 10;

  // Throws std::invalid_argument when options.profile fails validate().
  VirtualKey(boost::asio::io_context& io, KeyOptions options = {});
  ~VirtualKey();
  VirtualKey(const VirtualKey&) = delete;
  VirtualKey& operator=(const VirtualKey&) = delete;

  // Attach transports before run() (or from the io_context thread). Both bind at once and
  // throw boost::system::system_error on failure. add_udp returns the bound local port.
  std::uint16_t add_udp(const transport::udp::Options& options);
  void add_unix(const std::string& path);
  // Creates the HID device through /dev/uhid (options.path), or through `adopt_fd` when it is
  // >= 0 (an open uhid descriptor; tests pass a socket standing in for the kernel). Throws
  // transport::uhid::UhidUnavailable (whose message tells the fix) when the device cannot be
  // opened, boost::system::system_error when the kernel refuses it, std::invalid_argument for
  // options that do not fit. The device is created at once (UHID_CREATE2).
  std::shared_ptr<transport::uhid::UhidTransport> add_uhid(const transport::uhid::Options& options,
                                                           int adopt_fd = -1);

  // Starts the transports and the tick timer, then runs the io_context until shutdown() has
  // closed everything and the last handler has finished.
  void run();
  // Starts the transports and the tick timer without running the io_context (the caller runs it).
  void start();
  // Closes every transport (removing Unix socket files) and stops the timer; run() returns once
  // the aborted operations have drained. Call it from the io_context thread. Idempotent.
  void shutdown();

  // Unplug and plug in again (Authenticator::power_cycle()): what SIGUSR1 does to `vfido serve`
  // and the UDP reboot datagram to any key with a UDP transport. Call it from the io_context
  // thread.
  void power_cycle();

  Authenticator& authenticator() { return authenticator_; }
  // The store the core runs on (the control API lists and edits credentials through it).
  CredentialStore& store() { return *active_store_; }
  ControlledPresence& presence() { return presence_; }
  const std::vector<std::shared_ptr<transport::udp::UdpTransport>>& udp() const { return udp_; }
  const std::vector<std::shared_ptr<transport::unix_socket::UnixTransport>>& unix_sockets() const {
    return unix_;
  }
  const std::vector<std::shared_ptr<transport::uhid::UhidTransport>>& uhid() const { return uhid_; }
  Log& log() { return log_; }

 private:
  void fan_out(const transport::ctaphid::Report& report);
  void feed(ByteSpan report);
  void schedule_tick();

  boost::asio::io_context& io_;
  SteadyClock clock_;
  OpenSslRng rng_;
  ControlledPresence presence_;
  credstore::MemoryStore store_;
  credstore::MemoryStateStore state_;
  CredentialStore* active_store_;  // store_, or the external one of KeyOptions
  StderrLog stderr_log_;
  Log& log_;
  Authenticator authenticator_;
  transport::ctaphid::AuthenticatorDevice device_;
  CommandLoggingDevice logged_device_;
  transport::ctaphid::Server server_;
  boost::asio::steady_timer timer_;
  std::vector<std::shared_ptr<transport::udp::UdpTransport>> udp_;
  std::vector<std::shared_ptr<transport::unix_socket::UnixTransport>> unix_;
  std::vector<std::shared_ptr<transport::uhid::UhidTransport>> uhid_;
  bool started_ = false;
  bool stopped_ = false;
};

// A VirtualKey on its own io_context and thread, for in-process use: start() returns once the
// transports are listening; stop() (and the destructor) shut it down and join the thread.
class BackgroundKey {
 public:
  explicit BackgroundKey(KeyOptions options = {});
  ~BackgroundKey();
  BackgroundKey(const BackgroundKey&) = delete;
  BackgroundKey& operator=(const BackgroundKey&) = delete;

  // Attach before start(); same meaning as on VirtualKey.
  std::uint16_t add_udp(const transport::udp::Options& options);
  void add_unix(const std::string& path);

  void start();
  void stop();
  bool running() const { return thread_.joinable(); }

  // Only safe to touch from outside while the key is stopped (the core is single-threaded).
  VirtualKey& key() { return *key_; }

  // Runs `f(key())` on the key's own thread and waits for it (or runs it here when the key is
  // not running); for tests and tools that reach into a running key, e.g. to power-cycle it.
  void on_key(const std::function<void(VirtualKey&)>& f);

 private:
  boost::asio::io_context io_;  // declared first: outlives the key and its handlers
  std::unique_ptr<VirtualKey> key_;
  std::thread thread_;
};

}  // namespace vfido::host
