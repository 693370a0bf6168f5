// CTAPHID messages (CTAP 2.1 §11.2.4): splitting a message into packets, and the assembler that
// puts host packets back together while enforcing the packet-sequencing (§11.2.5.4) and
// transaction-timeout (§11.2.5.2) rules on the injected Clock. Sans-I/O: no sockets, no threads.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/env/clock.h"
#include "authenticator/result.h"
#include "transports/ctaphid/packet.h"

namespace vfido::transport::ctaphid {

// A whole CTAPHID message: channel, command (without the TYPE_INIT bit) and payload.
struct Message {
  std::uint32_t cid = 0;
  std::uint8_t cmd = 0;
  Bytes payload;
};

// §11.2.4: one initialization packet carrying the first 57 bytes, then continuation packets
// SEQ 0, 1, ... carrying 59 bytes each; the last packet is padded with zeros. A payload over
// 7609 bytes cannot be framed and is kInvalidLength.
Result<std::vector<Report>> split_message(std::uint32_t cid, std::uint8_t cmd, ByteSpan payload);

// The CTAPHID_ERROR that a packet earned, and the channel it goes to.
struct AssemblyError {
  std::uint32_t cid = 0;
  vfido::ctaphid::Error error = vfido::ctaphid::Error::kOther;
};

// A complete message, nothing yet (in progress, or a packet that is silently ignored), or an
// error to report.
using AssemblyResult = tl::expected<std::optional<Message>, AssemblyError>;

// Reassembles one message at a time: the device serves one transaction at a time (§11.2.5.1),
// so there is never more than one reassembly in flight. Channel allocation and the
// INIT/CANCEL/LOCK rules belong to the Server, which routes packets here.
class Assembler {
 public:
  Assembler(const Clock& clock, std::uint64_t timeout_ms) : clock_(clock), timeout_ms_(timeout_ms) {}

  // Feeds one packet. Callers run expire() first so that a stalled reassembly is reported before
  // a late packet is looked at.
  AssemblyResult feed(const Packet& packet);

  bool active() const { return active_; }
  std::uint32_t cid() const { return cid_; }  // meaningful only while active()

  // §11.2.5.2: when more than timeout_ms passed since the last packet of the reassembly in
  // progress, drops it and returns its CID (which gets ERR_MSG_TIMEOUT). Exactly timeout_ms is
  // still in time.
  std::optional<std::uint32_t> expire();

  // Drops the reassembly in progress, if any (resync, cancel).
  void reset();

 private:
  AssemblyResult feed_init(const InitPacket& init);
  AssemblyResult feed_cont(const ContPacket& cont);
  Message finish();

  const Clock& clock_;
  std::uint64_t timeout_ms_;
  bool active_ = false;
  std::uint32_t cid_ = 0;
  std::uint8_t cmd_ = 0;
  std::size_t expected_len_ = 0;
  std::uint8_t next_seq_ = 0;
  std::uint64_t last_packet_ms_ = 0;
  Bytes buffer_;
};

}  // namespace vfido::transport::ctaphid
