// Stateless credential IDs of a device-bound store: a non-discoverable credential's ID is the
// authenticated encryption of its private key and the metadata the core needs, bound to the RP
// ID hash, so the store keeps no row for it (the classic hardware-key "key wrapping"):
//
//   id = version (0x01) || nonce (12) || AES-256-GCM(master key, nonce, record, AAD)
//   record = encode_record(rec, kStateless)            (record_codec.h: alg, key, credProtect, ...)
//   AAD    = "vfido stateless id v1" || version || SHA-256(rp_id)
//
// An ID made under another master key (another device, or this one before a reset), for
// another RP, or altered in any bit fails the GCM check and is simply unknown. An ES256 or
// EdDSA credential makes a 72-byte ID; a record that would not fit `max_len` (the default
// maxCredentialIdLength of 128 bytes, well under U2F's 255-byte key handles) is not wrapped and
// the store keeps it as a row instead (RSA keys, large credBlobs).
#pragma once

#include <optional>
#include <string_view>

#include "authenticator/credential_store.h"
#include "authenticator/env/rng.h"

namespace vfido::credstore::sqlite {

inline constexpr std::uint8_t kStatelessIdVersion = 0x01;

// nullopt when the wrapped ID would be longer than max_len.
std::optional<Bytes> wrap_stateless_id(ByteSpan master_key, const CredentialRecord& rec, Rng& rng, std::size_t max_len);

// The credential `id` stands for, if it is one of ours for `rp_id`: rp_id, id and the wrapped
// fields are filled in; public_key is left empty (the caller derives it). nullopt otherwise.
std::optional<CredentialRecord> unwrap_stateless_id(ByteSpan master_key, std::string_view rp_id, ByteSpan id);

// Whether `id` has the shape of a stateless ID (it may still fail to unwrap).
bool looks_stateless(ByteSpan id);

}  // namespace vfido::credstore::sqlite
