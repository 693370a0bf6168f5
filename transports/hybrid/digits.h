// The digit encoding of caBLE v2 QR codes (hybrid-protocol.md §3.2): bytes become decimal digits
// so that a QR code can use its compact numeric mode. Every 7-byte chunk, read as a
// little-endian integer, is written as exactly 17 digits; a final chunk of n = 1..6 bytes as
// 3, 5, 8, 10, 13 or 15 digits.
#pragma once

#include <string>
#include <string_view>

#include "authenticator/bytes.h"
#include "transports/hybrid/cable_error.h"

namespace vfido::cable {

std::string bytes_to_digits(ByteSpan bytes);

// Strict inverse of bytes_to_digits: only ASCII digits; the tail after the 17-digit groups must
// have one of the six partial lengths (or be empty); a group whose value does not fit its byte
// count ("999" for one byte) is refused. Errors are kBadQrUrl.
CableResult<Bytes> digits_to_bytes(std::string_view digits);

}  // namespace vfido::cable
