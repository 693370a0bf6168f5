// scrypt (RFC 7914) on OpenSSL 3's EVP_KDF "SCRYPT": derives a key from a passphrase for the
// persistent stores (credstore/sqlite), which encrypt private keys at rest under it.
#pragma once

#include <cstdint>

#include "authenticator/bytes.h"
#include "authenticator/crypto/secret.h"

namespace vfido::crypto {

// RFC 7914 §2 parameters: N (CPU/memory cost, a power of two > 1), r (block size), p
// (parallelism). The defaults cost 32 MiB and about 0.1 s: twice the N that RFC 7914 §2 cites
// for interactive logins on 2009 hardware (N = 2^14, r = 8, p = 1).
struct ScryptParams {
  std::uint64_t n = std::uint64_t{1} << 15;
  std::uint32_t r = 8;
  std::uint32_t p = 1;

  // Bounds that keep a derivation below 1 GiB of memory and a few seconds: N a power of two in
  // 2^1..2^20, r in 1..32, p in 1..16, 128*N*r <= 1 GiB. Parameters read from a file are
  // checked with this before use.
  bool plausible() const;
};

// RFC 7914 §6 scrypt(P, S, N, r, p, dkLen). kInvalidParameter when the parameters are not
// plausible(), kOther when OpenSSL fails (out of memory).
Result<SecretBytes> scrypt(ByteSpan passphrase, ByteSpan salt, const ScryptParams& params, std::size_t length);

}  // namespace vfido::crypto
