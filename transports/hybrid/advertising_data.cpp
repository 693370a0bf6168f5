#include "transports/hybrid/advertising_data.h"

#include <algorithm>

namespace vfido::cable {
namespace {

// Bluetooth Assigned Numbers, Common Data Types.
constexpr std::uint8_t kAdFlags = 0x01;
constexpr std::uint8_t kAdComplete16BitUuids = 0x03;
constexpr std::uint8_t kAdServiceData16 = 0x16;
// LE General Discoverable Mode | BR/EDR Not Supported.
constexpr std::uint8_t kFlagsValue = 0x06;

void put_le16(ByteWriter& w, std::uint16_t v) {
  w.u8(static_cast<std::uint8_t>(v)).u8(static_cast<std::uint8_t>(v >> 8));
}

}  // namespace

Bytes encode_advertising_data(const Advert& advert, std::uint16_t uuid) {
  ByteWriter w(kMaxLegacyAdvertisingData);
  w.u8(2).u8(kAdFlags).u8(kFlagsValue);
  w.u8(3).u8(kAdComplete16BitUuids);
  put_le16(w, uuid);
  w.u8(static_cast<std::uint8_t>(1 + 2 + kAdvertLen)).u8(kAdServiceData16);
  put_le16(w, uuid);
  w.bytes(advert);
  return std::move(w).take();
}

CableResult<Advert> find_cable_advert(ByteSpan data) {
  ByteReader r(data);
  while (r.remaining() > 0) {
    const auto len = r.u8();
    if (!len) return cable_fail(CableError::kBadAdvert);
    // Core Vol 3 Part C §11: a zero length ends the significant part; the rest is padding.
    if (*len == 0) break;
    auto structure = r.take(*len);
    if (!structure) return cable_fail(CableError::kBadAdvert);
    const ByteSpan s = *structure;
    if (s[0] != kAdServiceData16 || s.size() < 3 + kAdvertLen) continue;
    const auto uuid = static_cast<std::uint16_t>(s[1] | (s[2] << 8));
    if (uuid != kFidoServiceUuid && uuid != kGoogleCableServiceUuid) continue;
    Advert advert{};
    std::copy_n(s.begin() + 3, kAdvertLen, advert.begin());
    return advert;
  }
  return cable_fail(CableError::kBadAdvert);
}

}  // namespace vfido::cable
