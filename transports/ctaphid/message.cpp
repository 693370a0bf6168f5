#include "transports/ctaphid/message.h"

#include <algorithm>
#include <utility>

namespace vfido::transport::ctaphid {

namespace hid = vfido::ctaphid;

Result<std::vector<Report>> split_message(std::uint32_t cid, std::uint8_t cmd, ByteSpan payload) {
  // §11.2.4: at most 57 + 128 * 59 = 7609 bytes fit in one init and 128 continuation packets.
  if (payload.size() > hid::kMaxMessageLen) return fail(CtapStatus::kInvalidLength);
  std::vector<Report> reports;
  reports.reserve(1 + (payload.size() + hid::kContDataLen - 1) / hid::kContDataLen);
  ByteReader reader(payload);
  auto first = reader.take(std::min(reader.remaining(), hid::kInitDataLen));
  if (!first) return fail(first.error());
  auto init = build_init_packet(cid, cmd, static_cast<std::uint16_t>(payload.size()), *first);
  if (!init) return fail(init.error());
  reports.push_back(*init);
  // §11.2.4: continuation packets count SEQ up from 0.
  for (std::uint8_t seq = 0; reader.remaining() > 0; ++seq) {
    auto chunk = reader.take(std::min(reader.remaining(), hid::kContDataLen));
    if (!chunk) return fail(chunk.error());
    auto cont = build_cont_packet(cid, seq, *chunk);
    if (!cont) return fail(cont.error());
    reports.push_back(*cont);
  }
  return reports;
}

AssemblyResult Assembler::feed(const Packet& packet) {
  if (const auto* init = std::get_if<InitPacket>(&packet)) return feed_init(*init);
  return feed_cont(std::get<ContPacket>(packet));
}

AssemblyResult Assembler::feed_init(const InitPacket& init) {
  if (active_) {
    // §11.2.5.1: while one channel's transaction is in progress, others get ERR_CHANNEL_BUSY and
    // the transaction in progress is not disturbed.
    if (init.cid != cid_) return tl::unexpected(AssemblyError{init.cid, hid::Error::kChannelBusy});
    // §11.2.5.4: an init packet where a continuation was expected on the same channel is a
    // sequencing error; the reassembly is dropped so the channel is usable again.
    reset();
    return tl::unexpected(AssemblyError{init.cid, hid::Error::kInvalidSeq});
  }
  // §11.2.4: BCNT larger than the biggest message the packets can carry.
  if (init.bcnt > hid::kMaxMessageLen) return tl::unexpected(AssemblyError{init.cid, hid::Error::kInvalidLen});
  cid_ = init.cid;
  cmd_ = init.cmd;
  expected_len_ = init.bcnt;
  next_seq_ = 0;
  buffer_.clear();
  buffer_.reserve(expected_len_);
  const std::size_t n = std::min(expected_len_, init.data.size());
  buffer_.insert(buffer_.end(), init.data.begin(), init.data.begin() + static_cast<std::ptrdiff_t>(n));
  if (buffer_.size() == expected_len_) return finish();
  active_ = true;
  last_packet_ms_ = clock_.now_ms();
  return std::optional<Message>{};
}

AssemblyResult Assembler::feed_cont(const ContPacket& cont) {
  // §11.2.5.4: a continuation packet with no initialization packet before it (on its channel) is
  // ignored.
  if (!active_ || cont.cid != cid_) return std::optional<Message>{};
  // §11.2.5.4: continuation packets come in SEQ order 0, 1, ...; a gap or repeat is
  // ERR_INVALID_SEQ and the reassembly is abandoned.
  if (cont.seq != next_seq_) {
    const std::uint32_t cid = cid_;
    reset();
    return tl::unexpected(AssemblyError{cid, hid::Error::kInvalidSeq});
  }
  ++next_seq_;
  last_packet_ms_ = clock_.now_ms();
  const std::size_t n = std::min(expected_len_ - buffer_.size(), cont.data.size());
  buffer_.insert(buffer_.end(), cont.data.begin(), cont.data.begin() + static_cast<std::ptrdiff_t>(n));
  if (buffer_.size() == expected_len_) return finish();
  return std::optional<Message>{};
}

Message Assembler::finish() {
  Message message{cid_, cmd_, std::move(buffer_)};
  reset();
  return message;
}

std::optional<std::uint32_t> Assembler::expire() {
  if (!active_) return std::nullopt;
  // §11.2.5.2: a transaction that stalls between packets is aborted (ctap-reference §1.8: we
  // allow timeout_ms between packets).
  const std::uint64_t now = clock_.now_ms();
  if (now <= last_packet_ms_ || now - last_packet_ms_ <= timeout_ms_) return std::nullopt;
  const std::uint32_t cid = cid_;
  reset();
  return cid;
}

void Assembler::reset() {
  active_ = false;
  cid_ = 0;
  cmd_ = 0;
  expected_len_ = 0;
  next_seq_ = 0;
  buffer_ = Bytes();
}

}  // namespace vfido::transport::ctaphid
