// AES-256 in the modes vfido needs: CBC without padding (PIN/UV auth protocols, CTAP 2.1
// §6.5.6 and §6.5.7), GCM (credential wrapping, caBLE) and the bare block cipher (the caBLE v2
// BLE advert encrypts exactly one block). Keys are 32 bytes.
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

// One AES-256 block (FIPS 197 §5.1 / §5.3, no mode, no padding): `block` must be 16 bytes and
// the key 32 (kInvalidParameter otherwise).
Result<ByteArray<kAesBlockLen>> aes256_encrypt_block(ByteSpan key, ByteSpan block);
Result<ByteArray<kAesBlockLen>> aes256_decrypt_block(ByteSpan key, ByteSpan block);

}  // namespace vfido::crypto
