// CTAPHID packets: the 64-byte initialization and continuation packets of CTAP 2.1 §11.2.4
// "Message and packet structure". Parsing and building go only through ByteReader/ByteWriter.
#pragma once

#include <array>
#include <cstdint>
#include <variant>

#include "authenticator/bytes.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/result.h"

namespace vfido::transport::ctaphid {

// One HID report as it travels on the interrupt endpoints: 64 bytes, no report ID (§11.2.8.2).
using Report = std::array<std::uint8_t, vfido::ctaphid::kReportLen>;

// §11.2.4 initialization packet: CID(4) || CMD|0x80 (1) || BCNTH || BCNTL || DATA(57).
struct InitPacket {
  std::uint32_t cid = 0;
  std::uint8_t cmd = 0;    // the command code WITHOUT the TYPE_INIT bit
  std::uint16_t bcnt = 0;  // declared payload length of the whole message
  ByteArray<vfido::ctaphid::kInitDataLen> data{};
};

// §11.2.4 continuation packet: CID(4) || SEQ (0..0x7F) || DATA(59).
struct ContPacket {
  std::uint32_t cid = 0;
  std::uint8_t seq = 0;
  ByteArray<vfido::ctaphid::kContDataLen> data{};
};

using Packet = std::variant<InitPacket, ContPacket>;

// Parses one host report. Bytes past 64 are ignored; a short report is padded with zeros as long
// as its header is complete (7 bytes for an init packet, 5 for a continuation); otherwise the
// report cannot be interpreted and the result is kInvalidLength (the caller drops it).
Result<Packet> parse_packet(ByteSpan report);

std::uint32_t packet_cid(const Packet& packet);

// Builders for device → host packets, padded with zeros (§11.2.4). `cmd` is given without the
// TYPE_INIT bit. Data longer than the packet's data field, a command with bit 7 set or a SEQ
// above 0x7F are kInvalidLength / kInvalidParameter / kInvalidSeq.
Result<Report> build_init_packet(std::uint32_t cid, std::uint8_t cmd, std::uint16_t bcnt, ByteSpan data);
Result<Report> build_cont_packet(std::uint32_t cid, std::uint8_t seq, ByteSpan data);

}  // namespace vfido::transport::ctaphid
