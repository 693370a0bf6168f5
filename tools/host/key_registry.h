// The keys one daemon hosts (`vfido up`, the control API's addVirtualAuthenticator and
// removeVirtualAuthenticator): each a VirtualKey with its own id ("k1", "k2", ...), model
// (profile), presence modes and transports — its own uhid device, and/or Unix and UDP sockets —
// all on the daemon's one io_context, sharing one PresenceBroker for prompt/api requests.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "authenticator/profile.h"
#include "tools/host/command_log.h"
#include "tools/host/presence_broker.h"
#include "tools/host/store_options.h"
#include "tools/host/virtual_key.h"

namespace vfido::host {

// What one key is made of.
struct KeySpec {
  std::string profile_id = "vfido";  // where the model came from (a profile id or file), for listings
  AuthenticatorProfile profile;
  PresenceMode presence = PresenceMode::kApprove;
  PresenceMode verification = PresenceMode::kApprove;
  std::optional<transport::uhid::Options> uhid;  // a HID device through /dev/uhid
  int uhid_fd = -1;                              // tests: a descriptor standing in for /dev/uhid
  std::vector<std::string> unix_paths;           // Unix sockets serving the same key
  std::optional<transport::udp::Options> udp;    // UDP (the simulator protocol)
  // Persistent stores (store_options.h; must outlive the key); null: the key's memory store.
  KeyStorage* storage = nullptr;
};

struct HostedKey {
  std::string id;
  std::string profile_id;
  std::unique_ptr<VirtualKey> key;
  std::optional<transport::uhid::Options> uhid;  // the device's identity, when it has one
  std::shared_ptr<transport::uhid::UhidTransport> hid;
  std::vector<std::string> unix_paths;
  std::string udp;  // "host:port" bound, when it has UDP
};

struct RegistryOptions {
  Log* log = nullptr;  // the daemon's log; null: each key logs to stderr when verbose
  bool verbose = false;
  // One call per CTAP command a key served (command_log.h), with the key's id.
  std::function<void(const std::string& key_id, const CommandRecord&)> on_command;
  bool command_bytes = false;
  // A key's uhid device failed (the kernel closed it): the key still exists; the callback
  // decides (the daemon stops when its first key loses its device, and removes others).
  std::function<void(const std::string& key_id, const std::string& why)> on_uhid_lost;
};

class KeyRegistry {
 public:
  KeyRegistry(boost::asio::io_context& io, PresenceBroker& broker, RegistryOptions options = {});
  ~KeyRegistry();
  KeyRegistry(const KeyRegistry&) = delete;
  KeyRegistry& operator=(const KeyRegistry&) = delete;

  // Makes a key with the next id, creates its uhid device and binds its sockets, and starts it
  // when the registry runs. On failure nothing is left behind and the error says why (an invalid
  // profile, /dev/uhid unusable and how to fix it, a socket path in use...).
  tl::expected<HostedKey*, std::string> add(KeySpec spec);
  // Shuts the key down: its uhid device is destroyed and its socket files removed at once, a
  // request of it waiting for the user is withdrawn; the object goes once its handlers drained.
  // False when there is no such key.
  bool remove(const std::string& id);
  HostedKey* find(const std::string& id);
  // The id the next add() will give ("k1", "k2", ...; never reused).
  std::string next_id() const { return "k" + std::to_string(next_number_); }
  const std::vector<std::unique_ptr<HostedKey>>& keys() const { return keys_; }

  // Starts every key (later ones start as they are added). Call from the io_context thread.
  void start();
  // Shuts every key down. Idempotent.
  void shutdown();
  bool running() const { return started_ && !stopped_; }

  PresenceBroker& broker() { return broker_; }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context& io_;
  PresenceBroker& broker_;
  RegistryOptions options_;
  std::vector<std::unique_ptr<HostedKey>> keys_;
  std::uint64_t next_number_ = 1;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace vfido::host
