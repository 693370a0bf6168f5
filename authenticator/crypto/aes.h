// AES-256 in the two modes CTAP needs: CBC without padding (PIN/UV auth protocols, CTAP 2.1
// §6.5.6 and §6.5.7) and GCM (credential wrapping, caBLE). Keys are 32 bytes.
#pragma once

#include "authenticator/bytes.h"
#include "authenticator/crypto/secret.h"

namespace vfido::crypto {

inline constexpr std::size_t kAesKeyLen = 32;
inline constexpr std::size_t kAesBlockLen = 16;
inline constexpr std::size_t kGcmNonceLen = 12;
inline constexpr std::size_t kGcmTagLen = 16;

// CBC, no padding: the input length must be a multiple of 16 (kInvalidLength otherwise), the
// key 32 bytes and the IV 16 bytes (kInvalidParameter otherwise).
Result<Bytes> aes256_cbc_encrypt(ByteSpan key, ByteSpan iv, ByteSpan plaintext);
Result<SecretBytes> aes256_cbc_decrypt(ByteSpan key, ByteSpan iv, ByteSpan ciphertext);

// GCM: returns ciphertext || 16-byte tag. open() fails with kIntegrityFailure when the tag,
// nonce, AAD or ciphertext do not match.
Result<Bytes> aes256_gcm_seal(ByteSpan key, ByteSpan nonce, ByteSpan plaintext, ByteSpan aad);
Result<SecretBytes> aes256_gcm_open(ByteSpan key, ByteSpan nonce, ByteSpan sealed, ByteSpan aad);

}  // namespace vfido::crypto
