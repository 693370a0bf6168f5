#include "transports/hybrid/linking.h"

#include <algorithm>

#include "authenticator/cbor/codec.h"
#include "authenticator/cbor/map_reader.h"
#include "authenticator/crypto/hash.h"
#include "transports/hybrid/derive.h"
#include "transports/hybrid/fixed_bytes.h"

namespace vfido::cable {
namespace {

// §9.1 linking map keys.
constexpr std::int64_t kKeyContactId = 1;
constexpr std::int64_t kKeyLinkId = 2;
constexpr std::int64_t kKeyLinkSecret = 3;
constexpr std::int64_t kKeyIdentity = 4;
constexpr std::int64_t kKeyName = 5;
constexpr std::int64_t kKeySignature = 6;
// §9.2 client payload keys.
constexpr std::int64_t kKeyPayloadLinkId = 1;
constexpr std::int64_t kKeyPayloadNonce = 2;
constexpr std::int64_t kKeyPayloadHint = 3;

// Contact IDs are opaque; this bounds what a peer can make the desktop store.
constexpr std::size_t kMaxContactId = 1024;
constexpr std::size_t kMaxName = 256;
constexpr int kMaxSeedRounds = 64;

}  // namespace

LinkingInfo LinkingInfo::clone() const {
  LinkingInfo c;
  c.contact_id = contact_id;
  c.link_id = link_id;
  c.link_secret = link_secret.clone();
  c.identity_public = identity_public;
  c.name = name;
  c.signature = signature;
  return c;
}

cbor::Value encode_linking_map(const LinkingInfo& info) {
  cbor::Value m = cbor::Value::map();
  m.set(kKeyContactId, cbor::Value::bytes(ByteSpan(info.contact_id)));
  m.set(kKeyLinkId, cbor::Value::bytes(ByteSpan(info.link_id)));
  m.set(kKeyLinkSecret, cbor::Value::bytes(info.link_secret.expose()));
  m.set(kKeyIdentity, cbor::Value::bytes(ByteSpan(info.identity_public)));
  m.set(kKeyName, cbor::Value::text(info.name));
  m.set(kKeySignature, cbor::Value::bytes(ByteSpan(info.signature)));
  return m;
}

CableResult<LinkingInfo> parse_linking_map(const cbor::Value& map) {
  auto r = cbor::MapReader::from(map);
  if (!r) return cable_fail(CableError::kBadLinkingInfo);
  auto contact = r->required_bytes(kKeyContactId);
  auto link_id = r->required_bytes(kKeyLinkId);
  auto secret = r->required_bytes(kKeyLinkSecret);
  auto identity = r->required_bytes(kKeyIdentity);
  auto name = r->required_text(kKeyName);
  auto signature = r->required_bytes(kKeySignature);
  if (!contact || !link_id || !secret || !identity || !name || !signature) {
    return cable_fail(CableError::kBadLinkingInfo);
  }
  LinkingInfo info;
  if (contact->empty() || contact->size() > kMaxContactId || name->size() > kMaxName ||
      secret->size() != kLinkSecretLen || !copy_exact(*link_id, info.link_id) ||
      !copy_exact(*identity, info.identity_public) || !copy_exact(*signature, info.signature)) {
    return cable_fail(CableError::kBadLinkingInfo);
  }
  // §9.1: key 4 must be a point on the curve.
  if (!crypto::p256_compress(info.identity_public)) return cable_fail(CableError::kBadLinkingInfo);
  info.contact_id = std::move(*contact);
  info.link_secret = crypto::SecretBytes(ByteSpan(*secret));
  crypto::cleanse(secret->data(), secret->size());
  info.name = std::move(*name);
  return info;
}

CableResult<ByteArray<kLinkSignatureLen>> linking_signature(const crypto::EcdhKey& phone_identity,
                                                            ByteSpan desktop_public, const HandshakeHash& hash) {
  auto shared = phone_identity.shared_x(desktop_public);
  if (!shared) return cable_fail(CableError::kBadPublicKey);
  return crypto::hmac_sha256(shared->expose(), hash);
}

bool verify_linking_signature(const LinkingInfo& info, const crypto::EcdhKey& qr_key, const HandshakeHash& hash) {
  // ECDH is symmetric: X(qr_priv · identity_pub) = X(identity_priv · qr_pub).
  auto expected = linking_signature(qr_key, info.identity_public, hash);
  return expected && crypto::equal_ct(*expected, info.signature);
}

crypto::SecretBytes per_contact_secret(ByteSpan root_secret, ByteSpan contact_id) {
  return derive(root_secret, contact_id, DerivedValueType::kPerContactIdSecret, kLinkSecretLen);
}

crypto::SecretBytes paired_link_secret(ByteSpan root_secret, ByteSpan contact_id, ByteSpan link_id) {
  const crypto::SecretBytes per = per_contact_secret(root_secret, contact_id);
  return derive(per.expose(), link_id, DerivedValueType::kPairedSecret, kLinkSecretLen);
}

CableResult<crypto::EcdhKey> identity_key_from_root(ByteSpan root_secret) {
  crypto::SecretBytes seed = derive(root_secret, {}, DerivedValueType::kIdentityKeySeed, kRootSecretLen);
  for (int round = 0; round < kMaxSeedRounds; ++round) {
    auto key = crypto::EcdhKey::from_scalar(seed.expose());
    if (key) return std::move(*key);
    const auto next = crypto::sha256(seed.expose());
    seed = crypto::SecretBytes(ByteSpan(next));
  }
  return cable_fail(CableError::kInternal);
}

CableResult<LinkingInfo> PhoneIdentity::make_linking_info(ByteSpan desktop_public, const HandshakeHash& hash,
                                                          Rng& rng) const {
  auto identity = identity_key_from_root(root_secret.expose());
  if (!identity) return cable_fail(identity.error());
  LinkingInfo info;
  info.contact_id = contact_id;
  rng.fill(info.link_id);
  info.link_secret = paired_link_secret(root_secret.expose(), contact_id, info.link_id);
  std::copy(identity->public_point().begin(), identity->public_point().end(), info.identity_public.begin());
  info.name = name;
  auto signature = linking_signature(*identity, desktop_public, hash);
  if (!signature) return cable_fail(signature.error());
  info.signature = *signature;
  return info;
}

Bytes encode_client_payload(const ClientPayload& p) {
  cbor::Value m = cbor::Value::map();
  m.set(kKeyPayloadLinkId, cbor::Value::bytes(ByteSpan(p.link_id)));
  m.set(kKeyPayloadNonce, cbor::Value::bytes(ByteSpan(p.client_nonce)));
  m.set(kKeyPayloadHint, cbor::Value::text(p.hint));
  return cbor::encode(m).value_or(Bytes{});
}

CableResult<ClientPayload> parse_client_payload(ByteSpan bytes) {
  auto value = cbor::decode(bytes, {.max_depth = 1, .max_size = 256});
  if (!value) return cable_fail(CableError::kBadMessage);
  auto r = cbor::MapReader::from(*value);
  if (!r) return cable_fail(CableError::kBadMessage);
  auto link_id = r->required_bytes(kKeyPayloadLinkId);
  auto nonce = r->required_bytes(kKeyPayloadNonce);
  auto hint = r->optional_text(kKeyPayloadHint);
  ClientPayload p;
  if (!link_id || !nonce || !hint || !copy_exact(*link_id, p.link_id) || !copy_exact(*nonce, p.client_nonce)) {
    return cable_fail(CableError::kBadMessage);
  }
  if (*hint) p.hint = **hint;
  return p;
}

}  // namespace vfido::cable
