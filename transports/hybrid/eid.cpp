#include "transports/hybrid/eid.h"

#include <algorithm>

#include "authenticator/crypto/aes.h"
#include "authenticator/crypto/hash.h"
#include "transports/hybrid/derive.h"

namespace vfido::cable {
namespace {

constexpr std::size_t kHalfKey = kEidKeyLen / 2;
constexpr std::size_t kDomainOffset = 1 + kEidNonceLen + kRoutingIdLen;

ByteArray<kAdvertTagLen> advert_tag(ByteSpan hmac_key, ByteSpan ciphertext) {
  const auto mac = crypto::hmac_sha256(hmac_key, ciphertext);
  ByteArray<kAdvertTagLen> tag{};
  std::copy_n(mac.begin(), kAdvertTagLen, tag.begin());
  return tag;
}

}  // namespace

Eid eid_from_components(const EidComponents& c) {
  Eid eid{};
  eid[0] = 0;  // §4.1: reserved
  std::copy(c.nonce.begin(), c.nonce.end(), eid.begin() + 1);
  std::copy(c.routing_id.begin(), c.routing_id.end(), eid.begin() + 1 + kEidNonceLen);
  // §4.1: the domain is little-endian.
  eid[kDomainOffset] = static_cast<std::uint8_t>(c.domain);
  eid[kDomainOffset + 1] = static_cast<std::uint8_t>(c.domain >> 8);
  return eid;
}

EidComponents eid_components(const Eid& eid) {
  EidComponents c;
  std::copy_n(eid.begin() + 1, kEidNonceLen, c.nonce.begin());
  std::copy_n(eid.begin() + 1 + kEidNonceLen, kRoutingIdLen, c.routing_id.begin());
  c.domain = static_cast<std::uint16_t>(eid[kDomainOffset] | (eid[kDomainOffset + 1] << 8));
  return c;
}

Eid random_linked_eid(Rng& rng) {
  Eid eid{};
  rng.fill(eid);
  eid[0] = 0;
  return eid;
}

CableResult<Advert> encrypt_eid(const Eid& eid, ByteSpan eid_key) {
  if (eid_key.size() != kEidKeyLen || eid[0] != 0) return cable_fail(CableError::kBadAdvert);
  auto block = crypto::aes256_encrypt_block(eid_key.first(kHalfKey), eid);
  if (!block) return cable_fail(CableError::kInternal);
  Advert advert{};
  std::copy(block->begin(), block->end(), advert.begin());
  const auto tag = advert_tag(eid_key.subspan(kHalfKey), *block);
  std::copy(tag.begin(), tag.end(), advert.begin() + kEidLen);
  return advert;
}

CableResult<Eid> decrypt_advert(ByteSpan advert, ByteSpan eid_key, EidCheck check) {
  if (advert.size() != kAdvertLen || eid_key.size() != kEidKeyLen) return cable_fail(CableError::kBadAdvert);
  const ByteSpan ciphertext = advert.first(kEidLen);
  // §4.3: the tag first, in constant time; most adverts a scanner sees belong to others.
  const auto tag = advert_tag(eid_key.subspan(kHalfKey), ciphertext);
  if (!crypto::equal_ct(tag, advert.subspan(kEidLen))) return cable_fail(CableError::kAdvertMismatch);
  auto plain = crypto::aes256_decrypt_block(eid_key.first(kHalfKey), ciphertext);
  if (!plain) return cable_fail(CableError::kInternal);
  const Eid& eid = *plain;
  // §4.3: reserved bits must be zero (new features would be announced in the QR code first).
  if (eid[0] != 0) return cable_fail(CableError::kBadAdvert);
  if (check.check_domain && !is_known_domain(eid_components(eid).domain, check.assigned_known)) {
    return cable_fail(CableError::kUnknownDomain);
  }
  return eid;
}

}  // namespace vfido::cable
