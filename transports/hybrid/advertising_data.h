// The caBLE v2 advert as a BLE legacy advertising payload (hybrid-protocol.md §4.4; Bluetooth
// Core Supplement Part A §1.1 Flags, §1.1 Service UUID, §1.11 Service Data; Core Vol 3 Part C §11
// AD structures: length, type, data). The UDP advert channel sends exactly these bytes, so a
// BlueZ channel would hand the same parser what the radio received.
#pragma once

#include <cstdint>

#include "authenticator/bytes.h"
#include "transports/hybrid/cable_error.h"
#include "transports/hybrid/eid.h"

namespace vfido::cable {

// §4.4: the FIDO service UUID (current) and Google's (legacy; scanners accept both).
inline constexpr std::uint16_t kFidoServiceUuid = 0xFFF9;
inline constexpr std::uint16_t kGoogleCableServiceUuid = 0xFDE2;
inline constexpr std::size_t kMaxLegacyAdvertisingData = 31;

// Flags, the 16-bit service UUID list with `uuid`, and the service data (uuid, advert): 31 bytes.
Bytes encode_advertising_data(const Advert& advert, std::uint16_t uuid = kFidoServiceUuid);

// The first 20 bytes of the service data of 0xFFF9 or 0xFDE2 (longer service data may carry a
// suffix that a CTAP 2.3 draft defines; it is ignored). kBadAdvert for an AD structure that runs
// past the end, or when there is no caBLE service data. A zero length byte ends the data (what
// follows is padding).
CableResult<Advert> find_cable_advert(ByteSpan advertising_data);

}  // namespace vfido::cable
