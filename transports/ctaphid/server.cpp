#include "transports/ctaphid/server.h"

#include <utility>

namespace vfido::transport::ctaphid {

namespace hid = vfido::ctaphid;
using hid::Command;
using hid::Error;

namespace {

constexpr std::uint8_t code(Command c) { return static_cast<std::uint8_t>(c); }

// How many random CIDs to draw before falling back to counting (only a broken Rng collides).
constexpr int kRandomCidAttempts = 16;

}  // namespace

Server::Server(Device& device, vfido::Clock& clock, vfido::Rng& rng, Sink sink, Options options)
    : device_(device),
      clock_(clock),
      rng_(rng),
      sink_(std::move(sink)),
      options_(options),
      assembler_(clock, options.transaction_timeout_ms),
      self_(std::make_shared<Server*>(this)) {}

std::size_t Server::channel_count() const { return channels_.size(); }

void Server::feed(ByteSpan report) {
  // §11.2.4: a report too short to hold a packet header cannot be interpreted; drop it.
  auto packet = parse_packet(report);
  if (!packet) return;
  // Timers first, so that a late packet meets the state the timeouts left (§11.2.5.2, §11.2.6).
  expire_lock();
  expire_transaction();
  if (const auto* init = std::get_if<InitPacket>(&*packet)) {
    on_init_packet(*init);
    return;
  }
  // §11.2.5.4: continuation packets only continue the reassembly in progress on their own
  // channel; any other continuation is ignored by the assembler.
  on_assembly(assembler_.feed(*packet));
}

void Server::tick() {
  // A pending request may end here (user-presence timeout), which frees the device.
  device_.poll();
  expire_lock();
  expire_transaction();
  send_keepalives();
}

void Server::on_init_packet(const InitPacket& init) {
  const std::uint32_t cid = init.cid;
  // §11.2.9.1.3: INIT is valid on the broadcast CID and on allocated CIDs, and is handled at once
  // even while another channel is busy: it never needs the device.
  if (init.cmd == code(Command::kInit)) {
    on_init(init);
    return;
  }
  // §11.2.3: the broadcast CID carries only INIT, and CID 0 is reserved.
  if (cid == hid::kBroadcastCid || cid == hid::kReservedCid) {
    send_error(cid, Error::kInvalidChannel);
    return;
  }
  // §11.2.3: a CID must have been handed out by INIT.
  if (!allocated(cid)) {
    send_error(cid, Error::kInvalidChannel);
    return;
  }
  touch(cid);
  // §11.2.9.1.5: CANCEL may arrive mid-transaction; the transaction rules do not apply to it.
  if (init.cmd == code(Command::kCancel)) {
    on_cancel(cid);
    return;
  }
  // §11.2.9.2.2: while a channel holds the lock, the others get ERR_CHANNEL_BUSY.
  if (locked_by_other(cid)) {
    send_error(cid, Error::kChannelBusy);
    return;
  }
  // §11.2.5.1: one transaction at a time. It holds the device from its first packet until the
  // last packet of its response; other channels get ERR_CHANNEL_BUSY at once. A new request on
  // the channel whose request the device is still working on is refused the same way.
  if (pending_) {
    send_error(cid, Error::kChannelBusy);
    return;
  }
  // Busy reassembly: another CID gets ERR_CHANNEL_BUSY, the same CID ERR_INVALID_SEQ (§11.2.5.4).
  on_assembly(assembler_.feed(Packet{init}));
}

void Server::on_init(const InitPacket& init) {
  const std::uint32_t cid = init.cid;
  // §11.2.3: CID 0 is reserved; a non-broadcast CID must be allocated.
  if (cid == hid::kReservedCid || (cid != hid::kBroadcastCid && !allocated(cid))) {
    send_error(cid, Error::kInvalidChannel);
    return;
  }
  // §11.2.9.1.3: the request is an 8-byte nonce.
  if (init.bcnt != hid::kInitNonceLen) {
    send_error(cid, Error::kInvalidLen);
    return;
  }
  std::uint32_t reply_cid = cid;
  if (cid == hid::kBroadcastCid) {
    // §11.2.9.1.3: INIT on broadcast allocates a new, unique channel.
    reply_cid = allocate_cid();
  } else {
    // §11.2.5.3: INIT on an allocated channel resynchronises it: its transaction is aborted.
    resync(cid);
    touch(cid);
  }
  // §11.2.9.1.3 response: nonce(8) || CID(4) || protocol version || major || minor || build ||
  // capabilities. It goes on the CID the INIT came on (the broadcast CID for a new channel).
  ByteWriter w(hid::kInitResponseLen);
  w.bytes(ByteSpan(init.data).first(hid::kInitNonceLen));
  w.u32be(reply_cid);
  w.u8(hid::kProtocolVersion);
  w.u8(options_.version_major).u8(options_.version_minor).u8(options_.version_build);
  w.u8(capabilities());
  send(cid, code(Command::kInit), w.view());
}

void Server::on_cancel(std::uint32_t cid) {
  // §11.2.9.1.5: CANCEL is never answered. A pending request on the same channel is cancelled;
  // the device then answers it (CTAP2_ERR_KEEPALIVE_CANCEL) through its reply callback.
  if (pending_ && pending_->cid == cid) {
    device_.cancel();
    return;
  }
  // Our choice: a CANCEL in the middle of that channel's own request message abandons the
  // reassembly (the host gave up on the request), silently as well.
  if (assembler_.active() && assembler_.cid() == cid) {
    assembler_.reset();
    return;
  }
  // §11.2.9.1.5: a CANCEL with nothing to cancel, or from another channel, is ignored.
}

void Server::on_assembly(AssemblyResult result) {
  if (!result) {
    send_error(result.error().cid, result.error().error);
    return;
  }
  if (*result) dispatch(std::move(**result));
}

void Server::dispatch(Message message) {
  const std::uint32_t cid = message.cid;
  switch (message.cmd) {
    case code(Command::kPing):
      // §11.2.9.1.4: PING echoes its payload.
      send(cid, code(Command::kPing), message.payload);
      return;
    case code(Command::kMsg):
      // §11.2.9.1.1: MSG only on devices with CTAP1/U2F (no CAPABILITY_NMSG).
      if (!device_.supports_msg()) {
        send_error(cid, Error::kInvalidCmd);
        return;
      }
      start_device_request(message);
      return;
    case code(Command::kCbor):
      // §11.2.9.1.2: the payload starts with the CTAP2 command byte, so it cannot be empty.
      if (message.payload.empty()) {
        send_error(cid, Error::kInvalidLen);
        return;
      }
      start_device_request(message);
      return;
    case code(Command::kWink):
      // §11.2.9.2.1: WINK only with CAPABILITY_WINK; the response is empty.
      if (!device_.supports_wink()) {
        send_error(cid, Error::kInvalidCmd);
        return;
      }
      device_.wink();
      send(cid, code(Command::kWink), {});
      return;
    case code(Command::kLock):
      on_lock(message);
      return;
    default:
      // §11.2.9.3 vendor commands (none implemented), KEEPALIVE/ERROR (device → host only) and
      // unknown codes: ERR_INVALID_CMD (§11.2.9.1.6).
      send_error(cid, Error::kInvalidCmd);
      return;
  }
}

void Server::on_lock(const Message& message) {
  const std::uint32_t cid = message.cid;
  // §11.2.9.2.2: the payload is one byte, the lock time in seconds.
  if (message.payload.size() != 1) {
    send_error(cid, Error::kInvalidLen);
    return;
  }
  const std::uint8_t seconds = message.payload[0];
  // §11.2.9.2.2: at most 10 seconds.
  if (seconds > hid::kMaxLockSeconds) {
    send_error(cid, Error::kInvalidPar);
    return;
  }
  if (seconds == 0) {
    // §11.2.9.2.2: 0 releases the lock (only this channel can hold it here; others got BUSY).
    lock_cid_.reset();
  } else {
    // §11.2.9.2.2: lock (or re-lock with a new time) for this channel only.
    lock_cid_ = cid;
    lock_until_ms_ = clock_.now_ms() + std::uint64_t{seconds} * 1000;
  }
  send(cid, code(Command::kLock), {});
}

void Server::start_device_request(const Message& message) {
  // §11.2.5.1: the channel holds the device until the response is sent; meanwhile KEEPALIVEs
  // go out (§11.2.9.1.7). The pending record exists before the call, so a reply delivered from
  // inside the call is matched like any other.
  const std::uint64_t id = next_request_id_++;
  pending_ = Pending{message.cid, message.cmd, id, clock_.now_ms() + options_.keepalive_interval_ms, 0};
  std::weak_ptr<Server*> weak = self_;
  Device::Reply later = [weak, id](Bytes response) {
    if (auto self = weak.lock()) (*self)->complete(id, std::move(response));
  };
  std::optional<Bytes> now = message.cmd == code(Command::kCbor) ? device_.cbor(message.payload, std::move(later))
                                                                   : device_.msg(message.payload, std::move(later));
  if (now) {
    complete(id, std::move(*now));
    return;
  }
  if (pending_ && pending_->id == id) pending_->status = keepalive_status();
}

void Server::complete(std::uint64_t id, Bytes response) {
  // A reply for a request that was aborted (resync), or a second reply, is dropped.
  if (!pending_ || pending_->id != id) return;
  const Pending done = *pending_;
  pending_.reset();
  // §11.2.9.1.1 / §11.2.9.1.2: the response uses the request's command.
  send(done.cid, done.cmd, response);
}

void Server::resync(std::uint32_t cid) {
  // §11.2.5.3: drop the channel's transaction, buffers and state.
  if (assembler_.active() && assembler_.cid() == cid) assembler_.reset();
  if (pending_ && pending_->cid == cid) {
    // Forget the request first: the device's KEEPALIVE_CANCEL reply (possibly delivered from
    // inside cancel()) must not reach the resynchronised channel.
    pending_.reset();
    device_.cancel();
  }
  // Our choice: the lock is part of the channel's state and is released too.
  if (lock_cid_ == cid) lock_cid_.reset();
}

std::optional<std::uint32_t> Server::busy_cid() const {
  if (pending_) return pending_->cid;
  if (assembler_.active()) return assembler_.cid();
  return std::nullopt;
}

bool Server::locked_by_other(std::uint32_t cid) const { return lock_cid_ && *lock_cid_ != cid; }

void Server::expire_lock() {
  // §11.2.9.2.2: the lock ends by itself when its time runs out.
  if (lock_cid_ && clock_.now_ms() >= lock_until_ms_) lock_cid_.reset();
}

void Server::expire_transaction() {
  // §11.2.5.2: a message that stalls between packets is aborted; the device tells the stalled
  // channel with ERR_MSG_TIMEOUT and becomes free.
  if (auto cid = assembler_.expire()) send_error(*cid, Error::kMsgTimeout);
}

void Server::send_keepalives() {
  if (!pending_) return;
  // §11.2.9.1.7: every keepalive_interval_ms while the request is pending, and at once when
  // the status changes.
  const std::uint64_t now = clock_.now_ms();
  const std::uint8_t status = keepalive_status();
  if (status == pending_->status && now < pending_->next_keepalive_ms) return;
  pending_->status = status;
  pending_->next_keepalive_ms = now + options_.keepalive_interval_ms;
  const std::uint8_t payload[] = {status};
  send(pending_->cid, code(Command::kKeepalive), payload);
}

bool Server::allocated(std::uint32_t cid) const { return channels_.contains(cid); }

void Server::touch(std::uint32_t cid) {
  auto it = channels_.find(cid);
  if (it != channels_.end()) it->second = ++use_counter_;
}

std::uint32_t Server::allocate_cid() {
  if (channels_.size() >= kMaxChannels) evict_one();
  // §11.2.3: allocation is vendor-defined. Ours: random CIDs from the Rng, redrawn while they
  // hit 0 (reserved), 0xFFFFFFFF (broadcast) or a CID in use; should the Rng keep colliding,
  // count upwards to the next free value instead.
  auto usable = [this](std::uint32_t c) {
    return c != hid::kReservedCid && c != hid::kBroadcastCid && !allocated(c);
  };
  std::uint32_t cid = hid::kReservedCid;
  for (int attempt = 0; attempt < kRandomCidAttempts && !usable(cid); ++attempt) {
    ByteArray<4> raw{};
    rng_.fill(raw);
    ByteReader reader(raw);
    cid = reader.u32be().value_or(hid::kReservedCid);
  }
  while (!usable(cid)) cid = ++fallback_cid_;  // at most kMaxChannels + 2 values are unusable
  channels_[cid] = ++use_counter_;
  return cid;
}

void Server::evict_one() {
  // The least recently used channel that neither holds the device nor the lock.
  const auto busy = busy_cid();
  auto victim = channels_.end();
  for (auto it = channels_.begin(); it != channels_.end(); ++it) {
    if (it->first == busy || it->first == lock_cid_) continue;
    if (victim == channels_.end() || it->second < victim->second) victim = it;
  }
  if (victim != channels_.end()) channels_.erase(victim);
}

std::uint8_t Server::capabilities() const {
  // §11.2.9.1.3 capability flags.
  std::uint8_t caps = hid::kCapCbor;
  if (device_.supports_wink()) caps |= hid::kCapWink;
  if (!device_.supports_msg()) caps |= hid::kCapNmsg;
  return caps;
}

std::uint8_t Server::keepalive_status() const {
  // §11.2.9.1.7: UPNEEDED while the device waits for the user, PROCESSING otherwise.
  return device_.waiting_for_user() ? hid::kKeepaliveUpNeeded : hid::kKeepaliveProcessing;
}

void Server::send(std::uint32_t cid, std::uint8_t cmd, ByteSpan payload) {
  auto reports = split_message(cid, cmd, payload);
  if (!reports) {
    // Only a device response over 7609 bytes gets here (§11.2.4): report an internal error.
    send_error(cid, Error::kOther);
    return;
  }
  for (const Report& report : *reports) sink_(report);
}

void Server::send_error(std::uint32_t cid, Error error) {
  // §11.2.9.1.6: CTAPHID_ERROR with a one-byte code, on the offending channel.
  const std::uint8_t payload[] = {static_cast<std::uint8_t>(error)};
  send(cid, code(Command::kError), payload);
}

}  // namespace vfido::transport::ctaphid
