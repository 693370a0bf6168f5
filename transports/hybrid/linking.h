// State-assisted ("linked") transactions (hybrid-protocol.md §9): the linking map a phone sends
// so that a desktop can reach it again without a QR code, its signature, the phone's own
// derivations, and the payload the desktop puts in its /cable/contact request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/secret.h"
#include "authenticator/env/rng.h"
#include "transports/hybrid/cable_error.h"
#include "transports/hybrid/noise.h"
#include "transports/hybrid/qr.h"

namespace vfido::cable {

inline constexpr std::size_t kLinkIdLen = 8;
inline constexpr std::size_t kClientNonceLen = 16;
inline constexpr std::size_t kLinkSignatureLen = 32;

// §9.1: what the desktop keeps. Move-only (the link secret is a secret); clone() copies.
struct LinkingInfo {
  Bytes contact_id;                                     // 1: opaque to the desktop
  ByteArray<kLinkIdLen> link_id{};                      // 2: the "pairing ID"
  crypto::SecretBytes link_secret;                      // 3: 32 bytes
  ByteArray<kUncompressedPointLen> identity_public{};   // 4: the phone's identity key
  std::string name;                                     // 5: display name
  ByteArray<kLinkSignatureLen> signature{};             // 6: HMAC over the handshake hash

  LinkingInfo clone() const;
};

// The CBOR map (keys 1-6).
cbor::Value encode_linking_map(const LinkingInfo& info);
// §9.1: keys 1-4 and 6 must be byte strings, 5 a text string; key 2 8 bytes, 3 and 6 32 bytes,
// 4 65 bytes on the curve; key 999 and other keys are ignored. kBadLinkingInfo otherwise.
CableResult<LinkingInfo> parse_linking_map(const cbor::Value& map);

// §9.1 signature: HMAC-SHA-256(key = X of ECDH(phone identity, desktop QR public key),
// data = handshake hash). `desktop_public` is the 65-byte QR key.
CableResult<ByteArray<kLinkSignatureLen>> linking_signature(const crypto::EcdhKey& phone_identity,
                                                            ByteSpan desktop_public, const HandshakeHash& hash);
// The desktop's check, with its QR private key (constant-time comparison).
bool verify_linking_signature(const LinkingInfo& info, const crypto::EcdhKey& qr_key, const HandshakeHash& hash);

// §9.1 phone-side derivations from a 32-byte root secret.
crypto::SecretBytes per_contact_secret(ByteSpan root_secret, ByteSpan contact_id);
crypto::SecretBytes paired_link_secret(ByteSpan root_secret, ByteSpan contact_id, ByteSpan link_id);
// The phone's identity key from Derive(root, "", 5): the seed is the scalar when it is in range
// (the mapping never crosses the wire, §2); otherwise SHA-256 of it, repeated.
CableResult<crypto::EcdhKey> identity_key_from_root(ByteSpan root_secret);

// A phone's persistent linking state: a root secret (everything else is derived from it, as
// Chromium's phone does), its contact ID at its tunnel server, and the name desktops show.
struct PhoneIdentity {
  crypto::SecretBytes root_secret;  // kRootSecretLen bytes
  Bytes contact_id;                 // 1..64 bytes
  std::string name;

  // A fresh random link ID, its link secret, the identity key, and the signature for this
  // desktop (its 65-byte QR key) and handshake.
  CableResult<LinkingInfo> make_linking_info(ByteSpan desktop_public, const HandshakeHash& hash, Rng& rng) const;
};

// §9.2 step 1: the X-caBLE-Client-Payload, CBOR {1: link ID, 2: client nonce, 3: hint}.
struct ClientPayload {
  ByteArray<kLinkIdLen> link_id{};
  ByteArray<kClientNonceLen> client_nonce{};
  std::string hint = "ga";
  bool operator==(const ClientPayload&) const = default;
};
Bytes encode_client_payload(const ClientPayload& p);
// Strict: exact lengths and types, kBadMessage otherwise; the hint may be absent ("ga").
CableResult<ClientPayload> parse_client_payload(ByteSpan cbor);

}  // namespace vfido::cable
