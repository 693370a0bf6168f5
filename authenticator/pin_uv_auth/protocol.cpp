#include "authenticator/pin_uv_auth/protocol.h"

#include <array>

#include "authenticator/cbor/map_reader.h"
#include "authenticator/crypto/aes.h"
#include "authenticator/crypto/hash.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/rng.h"

namespace vfido::pin_uv_auth {
namespace {

constexpr std::size_t kCoordLen = 32;
constexpr std::size_t kProtocolOneAuthLen = 16;
constexpr std::size_t kHmacKeyLen = 32;  // protocol two: key[0..32) is the HMAC key
constexpr std::array<std::uint8_t, crypto::kAesBlockLen> kZeroIv{};

// Protocol two keys are HMAC key || AES key; protocol one uses the same 32 bytes for both.
ByteSpan hmac_key(ProtocolId p, ByteSpan key) {
  return p == ProtocolId::kTwo && key.size() >= 2 * kHmacKeyLen ? key.first(kHmacKeyLen) : key;
}
ByteSpan aes_key(ProtocolId p, ByteSpan key) {
  return p == ProtocolId::kTwo && key.size() >= 2 * kHmacKeyLen ? key.subspan(kHmacKeyLen) : key;
}

}  // namespace

std::optional<ProtocolId> protocol_id(std::uint64_t value) {
  if (value == 1) return ProtocolId::kOne;
  if (value == 2) return ProtocolId::kTwo;
  return std::nullopt;
}

std::size_t auth_param_len(ProtocolId p) { return p == ProtocolId::kOne ? kProtocolOneAuthLen : crypto::kSha256Len; }

crypto::SecretBytes kdf(ProtocolId p, ByteSpan z) {
  if (p == ProtocolId::kOne) {
    // §6.5.6: kdf(Z) = SHA-256(Z).
    auto d = crypto::sha256(z);
    crypto::SecretBytes out{ByteSpan(d)};
    crypto::cleanse(d.data(), d.size());
    return out;
  }
  // §6.5.7: HKDF-SHA-256 with a 32-byte zero salt, once for the HMAC key and once for the AES key.
  const std::array<std::uint8_t, 32> salt{};
  auto hmac = crypto::hkdf_sha256(salt, z, as_span("CTAP2 HMAC key"), kHmacKeyLen);
  auto aes = crypto::hkdf_sha256(salt, z, as_span("CTAP2 AES key"), crypto::kAesKeyLen);
  crypto::SecretBytes out(hmac.size() + aes.size());
  std::copy(hmac.expose().begin(), hmac.expose().end(), out.expose_mut().begin());
  std::copy(aes.expose().begin(), aes.expose().end(), out.expose_mut().begin() + static_cast<std::ptrdiff_t>(hmac.size()));
  return out;
}

Result<Bytes> encrypt(ProtocolId p, ByteSpan key, ByteSpan plaintext, Rng& rng) {
  if (p == ProtocolId::kOne) return crypto::aes256_cbc_encrypt(aes_key(p, key), kZeroIv, plaintext);
  // §6.5.7 encrypt: a random IV, output IV || ciphertext.
  ByteArray<crypto::kAesBlockLen> iv{};
  rng.fill(iv);
  auto ct = crypto::aes256_cbc_encrypt(aes_key(p, key), iv, plaintext);
  if (!ct) return ct;
  Bytes out(iv.begin(), iv.end());
  out.insert(out.end(), ct->begin(), ct->end());
  return out;
}

Result<crypto::SecretBytes> decrypt(ProtocolId p, ByteSpan key, ByteSpan ciphertext) {
  if (p == ProtocolId::kOne) return crypto::aes256_cbc_decrypt(aes_key(p, key), kZeroIv, ciphertext);
  // §6.5.7 decrypt: "If demPlaintext is less than 16 bytes in length, return an error".
  if (ciphertext.size() < crypto::kAesBlockLen) return fail(CtapStatus::kInvalidLength);
  return crypto::aes256_cbc_decrypt(aes_key(p, key), ciphertext.first(crypto::kAesBlockLen),
                                    ciphertext.subspan(crypto::kAesBlockLen));
}

Bytes authenticate(ProtocolId p, ByteSpan key, ByteSpan message) {
  auto mac = crypto::hmac_sha256(hmac_key(p, key), message);
  const std::size_t n = auth_param_len(p);
  return Bytes(mac.begin(), mac.begin() + static_cast<std::ptrdiff_t>(n));
}

bool verify(ProtocolId p, ByteSpan key, ByteSpan message, ByteSpan signature) {
  // §6.5.6/§6.5.7 verify: a signature of the wrong length is an error, not a comparison.
  if (signature.size() != auth_param_len(p)) return false;
  return crypto::equal_ct(authenticate(p, key, message), signature);
}

cbor::Value key_agreement_cose(const crypto::EcdhKey& key) {
  const Bytes& pt = key.public_point();  // 04 || x || y
  cbor::Value m = cbor::Value::map();
  m.set(cose::kLabelKty, cbor::Value::integer(cose::kKtyEc2));
  m.set(cose::kLabelAlg, cbor::Value::integer(cose::kAlgEcdhEsHkdf256));
  m.set(cose::kLabelCrv, cbor::Value::integer(cose::kCrvP256));
  m.set(cose::kLabelX, cbor::Value::bytes(ByteSpan(pt).subspan(1, kCoordLen)));
  m.set(cose::kLabelY, cbor::Value::bytes(ByteSpan(pt).subspan(1 + kCoordLen, kCoordLen)));
  return m;
}

Result<Bytes> cose_point(const cbor::Value& cose_key) {
  auto m = cbor::MapReader::from(cose_key);
  if (!m) return fail(CtapStatus::kInvalidParameter);
  auto kty = m->required_int(cose::kLabelKty);
  auto crv = m->required_int(cose::kLabelCrv);
  auto x = m->required_bytes(cose::kLabelX);
  auto y = m->required_bytes(cose::kLabelY);
  if (!kty || !crv || !x || !y || *kty != cose::kKtyEc2 || *crv != cose::kCrvP256 || x->size() != kCoordLen ||
      y->size() != kCoordLen) {
    return fail(CtapStatus::kInvalidParameter);
  }
  ByteWriter w(1 + 2 * kCoordLen);
  w.u8(0x04).bytes(*x).bytes(*y);
  return std::move(w).take();
}

Result<crypto::SecretBytes> decapsulate(ProtocolId p, const crypto::EcdhKey& own, const cbor::Value& peer_cose_key) {
  auto point = cose_point(peer_cose_key);
  if (!point) return fail(point.error());
  auto z = own.shared_x(*point);
  if (!z) return fail(CtapStatus::kInvalidParameter);
  return kdf(p, z->expose());
}

Result<Encapsulation> encapsulate(ProtocolId p, const cbor::Value& authenticator_cose_key, Rng& rng) {
  auto own = crypto::EcdhKey::generate(rng);
  if (!own) return fail(own.error());
  auto ss = decapsulate(p, *own, authenticator_cose_key);
  if (!ss) return fail(ss.error());
  return Encapsulation{key_agreement_cose(*own), std::move(*ss)};
}

}  // namespace vfido::pin_uv_auth
