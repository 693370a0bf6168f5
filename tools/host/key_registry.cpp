#include "tools/host/key_registry.h"

#include <algorithm>
#include <exception>
#include <utility>

#include <boost/asio/post.hpp>

namespace vfido::host {

KeyRegistry::KeyRegistry(boost::asio::io_context& io, PresenceBroker& broker, RegistryOptions options)
    : io_(io), broker_(broker), options_(std::move(options)) {}

KeyRegistry::~KeyRegistry() { shutdown(); }

tl::expected<HostedKey*, std::string> KeyRegistry::add(KeySpec spec) {
  using E = tl::unexpected<std::string>;
  if (stopped_) return E("the daemon is stopping");
  auto hosted = std::make_unique<HostedKey>();
  hosted->id = next_id();
  hosted->profile_id = spec.profile_id;

  KeyOptions k;
  k.presence = spec.presence;
  k.verification = spec.verification;
  k.broker = &broker_;
  k.key_id = hosted->id;
  k.profile = std::move(spec.profile);
  if (spec.storage != nullptr) spec.storage->attach(k);  // after the profile: IDs fit its limit
  k.verbose = options_.verbose;
  k.log = options_.log;
  k.command_bytes = options_.command_bytes;
  if (options_.on_command) {
    k.on_command = [sink = options_.on_command, id = hosted->id](const CommandRecord& r) { sink(id, r); };
  }
  try {
    hosted->key = std::make_unique<VirtualKey>(io_, std::move(k));
  } catch (const std::exception& e) {
    return E(e.what());
  }
  // Any failure below destroys the half-made key, which closes what it opened.
  VirtualKey& key = *hosted->key;
  if (spec.uhid) {
    try {
      hosted->hid = key.add_uhid(*spec.uhid, spec.uhid_fd);
    } catch (const transport::uhid::UhidUnavailable& e) {
      return E(e.what());
    } catch (const std::exception& e) {
      return E(std::string("cannot create the uhid device: ") + e.what());
    }
    hosted->uhid = spec.uhid;
    if (options_.on_uhid_lost) {
      hosted->hid->set_failure_handler([cb = options_.on_uhid_lost, id = hosted->id](const std::string& why) {
        cb(id, why);
      });
    }
  }
  for (const std::string& path : spec.unix_paths) {
    try {
      key.add_unix(path);
    } catch (const std::exception& e) {
      return E("cannot listen on unix " + path + ": " + e.what());
    }
    hosted->unix_paths.push_back(path);
  }
  if (spec.udp) {
    try {
      const std::uint16_t port = key.add_udp(*spec.udp);
      hosted->udp = spec.udp->host + ":" + std::to_string(port);
    } catch (const std::exception& e) {
      return E("cannot open udp " + spec.udp->host + ":" + std::to_string(spec.udp->port) + ": " + e.what());
    }
  }
  ++next_number_;
  if (running()) key.start();
  keys_.push_back(std::move(hosted));
  return keys_.back().get();
}

bool KeyRegistry::remove(const std::string& id) {
  auto it = std::find_if(keys_.begin(), keys_.end(), [&](const auto& k) { return k->id == id; });
  if (it == keys_.end()) return false;
  std::shared_ptr<HostedKey> gone(std::move(*it));
  keys_.erase(it);
  gone->key->shutdown();  // transports closed, uhid device destroyed, now
  // Handlers of the closed transports and the key's timer are already queued with
  // operation_aborted; the key (whose log and callbacks they may reach) outlives them.
  boost::asio::post(io_, [&io = io_, gone] { boost::asio::post(io, [gone] {}); });
  return true;
}

HostedKey* KeyRegistry::find(const std::string& id) {
  for (auto& k : keys_) {
    if (k->id == id) return k.get();
  }
  return nullptr;
}

void KeyRegistry::start() {
  if (started_) return;
  started_ = true;
  for (auto& k : keys_) k->key->start();
}

void KeyRegistry::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& k : keys_) k->key->shutdown();
}

}  // namespace vfido::host
