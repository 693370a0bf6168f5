#include "transports/hybrid/crypter.h"

namespace vfido::cable {

Bytes pad_message(ByteSpan plaintext) {
  // §8.1: L = roundup(len + 1, 32); the last byte is the number of zero bytes before it.
  const std::size_t padded = (plaintext.size() + 1 + kPaddingGranularity - 1) / kPaddingGranularity *
                             kPaddingGranularity;
  const std::size_t zeros = padded - plaintext.size() - 1;
  Bytes out;
  out.reserve(padded);
  out.insert(out.end(), plaintext.begin(), plaintext.end());
  out.insert(out.end(), zeros, 0);
  out.push_back(static_cast<std::uint8_t>(zeros));
  return out;
}

CableResult<crypto::SecretBytes> unpad_message(ByteSpan padded) {
  if (padded.empty()) return cable_fail(CableError::kBadMessage);
  // §8.1: require N + 1 <= length; the zeros themselves are not checked (as Chromium).
  const std::size_t drop = static_cast<std::size_t>(padded.back()) + 1;
  if (drop > padded.size()) return cable_fail(CableError::kBadMessage);
  // An empty message after unpadding is an error.
  if (drop == padded.size()) return cable_fail(CableError::kBadMessage);
  return crypto::SecretBytes(padded.first(padded.size() - drop));
}

CableResult<Bytes> Crypter::encrypt(ByteSpan plaintext) {
  // The receiver refuses an empty message (§8.1), so none is sent.
  if (plaintext.empty()) return cable_fail(CableError::kBadMessage);
  if (write_.nonce() > kMaxSequence) return cable_fail(CableError::kSequenceExhausted);
  return write_.encrypt_with_ad({}, pad_message(plaintext));
}

CableResult<crypto::SecretBytes> Crypter::decrypt(ByteSpan ciphertext) {
  if (read_.nonce() > kMaxSequence) return cable_fail(CableError::kSequenceExhausted);
  auto padded = read_.decrypt_with_ad({}, ciphertext);
  if (!padded) return cable_fail(padded.error());
  return unpad_message(padded->expose());
}

}  // namespace vfido::cable
