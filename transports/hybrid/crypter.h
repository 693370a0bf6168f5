// The post-handshake channel of caBLE v2 (hybrid-protocol.md §8.1): each direction is a Noise
// CipherState (AES-256-GCM, empty AD, nonce = 8 zero bytes || BE32(counter)) over plaintexts
// padded to a multiple of 32 bytes. A message that was tampered with, replayed, reordered or
// dropped makes the next decryption fail: the receiver's counter only moves on success.
#pragma once

#include <cstdint>

#include "authenticator/bytes.h"
#include "authenticator/crypto/secret.h"
#include "transports/hybrid/cable_error.h"
#include "transports/hybrid/noise.h"

namespace vfido::cable {

// §8.1: padding granularity, and Chromium's limit on the counter.
inline constexpr std::size_t kPaddingGranularity = 32;
inline constexpr std::uint32_t kMaxSequence = (1U << 24) - 1;

// §8.1 padding: plaintext || zeros || one byte counting the zeros, to a multiple of 32 bytes.
Bytes pad_message(ByteSpan plaintext);
// The inverse; kBadMessage when the count byte claims more than there is, or nothing is left.
CableResult<crypto::SecretBytes> unpad_message(ByteSpan padded);

class Crypter {
 public:
  Crypter(CipherState read, CipherState write) : read_(std::move(read)), write_(std::move(write)) {}

  // Pads and encrypts; kSequenceExhausted after kMaxSequence messages, kBadMessage for an empty
  // plaintext (which the receiver would refuse).
  CableResult<Bytes> encrypt(ByteSpan plaintext);
  // Decrypts and unpads: kDecryptFailed when the tag does not verify at the expected counter,
  // kBadMessage when the padding is malformed, kSequenceExhausted past kMaxSequence.
  CableResult<crypto::SecretBytes> decrypt(ByteSpan ciphertext);

  std::uint64_t read_count() const { return read_.nonce(); }
  std::uint64_t write_count() const { return write_.nonce(); }

 private:
  CipherState read_;
  CipherState write_;
};

}  // namespace vfido::cable
