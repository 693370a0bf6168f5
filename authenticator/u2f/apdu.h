// ISO 7816-4 command and response APDUs as U2F carries them over CTAPHID_MSG (FIDO U2F Raw
// Message Formats §3; CTAP 2.1 §11.2.9.1.1; ctap-reference §11.1). Both encodings are accepted:
//   extended: CLA INS P1 P2 00 Lc_hi Lc_lo <data> [Le_hi Le_lo]   (libfido2, python-fido2)
//   short:    CLA INS P1 P2 [Lc <data>] [Le]
// A response is <data> || SW1 SW2.
#pragma once

#include <cstdint>
#include <optional>

#include "authenticator/bytes.h"

namespace vfido::u2f {

// ISO 7816-4 status words U2F uses (U2F Raw Message Formats §3.3; ctap-reference §11.2).
enum class StatusWord : std::uint16_t {
  kNoError = 0x9000,
  kConditionsNotSatisfied = 0x6985,  // user presence needed (also: check-only with a good handle)
  kCommandNotAllowed = 0x6986,       // U2F is off (alwaysUv)
  kWrongData = 0x6A80,               // bad key handle, or a bad P1
  kWrongLength = 0x6700,
  kClaNotSupported = 0x6E00,
  kInsNotSupported = 0x6D00,
};

// U2F instructions (U2F Raw Message Formats §4-§6).
namespace ins {
inline constexpr std::uint8_t kRegister = 0x01;
inline constexpr std::uint8_t kAuthenticate = 0x02;
inline constexpr std::uint8_t kVersion = 0x03;
}  // namespace ins

struct CommandApdu {
  std::uint8_t cla = 0;
  std::uint8_t ins = 0;
  std::uint8_t p1 = 0;
  std::uint8_t p2 = 0;
  Bytes data;
};

// Parses an APDU; nullopt when the lengths do not add up (answered SW_WRONG_LENGTH).
std::optional<CommandApdu> parse_apdu(ByteSpan apdu);

// <data> || SW.
Bytes response(ByteSpan data, StatusWord sw);
Bytes response(StatusWord sw);

}  // namespace vfido::u2f
