// Credential key pairs (ES256 = ECDSA P-256 with SHA-256, EdDSA = Ed25519, RS256 = RSASSA-PKCS1-v1_5
// with SHA-256 and a 2048-bit key) and P-256 ECDH, on OpenSSL 3 EVP. ES256 and EdDSA private keys
// are created from the Rng port so that a seeded test environment produces the same keys every
// run; RSA keys come from OpenSSL's generator (see generate()). Signatures use OpenSSL's own
// randomness (ECDSA nonces); RS256 and EdDSA signatures are deterministic.
#pragma once

#include <cstdint>
#include <memory>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"
#include "authenticator/crypto/secret.h"

// OpenSSL's EVP_PKEY, declared here so that <openssl/...> stays out of the rest of the core.
struct evp_pkey_st;

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
  // The modulus size of generated RS256 keys, and the range from_bytes() and
  // verify_signature() accept (bits).
  static constexpr unsigned kRsaGeneratedBits = 2048;
  static constexpr unsigned kRsaMinBits = 2048;
  static constexpr unsigned kRsaMaxBits = 4096;

  // The COSE algorithms this class supports: ES256 (-7), EdDSA (-8) and RS256 (-257).
  static bool supports(std::int64_t cose_alg);

  // A fresh key. ES256 and EdDSA draw their secret from `rng` (P-256: a scalar in [1, n-1] by
  // rejection sampling; Ed25519: 32 random bytes), so a seeded Rng gives the same key every run.
  // RS256 does not use `rng`: RSA key generation (FIPS 186-5 §A.1.3 probable primes) consumes
  // an unbounded amount of randomness through OpenSSL's own DRBG, so a 2048-bit key comes from
  // OpenSSL's generator, seeded by the operating system, and is different every run. It takes
  // tens to hundreds of milliseconds. kUnsupportedAlgorithm for other algorithms.
  static Result<PrivateKey> generate(std::int64_t cose_alg, Rng& rng);

  // Rebuilds a key from what private_bytes()/public_bytes() returned. `public_bytes` may be
  // empty, at the cost of recomputing it; for RS256 it is always recomputed and a given value
  // must match. Fails with kInvalidParameter on malformed input (for RS256 also a modulus
  // outside kRsaMinBits..kRsaMaxBits or trailing bytes).
  static Result<PrivateKey> from_bytes(std::int64_t cose_alg, ByteSpan private_bytes, ByteSpan public_bytes);

  // A key held by OpenSSL (read from PEM by x509.h): P-256 -> ES256, Ed25519 -> EdDSA, RSA of
  // kRsaMinBits..kRsaMaxBits with two primes -> RS256. kUnsupportedAlgorithm for other types,
  // kInvalidParameter when the private half cannot be read.
  static Result<PrivateKey> from_evp(const evp_pkey_st* pkey);

  std::int64_t cose_alg() const { return alg_; }
  // ES256: the 32-byte scalar; EdDSA: the 32-byte seed; RS256: the DER RSAPrivateKey (PKCS #1,
  // RFC 8017 §A.1.2), about 1190 bytes for a 2048-bit key.
  const SecretBytes& private_bytes() const { return priv_; }
  // ES256: the 65-byte uncompressed point 04||x||y; EdDSA: the 32-byte public key; RS256: the
  // DER RSAPublicKey (PKCS #1, RFC 8017 §A.1.1).
  const Bytes& public_bytes() const { return pub_; }
  // The COSE_Key map (WebAuthn §6.5.1.1 examples; CTAP 2.1 §6.5.6 for the layout; RFC 8230 §4
  // for RSA: {1: 3, 3: -257, -1: n, -2: e}).
  cbor::Value public_cose() const;

  // ES256: DER ECDSA-Sig-Value over SHA-256(msg); EdDSA: the 64-byte Ed25519 signature of msg;
  // RS256: the RSASSA-PKCS1-v1_5 signature of SHA-256(msg), as long as the modulus.
  Result<Bytes> sign(ByteSpan msg) const;

  // The OpenSSL handle, for the crypto module's own files (certificates, PEM); nullptr for a
  // moved-from key. Not for use outside authenticator/crypto/.
  evp_pkey_st* evp_pkey() const { return static_cast<evp_pkey_st*>(pkey_.get()); }

 private:
  PrivateKey(std::int64_t alg, SecretBytes priv, Bytes pub, std::unique_ptr<void, PkeyDeleter> pkey)
      : alg_(alg), priv_(std::move(priv)), pub_(std::move(pub)), pkey_(std::move(pkey)) {}
  std::int64_t alg_;
  SecretBytes priv_;
  Bytes pub_;
  std::unique_ptr<void, PkeyDeleter> pkey_;
};

// Verifies a signature made by a key whose COSE_Key is `cose_key` (ES256, EdDSA or RS256). Used
// by tests and by host-side tools; false on any mismatch or malformed input (for RS256 also n or
// e with leading zero bytes, RFC 8230 §4, and a modulus outside kRsaMinBits..kRsaMaxBits).
bool verify_signature(const cbor::Value& cose_key, ByteSpan msg, ByteSpan signature);

// The COSE_Key of a public key held by OpenSSL (a certificate's subject key): P-256 -> ES256,
// Ed25519 -> EdDSA, RSA of kRsaMinBits..kRsaMaxBits -> RS256; kUnsupportedAlgorithm otherwise.
Result<cbor::Value> public_cose_of(const evp_pkey_st* pkey);

// P-256 ECDH for the PIN/UV auth protocols (CTAP 2.1 §6.5.6) and caBLE v2's Noise handshake: a
// key pair whose shared secret with a peer point is the 32-byte x-coordinate. Peer points off
// the curve are kInvalidParameter.
class EcdhKey {
 public:
  static Result<EcdhKey> generate(Rng& rng);
  // A key from its 32-byte big-endian scalar (1 <= d <= n-1, kInvalidParameter otherwise): keys
  // kept in a file, and fixed keys for known-answer tests.
  static Result<EcdhKey> from_scalar(ByteSpan scalar);
  // 04||x||y
  const Bytes& public_point() const { return key_.public_bytes(); }
  // The 32-byte scalar, for storing the key.
  const SecretBytes& scalar() const { return key_.private_bytes(); }
  Result<SecretBytes> shared_x(ByteSpan peer_point_uncompressed) const;

 private:
  explicit EcdhKey(PrivateKey k) : key_(std::move(k)) {}
  PrivateKey key_;
};

// SEC 1 §2.3.3 point compression for P-256: 04||x||y -> 02/03||x (33 bytes). The input must be
// a valid uncompressed point on the curve (kInvalidParameter otherwise).
Result<Bytes> p256_compress(ByteSpan uncompressed);
// SEC 1 §2.3.4: 02/03||x -> 04||x||y. kInvalidParameter for any other length or prefix, and
// for an x with no point on the curve.
Result<Bytes> p256_decompress(ByteSpan compressed);

}  // namespace vfido::crypto
