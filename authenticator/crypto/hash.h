// SHA-256, HMAC-SHA-256 and HKDF-SHA-256 (RFC 6234, RFC 2104, RFC 5869) on OpenSSL 3.
#pragma once

#include "authenticator/bytes.h"
#include "authenticator/crypto/secret.h"

namespace vfido::crypto {

inline constexpr std::size_t kSha256Len = 32;
using Sha256Digest = ByteArray<kSha256Len>;

Sha256Digest sha256(ByteSpan data);
Sha256Digest hmac_sha256(ByteSpan key, ByteSpan data);
// RFC 5869 extract-then-expand; `length` at most 255 * 32.
SecretBytes hkdf_sha256(ByteSpan salt, ByteSpan ikm, ByteSpan info, std::size_t length);

// Constant-time comparison; false when lengths differ.
bool equal_ct(ByteSpan a, ByteSpan b);

}  // namespace vfido::crypto
