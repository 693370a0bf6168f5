// The BLE advert of caBLE v2 (hybrid-protocol.md §4): a 16-byte EID plaintext encrypted as one
// AES-256 block and tagged with 4 bytes of HMAC-SHA-256, 20 bytes in all, under a 64-byte EID
// key (AES key || HMAC key) derived from the QR secret (or, in the linked flow, the link
// secret and the client nonce).
#pragma once

#include <cstdint>

#include "authenticator/bytes.h"
#include "authenticator/env/rng.h"
#include "transports/hybrid/cable_error.h"
#include "transports/hybrid/tunnel_domain.h"

namespace vfido::cable {

inline constexpr std::size_t kEidLen = 16;
inline constexpr std::size_t kAdvertLen = 20;
inline constexpr std::size_t kEidNonceLen = 10;
inline constexpr std::size_t kRoutingIdLen = 3;
inline constexpr std::size_t kAdvertTagLen = 4;

using Eid = ByteArray<kEidLen>;
using Advert = ByteArray<kAdvertLen>;
using RoutingId = ByteArray<kRoutingIdLen>;

// §4.1 plaintext layout: 0x00 || nonce(10) || routing ID(3) || LE16 domain.
struct EidComponents {
  ByteArray<kEidNonceLen> nonce{};
  RoutingId routing_id{};
  std::uint16_t domain = 0;
  bool operator==(const EidComponents&) const = default;
};

Eid eid_from_components(const EidComponents& c);
EidComponents eid_components(const Eid& eid);

// §4.1, linked flow: 16 random bytes with the reserved byte 0 cleared.
Eid random_linked_eid(Rng& rng);

// §4.2: AES-256(key[0..32), eid) || HMAC-SHA-256(key[32..64), ciphertext)[0..4).
// kBadAdvert when the key is not 64 bytes or the reserved byte is not zero.
CableResult<Advert> encrypt_eid(const Eid& eid, ByteSpan eid_key);

// §4.3 trial decryption. kBadAdvert for an advert that is not 20 bytes or a key that is not 64;
// kAdvertMismatch when the tag does not verify (compared in constant time: an advert of another
// session); kBadAdvert when the reserved byte is set. With `check_domain`, a domain value this
// side cannot decode (2..255, or beyond `assigned_known`) is kUnknownDomain. Linked-flow adverts
// carry random bytes there, so their receiver passes false (Chromium checks them anyway and so
// drops about 0.4 % of them).
struct EidCheck {
  bool check_domain = true;
  std::size_t assigned_known = kAssignedDomains.size();
};
CableResult<Eid> decrypt_advert(ByteSpan advert, ByteSpan eid_key, EidCheck check = {});

}  // namespace vfido::cable
