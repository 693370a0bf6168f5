#include "authenticator/large_blob_array.h"

#include "authenticator/cbor/codec.h"
#include "authenticator/crypto/aes.h"
#include "authenticator/crypto/hash.h"
#include "authenticator/env/rng.h"

namespace vfido {
namespace {

constexpr std::size_t kHashLen = 16;  // CTAP 2.1 §6.10.2: LEFT(SHA-256(array), 16)
constexpr std::int64_t kCiphertext = 1;
constexpr std::int64_t kNonce = 2;
constexpr std::int64_t kOrigSize = 3;

// §6.10.3: associated data = "blob" || uint64LE(origSize).
Bytes associated_data(std::uint64_t orig_size) {
  Bytes ad = to_bytes("blob");
  for (int shift = 0; shift < 64; shift += 8) ad.push_back(static_cast<std::uint8_t>(orig_size >> shift));
  return ad;
}

}  // namespace

bool large_blob_array_hash_ok(ByteSpan serialized) {
  if (serialized.size() < kHashLen) return false;
  const auto digest = crypto::sha256(serialized.first(serialized.size() - kHashLen));
  return crypto::equal_ct(ByteSpan(digest).first(kHashLen), serialized.last(kHashLen));
}

Result<cbor::Array> large_blob_entries(ByteSpan serialized) {
  if (serialized.size() < 1 + kHashLen) return fail(CtapStatus::kInvalidCbor);
  if (!large_blob_array_hash_ok(serialized)) return fail(CtapStatus::kIntegrityFailure);
  const ByteSpan body = serialized.first(serialized.size() - kHashLen);
  // The array, its entry maps and their members: three levels.
  auto value = cbor::decode(body, cbor::DecodeLimits{.max_depth = 3, .max_size = body.size()});
  if (!value) return fail(value.error());
  if (!value->is_array()) return fail(CtapStatus::kInvalidCbor);
  return value->as_array();
}

Result<Bytes> serialize_large_blob_array(const cbor::Array& entries) {
  auto body = cbor::encode(cbor::Value::array(entries));
  if (!body) return fail(body.error());
  const auto digest = crypto::sha256(*body);
  body->insert(body->end(), digest.begin(), digest.begin() + kHashLen);
  return std::move(*body);
}

Result<cbor::Value> seal_large_blob(ByteSpan large_blob_key, const LargeBlob& blob, Rng& rng) {
  Bytes nonce(crypto::kGcmNonceLen);
  rng.fill(nonce);
  auto sealed = crypto::aes256_gcm_seal(large_blob_key, nonce, blob.compressed, associated_data(blob.orig_size));
  if (!sealed) return fail(sealed.error());
  cbor::Value entry = cbor::Value::map();
  entry.set(kCiphertext, cbor::Value::bytes(std::move(*sealed)));
  entry.set(kNonce, cbor::Value::bytes(std::move(nonce)));
  entry.set(kOrigSize, cbor::Value::uint(blob.orig_size));
  return entry;
}

std::optional<LargeBlob> open_large_blob(const cbor::Array& entries, ByteSpan large_blob_key) {
  for (const cbor::Value& entry : entries) {
    if (!entry.is_map()) continue;
    const cbor::Value* ciphertext = entry.find(kCiphertext);
    const cbor::Value* nonce = entry.find(kNonce);
    const cbor::Value* orig_size = entry.find(kOrigSize);
    if (ciphertext == nullptr || !ciphertext->is_bytes() || nonce == nullptr || !nonce->is_bytes() ||
        nonce->as_bytes().size() != crypto::kGcmNonceLen || orig_size == nullptr || !orig_size->is_unsigned()) {
      continue;
    }
    auto plain = crypto::aes256_gcm_open(large_blob_key, nonce->as_bytes(), ciphertext->as_bytes(),
                                         associated_data(orig_size->as_uint()));
    if (!plain) continue;
    return LargeBlob{Bytes(plain->expose().begin(), plain->expose().end()), orig_size->as_uint()};
  }
  return std::nullopt;
}

}  // namespace vfido
