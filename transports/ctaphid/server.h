// The CTAPHID channel state machine (CTAP 2.1 §11.2): channel allocation, the one-transaction-
// at-a-time arbitration, INIT/PING/MSG/CBOR/CANCEL/WINK/LOCK, keepalives and the framing errors.
// Sans-I/O: reports come in through feed(), go out through the Sink, and time only advances
// through the injected Clock when tick() runs. Single-threaded; the Sink must not call back into
// feed() or tick() (queue the reports instead).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "authenticator/bytes.h"
#include "authenticator/env/clock.h"
#include "authenticator/env/rng.h"
#include "transports/ctaphid/device.h"
#include "transports/ctaphid/message.h"
#include "transports/ctaphid/packet.h"

namespace vfido::transport::ctaphid {

// Server::Options. Defined outside the class because g++ does not accept a nested struct with
// default member initializers as a default argument of the enclosing class's constructor.
struct ServerOptions {
  std::uint8_t version_major = 0, version_minor = 1, version_build = 0;  // INIT response bytes 13..15
  std::uint64_t transaction_timeout_ms = 500;  // between packets of one message (ctap-reference §1.8)
  std::uint64_t keepalive_interval_ms = 100;   // §1.7
};

class Server {
 public:
  using Options = ServerOptions;
  using Sink = std::function<void(const Report&)>;  // every report the device sends goes here

  // At most this many channels are allocated at once; INIT on broadcast beyond it evicts the
  // least recently used idle channel, so a host cannot exhaust memory.
  static constexpr std::size_t kMaxChannels = 64;

  Server(Device& device, vfido::Clock& clock, vfido::Rng& rng, Sink sink, Options options = {});
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void feed(ByteSpan report);  // one output report from the host, normally 64 bytes, WITHOUT report-ID byte
  void tick();                 // call every <= 20 ms: transaction timeouts, keepalives, lock expiry, device.poll()
  std::size_t channel_count() const;

 private:
  // A CBOR or MSG request the device has not answered yet. `id` tells a late reply for this
  // request apart from one for a request that was aborted (resync).
  struct Pending {
    std::uint32_t cid = 0;
    std::uint8_t cmd = 0;
    std::uint64_t id = 0;
    std::uint64_t next_keepalive_ms = 0;
    std::uint8_t status = 0;  // last keepalive status seen
  };

  void on_init_packet(const InitPacket& init);
  void on_init(const InitPacket& init);
  void on_cancel(std::uint32_t cid);
  void on_assembly(AssemblyResult result);
  void dispatch(Message message);
  void on_lock(const Message& message);
  void start_device_request(const Message& message);
  void complete(std::uint64_t id, Bytes response);
  void resync(std::uint32_t cid);

  std::optional<std::uint32_t> busy_cid() const;  // the channel holding the device, if any
  bool locked_by_other(std::uint32_t cid) const;
  void expire_lock();
  void expire_transaction();
  void send_keepalives();

  bool allocated(std::uint32_t cid) const;
  void touch(std::uint32_t cid);
  std::uint32_t allocate_cid();
  void evict_one();
  std::uint8_t capabilities() const;
  std::uint8_t keepalive_status() const;

  void send(std::uint32_t cid, std::uint8_t cmd, ByteSpan payload);
  void send_error(std::uint32_t cid, vfido::ctaphid::Error error);

  Device& device_;
  vfido::Clock& clock_;
  vfido::Rng& rng_;
  Sink sink_;
  Options options_;
  Assembler assembler_;
  std::optional<Pending> pending_;
  std::uint64_t next_request_id_ = 1;
  std::map<std::uint32_t, std::uint64_t> channels_;  // CID → last-use stamp (for LRU eviction)
  std::uint64_t use_counter_ = 0;
  std::uint32_t fallback_cid_ = 0;  // counting allocation if the Rng keeps colliding
  std::optional<std::uint32_t> lock_cid_;
  std::uint64_t lock_until_ms_ = 0;
  // Device replies hold a weak reference, so a reply after the Server is gone does nothing.
  std::shared_ptr<Server*> self_;
};

}  // namespace vfido::transport::ctaphid
