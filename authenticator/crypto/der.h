// A strict reader and a writer for the few DER structures (ITU-T X.690 §8, §10) the crypto module
// handles itself, without OpenSSL's generic decoders: RSAPrivateKey and RSAPublicKey (RFC 8017
// §A.1), which OpenSSL 3 needs about a hundred microseconds to decode, and the FIDO certificate
// extension values. Only definite, minimal lengths and minimal INTEGERs are accepted; anything
// else is kInvalidParameter.
#pragma once

#include <cstdint>

#include "authenticator/bytes.h"

namespace vfido::crypto::der {

// X.690 §8.1.2 universal tags (primitive, or constructed for SEQUENCE).
inline constexpr std::uint8_t kTagInteger = 0x02;
inline constexpr std::uint8_t kTagBitString = 0x03;
inline constexpr std::uint8_t kTagOctetString = 0x04;
inline constexpr std::uint8_t kTagSequence = 0x30;

// Reads one TLV whose tag is `tag` and returns its contents. X.690 §10.1: the definite form with
// the fewest length octets; lengths beyond 2^32 - 1 are refused.
Result<ByteSpan> read_tlv(ByteReader& in, std::uint8_t tag);

// Reads a non-negative INTEGER (X.690 §8.3) and returns its magnitude, big-endian, without the
// sign octet (empty for 0). A negative or non-minimally encoded INTEGER is refused.
Result<ByteSpan> read_unsigned_integer(ByteReader& in);

// Reads the whole of `der` as one TLV with `tag`; trailing bytes are refused.
Result<ByteSpan> read_single(ByteSpan der, std::uint8_t tag);

// Appends tag || length || contents.
void write_tlv(ByteWriter& out, std::uint8_t tag, ByteSpan contents);

// Appends the INTEGER whose big-endian magnitude is `magnitude` (leading zero octets are
// dropped; a sign octet is added when the top bit is set).
void write_unsigned_integer(ByteWriter& out, ByteSpan magnitude);

}  // namespace vfido::crypto::der
