// Credential public keys as COSE_Key (RFC 9052 §7; WebAuthn L3 §6.5.1.1): reading the map an
// authenticator returns in attested credential data, checking it is a key WebAuthn clients and
// relying parties can use (ES256 on P-256, EdDSA on Ed25519, RS256), and converting it to the
// SubjectPublicKeyInfo DER that AuthenticatorAttestationResponse.getPublicKey() returns
// (WebAuthn L3 §5.2.1.1).
#pragma once

#include <cstdint>
#include <string>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"

namespace vfido::webauthn {

struct CoseKey {
  std::int64_t alg = 0;  // COSE algorithm: -7 ES256, -8 EdDSA, -257 RS256
  std::int64_t kty = 0;  // 1 OKP, 2 EC2, 3 RSA
  cbor::Value cose;      // the map as received
  Bytes spki_der;        // the same key as an X.509 SubjectPublicKeyInfo (RFC 5280 §4.1.2.7)
};

// Checks kty/alg/crv agree and the key material is well formed: EC2 P-256 with 32-byte x and y
// on the curve, OKP Ed25519 with a 32-byte x, RSA with n of 2048..4096 bits and an odd e. The
// error says what is wrong ("EC2 key: y is 31 bytes, expected 32").
tl::expected<CoseKey, std::string> parse_cose_key(const cbor::Value& cose);

// "ES256 (-7)", "EdDSA (-8)", "RS256 (-257)", "ES384 (-35)" or "COSE -N".
std::string cose_alg_name(std::int64_t alg);

}  // namespace vfido::webauthn
