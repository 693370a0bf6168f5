// PIN/UV auth protocols one and two (CTAP 2.1 §6.5.6, §6.5.7): the key agreement between the
// platform and the authenticator, and the encrypt/decrypt/authenticate/verify primitives keyed by
// the shared secret or by a pinUvAuthToken. Pure functions over the crypto module; the
// authenticator's own key-agreement keys live in VolatileState.
//
//                       protocol one                  protocol two
//   kdf(Z)              SHA-256(Z) (32 bytes)         HKDF(zeros32, Z, "CTAP2 HMAC key", 32) ||
//                                                     HKDF(zeros32, Z, "CTAP2 AES key", 32)
//   encrypt(key, pt)    AES-256-CBC, zero IV          random IV || AES-256-CBC(key[32..64))
//   authenticate(k, m)  LEFT(HMAC-SHA-256(k, m), 16)  HMAC-SHA-256(k[0..32), m)
#pragma once

#include <cstdint>
#include <optional>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/secret.h"

namespace vfido {
class Rng;
}

namespace vfido::pin_uv_auth {

enum class ProtocolId : std::uint8_t { kOne = 1, kTwo = 2 };

// 1 or 2; nullopt for anything else.
std::optional<ProtocolId> protocol_id(std::uint64_t value);

// The length of authenticate()'s output: 16 for protocol one, 32 for protocol two.
std::size_t auth_param_len(ProtocolId p);

// kdf(Z): 32 bytes for protocol one, 64 for protocol two.
crypto::SecretBytes kdf(ProtocolId p, ByteSpan z);

// encrypt(key, plaintext); the plaintext length must be a multiple of 16. Protocol two draws
// its IV from `rng`.
Result<Bytes> encrypt(ProtocolId p, ByteSpan key, ByteSpan plaintext, Rng& rng);
// decrypt(key, ciphertext): a length that is not a multiple of 16 (or, for protocol two, shorter
// than one IV) is kInvalidLength.
Result<crypto::SecretBytes> decrypt(ProtocolId p, ByteSpan key, ByteSpan ciphertext);

// authenticate(key, message). `key` is a shared secret or a 32-byte pinUvAuthToken.
Bytes authenticate(ProtocolId p, ByteSpan key, ByteSpan message);
// verify(key, message, signature): the signature must be exactly auth_param_len(p) bytes and
// match in constant time.
bool verify(ProtocolId p, ByteSpan key, ByteSpan message, ByteSpan signature);

// getPublicKey(): the authenticator's key-agreement key as the COSE_Key CTAP 2.1 §6.5.6
// prescribes: {1: 2 (EC2), 3: -25 (ECDH-ES+HKDF-256), -1: 1 (P-256), -2: x, -3: y}.
cbor::Value key_agreement_cose(const crypto::EcdhKey& key);

// The uncompressed point 04||x||y of a platform key-agreement COSE_Key (kty EC2, crv P-256; the
// alg label is not checked, as platforms differ). kInvalidParameter when it is not one.
Result<Bytes> cose_point(const cbor::Value& cose_key);

// decapsulate(peerCoseKey): kdf(ECDH(own, peer)). A malformed key or a point off the curve is
// kInvalidParameter (CTAP 2.1 §6.5.5.4).
Result<crypto::SecretBytes> decapsulate(ProtocolId p, const crypto::EcdhKey& own, const cbor::Value& peer_cose_key);

// The platform's side, for tests and host tools: a fresh key pair from `rng`, its COSE_Key and
// the shared secret with the authenticator's key-agreement key.
struct Encapsulation {
  cbor::Value platform_key;
  crypto::SecretBytes shared_secret;
};
Result<Encapsulation> encapsulate(ProtocolId p, const cbor::Value& authenticator_cose_key, Rng& rng);

}  // namespace vfido::pin_uv_auth
