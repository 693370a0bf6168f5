// Credential key pairs (ES256 = ECDSA P-256 with SHA-256, EdDSA = Ed25519) and P-256 ECDH, on
// OpenSSL 3 EVP. Private keys are created from the Rng port so that a seeded test environment
// produces the same keys every run; signatures use OpenSSL's own randomness.
#pragma once

#include <cstdint>
#include <memory>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"
#include "authenticator/crypto/secret.h"

namespace vfido {
class Rng;
}

namespace vfido::crypto {

struct PkeyDeleter {
  void operator()(void* pkey) const;  // EVP_PKEY_free
};

// A private key for one COSE algorithm. Move-only; the OpenSSL handle is freed and the raw
// private bytes are wiped on destruction.
class PrivateKey {
 public:
  // The COSE algorithms this class supports: ES256 (-7) and EdDSA (-8).
  static bool supports(std::int64_t cose_alg);

  // A fresh key from `rng` (P-256: a scalar in [1, n-1] by rejection sampling; Ed25519: 32
  // random bytes). kUnsupportedAlgorithm for other algorithms.
  static Result<PrivateKey> generate(std::int64_t cose_alg, Rng& rng);

  // Rebuilds a key from what private_bytes()/public_bytes() returned. `public_bytes` may be
  // empty, at the cost of recomputing it. Fails with kInvalidParameter on malformed input.
  static Result<PrivateKey> from_bytes(std::int64_t cose_alg, ByteSpan private_bytes, ByteSpan public_bytes);

  std::int64_t cose_alg() const { return alg_; }
  // ES256: the 32-byte scalar; EdDSA: the 32-byte seed.
  const SecretBytes& private_bytes() const { return priv_; }
  // ES256: the 65-byte uncompressed point 04||x||y; EdDSA: the 32-byte public key.
  const Bytes& public_bytes() const { return pub_; }
  // The COSE_Key map (WebAuthn §6.5.1.1 examples; CTAP 2.1 §6.5.6 for the layout).
  cbor::Value public_cose() const;

  // ES256: DER ECDSA-Sig-Value over SHA-256(msg); EdDSA: the 64-byte Ed25519 signature of msg.
  Result<Bytes> sign(ByteSpan msg) const;

 private:
  PrivateKey(std::int64_t alg, SecretBytes priv, Bytes pub, std::unique_ptr<void, PkeyDeleter> pkey)
      : alg_(alg), priv_(std::move(priv)), pub_(std::move(pub)), pkey_(std::move(pkey)) {}
  std::int64_t alg_;
  SecretBytes priv_;
  Bytes pub_;
  std::unique_ptr<void, PkeyDeleter> pkey_;
};

// Verifies a signature made by a key whose COSE_Key is `cose_key` (ES256 or EdDSA). Used by
// tests and by host-side tools; false on any mismatch or malformed input.
bool verify_signature(const cbor::Value& cose_key, ByteSpan msg, ByteSpan signature);

// P-256 ECDH for the PIN/UV auth protocols (CTAP 2.1 §6.5.6): a key pair whose shared secret
// with a peer point is the 32-byte x-coordinate. Peer points off the curve are kInvalidParameter.
class EcdhKey {
 public:
  static Result<EcdhKey> generate(Rng& rng);
  // 04||x||y
  const Bytes& public_point() const { return key_.public_bytes(); }
  Result<SecretBytes> shared_x(ByteSpan peer_point_uncompressed) const;

 private:
  explicit EcdhKey(PrivateKey k) : key_(std::move(k)) {}
  PrivateKey key_;
};

}  // namespace vfido::crypto
