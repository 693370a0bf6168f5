// @simplewebauthn/server 9.0.3 (the last release for Node 18) turns an ES256 DER signature into
// r || s by dropping a leading 0x00 without padding back to 32 bytes, so it refuses valid
// signatures whose r or s is below 2^248 (about 1 in 128). These tell which responses would hit
// that, so that the cross-checks can make them again or leave them out (and say so).
#pragma once

#include <cstdint>
#include <optional>

#include "authenticator/bytes.h"
#include "authenticator/crypto/x509.h"
#include "tools/webauthn/attestation_object.h"
#include "tools/webauthn/public_key_credential.h"

namespace vfido::test {

// Whether a DER ECDSA signature has an r or s shorter than 32 bytes.
inline bool short_ecdsa_integer(ByteSpan der) {
  // SEQUENCE { INTEGER r, INTEGER s } with short-form lengths (what P-256 signatures use).
  if (der.size() < 8 || der[0] != 0x30) return false;
  std::size_t i = 2;
  for (int k = 0; k < 2; ++k) {
    if (i + 2 > der.size() || der[i] != 0x02) return false;
    std::size_t len = der[i + 1];
    std::size_t start = i + 2;
    if (start + len > der.size()) return false;
    std::size_t value = len;
    if (len > 0 && der[start] == 0x00) --value;
    if (value < 32) return true;
    i = start + len;
  }
  return false;
}

// One DER element at `i`: its tag, the offset of its contents and their length.
struct Der {
  std::uint8_t tag = 0;
  std::size_t start = 0, len = 0;
};
inline std::optional<Der> der_at(ByteSpan b, std::size_t i) {
  if (i + 2 > b.size()) return std::nullopt;
  Der d{b[i], i + 2, b[i + 1]};
  if (b[i + 1] & 0x80) {
    const std::size_t n = b[i + 1] & 0x7F;
    if (n == 0 || n > 3 || i + 2 + n > b.size()) return std::nullopt;
    d.len = 0;
    for (std::size_t k = 0; k < n; ++k) d.len = (d.len << 8) | b[i + 2 + k];
    d.start = i + 2 + n;
  }
  if (d.start + d.len > b.size()) return std::nullopt;
  return d;
}

// Whether a certificate's ECDSA signature (Certificate ::= SEQUENCE { tbs, algorithm, BIT
// STRING }) would hit the same decoding bug when simplewebauthn validates the chain.
inline bool short_certificate_signature(const crypto::Certificate& cert) {
  const Bytes der = cert.der();
  auto outer = der_at(der, 0);
  if (!outer) return false;
  auto tbs = der_at(der, outer->start);
  if (!tbs) return false;
  auto alg = der_at(der, tbs->start + tbs->len);
  if (!alg) return false;
  auto bits = der_at(der, alg->start + alg->len);
  if (!bits || bits->tag != 0x03 || bits->len < 2) return false;
  return short_ecdsa_integer(ByteSpan(der).subspan(bits->start + 1, bits->len - 1));
}

// The ES256 signature in a registration's packed attStmt, if any.
inline bool short_attestation_signature(const webauthn::RegistrationResponse& r) {
  auto att = webauthn::parse_attestation_object(r.attestation_object);
  if (!att || att->fmt != "packed") return false;
  const cbor::Value* alg = att->att_stmt.find("alg");
  const cbor::Value* sig = att->att_stmt.find("sig");
  return alg != nullptr && alg->as_int64() == -7 && sig != nullptr && sig->is_bytes() && short_ecdsa_integer(sig->as_bytes());
}

}  // namespace vfido::test
