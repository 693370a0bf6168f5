#include "credstore/sqlite/stateless_id.h"

#include "authenticator/crypto/aes.h"
#include "authenticator/crypto/hash.h"
#include "credstore/record_codec.h"

namespace vfido::credstore::sqlite {
namespace {

constexpr std::string_view kLabel = "vfido stateless id v1";
constexpr std::size_t kOverhead = 1 + crypto::kGcmNonceLen + crypto::kGcmTagLen;

Bytes aad(std::string_view rp_id) {
  const auto rp_hash = crypto::sha256(as_span(rp_id));
  ByteWriter w(kLabel.size() + 1 + rp_hash.size());
  w.bytes(as_span(kLabel)).u8(kStatelessIdVersion).bytes(rp_hash);
  return std::move(w).take();
}

}  // namespace

bool looks_stateless(ByteSpan id) { return id.size() > kOverhead && id[0] == kStatelessIdVersion; }

std::optional<Bytes> wrap_stateless_id(ByteSpan master_key, const CredentialRecord& rec, Rng& rng, std::size_t max_len) {
  auto plain = encode_record(rec, RecordForm::kStateless);
  if (!plain || plain->size() + kOverhead > max_len) return std::nullopt;
  Bytes nonce = rng.bytes(crypto::kGcmNonceLen);
  auto sealed = crypto::aes256_gcm_seal(master_key, nonce, plain->expose(), aad(rec.rp_id));
  if (!sealed) return std::nullopt;
  ByteWriter w(kOverhead + plain->size());
  w.u8(kStatelessIdVersion).bytes(nonce).bytes(*sealed);
  return std::move(w).take();
}

std::optional<CredentialRecord> unwrap_stateless_id(ByteSpan master_key, std::string_view rp_id, ByteSpan id) {
  if (!looks_stateless(id)) return std::nullopt;
  const ByteSpan nonce = id.subspan(1, crypto::kGcmNonceLen);
  const ByteSpan sealed = id.subspan(1 + crypto::kGcmNonceLen);
  auto plain = crypto::aes256_gcm_open(master_key, nonce, sealed, aad(rp_id));
  if (!plain) return std::nullopt;
  auto rec = decode_record(plain->expose(), RecordForm::kStateless);
  // Authentic but undecodable can only be a bug of another vfido version: still unknown here.
  if (!rec) return std::nullopt;
  rec->id.assign(id.begin(), id.end());
  rec->rp_id = std::string(rp_id);
  rec->discoverable = false;
  return std::move(*rec);
}

}  // namespace vfido::credstore::sqlite
