// A strict reader and a writer for the few DER structures (ITU-T X.690 §8, §10) the crypto module
// handles itself, without OpenSSL's generic decoders: RSAPrivateKey and RSAPublicKey (RFC 8017
// §A.1), which OpenSSL 3 needs about a hundred microseconds to decode, and the certificate
// extension values x509.cpp writes and the FIDO ones it reads. Only definite, minimal lengths and minimal INTEGERs are accepted; anything
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

// Appends a BIT STRING of named bits (bit i of `bits` is named bit i, X.680 §22.7) in DER:
// trailing zero bits removed (X.690 §11.2.2), so no bits at all is 03 01 00.
void write_named_bits(ByteWriter& out, std::uint16_t bits);

// Reads the whole of `der` as a BIT STRING of at most 16 named bits. The unused-bits count must
// be 0..7 (0 when there are no content bits) and the unused bits zero (X.690 §8.6.2, §11.2.1).
Result<std::uint16_t> read_named_bits(ByteSpan der);

}  // namespace vfido::crypto::der
