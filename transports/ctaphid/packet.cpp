#include "transports/ctaphid/packet.h"

#include <algorithm>

namespace vfido::transport::ctaphid {

namespace hid = vfido::ctaphid;

namespace {

// Copies the rest of `reader` (at most N bytes) into a zero-filled array.
template <std::size_t N>
ByteArray<N> take_padded(ByteReader& reader) {
  ByteArray<N> out{};
  ByteSpan rest = reader.rest();
  std::copy_n(rest.begin(), std::min(rest.size(), N), out.begin());
  return out;
}

Report to_report(const ByteWriter& writer) {
  Report report{};
  const Bytes& bytes = writer.view();
  std::copy_n(bytes.begin(), std::min(bytes.size(), report.size()), report.begin());
  return report;
}

}  // namespace

Result<Packet> parse_packet(ByteSpan report) {
  // §11.2.4: a packet is exactly HID_RPT_SIZE bytes; anything past it is not part of the packet.
  ByteReader reader(report.first(std::min(report.size(), hid::kReportLen)));
  auto cid = reader.u32be();
  if (!cid) return fail(cid.error());
  auto type = reader.u8();
  if (!type) return fail(type.error());
  if ((*type & hid::kInitBit) != 0) {
    // §11.2.4 initialization packet.
    InitPacket init;
    init.cid = *cid;
    init.cmd = static_cast<std::uint8_t>(*type & ~hid::kInitBit);
    auto bcnt = reader.u16be();
    if (!bcnt) return fail(bcnt.error());
    init.bcnt = *bcnt;
    init.data = take_padded<hid::kInitDataLen>(reader);
    return Packet{init};
  }
  // §11.2.4 continuation packet.
  ContPacket cont;
  cont.cid = *cid;
  cont.seq = *type;
  cont.data = take_padded<hid::kContDataLen>(reader);
  return Packet{cont};
}

std::uint32_t packet_cid(const Packet& packet) {
  return std::visit([](const auto& p) { return p.cid; }, packet);
}

Result<Report> build_init_packet(std::uint32_t cid, std::uint8_t cmd, std::uint16_t bcnt, ByteSpan data) {
  if ((cmd & hid::kInitBit) != 0) return fail(CtapStatus::kInvalidParameter);
  if (data.size() > hid::kInitDataLen) return fail(CtapStatus::kInvalidLength);
  ByteWriter w(hid::kReportLen);
  // §11.2.4: CID || CMD with TYPE_INIT || BCNTH || BCNTL || DATA, zero padded.
  w.u32be(cid).u8(static_cast<std::uint8_t>(cmd | hid::kInitBit)).u16be(bcnt);
  w.bytes(data).zeros(hid::kInitDataLen - data.size());
  return to_report(w);
}

Result<Report> build_cont_packet(std::uint32_t cid, std::uint8_t seq, ByteSpan data) {
  if (seq > hid::kMaxSeq) return fail(CtapStatus::kInvalidSeq);
  if (data.size() > hid::kContDataLen) return fail(CtapStatus::kInvalidLength);
  ByteWriter w(hid::kReportLen);
  // §11.2.4: CID || SEQ || DATA, zero padded.
  w.u32be(cid).u8(seq).bytes(data).zeros(hid::kContDataLen - data.size());
  return to_report(w);
}

}  // namespace vfido::transport::ctaphid
