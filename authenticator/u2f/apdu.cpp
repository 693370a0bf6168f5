#include "authenticator/u2f/apdu.h"

namespace vfido::u2f {

std::optional<CommandApdu> parse_apdu(ByteSpan apdu) {
  ByteReader r(apdu);
  CommandApdu c;
  auto cla = r.u8();
  auto in = r.u8();
  auto p1 = r.u8();
  auto p2 = r.u8();
  if (!cla || !in || !p1 || !p2) return std::nullopt;  // fewer than 4 header bytes
  c.cla = *cla;
  c.ins = *in;
  c.p1 = *p1;
  c.p2 = *p2;
  const std::size_t rest = r.remaining();
  if (rest == 0) return c;  // case 1: no data, no Le
  ByteSpan body = r.rest();
  if (body[0] == 0x00 && body.size() >= 3) {
    // Extended length: 00 Lc_hi Lc_lo, then Lc bytes of data, then an optional 2-byte Le.
    const std::size_t lc = (static_cast<std::size_t>(body[1]) << 8) | body[2];
    const std::size_t after = body.size() - 3;
    if (lc == 0 && after == 0) return c;  // extended case 2 with Le only ("00 Le_hi Le_lo")
    if (after != lc && after != lc + 2) return std::nullopt;
    c.data.assign(body.begin() + 3, body.begin() + 3 + static_cast<std::ptrdiff_t>(lc));
    return c;
  }
  if (body.size() == 1) return c;  // short case 2: Le only
  // Short case 3/4: Lc (1..255), data, optional Le.
  const std::size_t lc = body[0];
  if (lc == 0 || (body.size() != 1 + lc && body.size() != 2 + lc)) return std::nullopt;
  c.data.assign(body.begin() + 1, body.begin() + 1 + static_cast<std::ptrdiff_t>(lc));
  return c;
}

Bytes response(ByteSpan data, StatusWord sw) {
  ByteWriter w(data.size() + 2);
  w.bytes(data).u16be(static_cast<std::uint16_t>(sw));
  return std::move(w).take();
}

Bytes response(StatusWord sw) { return response({}, sw); }

}  // namespace vfido::u2f
