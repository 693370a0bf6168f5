// The entries of the serialized large-blob array (CTAP 2.1 §6.10.3 "large, per-credential
// blobs"): a CBOR array of maps {1: ciphertext, 2: nonce, 3: origSize}, each the DEFLATE-
// compressed blob of one credential sealed with AES-256-GCM under the credential's
// largeBlobKey, followed by LEFT(SHA-256(array), 16). Platforms read and write these through
// authenticatorLargeBlobs; the core itself needs them only when a tool imports a credential
// with its blob (WebAuthn L3 §11.5 Add Credential, largeBlob) or reads one back.
//
// Compression is the caller's: the core has no DEFLATE, so blobs come in and go out compressed
// (raw DEFLATE, RFC 1951), with the size they have uncompressed.
#pragma once

#include <cstdint>
#include <optional>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"

namespace vfido {

class Rng;

// One credential's blob as the array keeps it, before encryption.
struct LargeBlob {
  Bytes compressed;             // raw DEFLATE (RFC 1951)
  std::uint64_t orig_size = 0;  // length of the uncompressed blob
};

// Whether the trailing 16 bytes are LEFT(SHA-256(the rest), 16) (CTAP 2.1 §6.10.2 step 5.10.1).
bool large_blob_array_hash_ok(ByteSpan serialized);

// The entries of a serialized array, checking its trailing hash (CTAP 2.1 §6.10.2 step 5.10.1).
// kIntegrityFailure for a wrong hash, kInvalidCbor for a body that is not a canonical CBOR array.
Result<cbor::Array> large_blob_entries(ByteSpan serialized);

// The serialized array of `entries`: CBOR array || LEFT(SHA-256(array), 16).
Result<Bytes> serialize_large_blob_array(const cbor::Array& entries);

// §6.10.3: an entry for `blob` under a 32-byte largeBlobKey: a fresh 12-byte nonce from `rng`,
// associated data "blob" || uint64LE(origSize).
Result<cbor::Value> seal_large_blob(ByteSpan large_blob_key, const LargeBlob& blob, Rng& rng);

// The blob of the first entry that opens under `large_blob_key`; nullopt when none does (entries
// of other credentials, and anything that is not a well-formed entry, are skipped).
std::optional<LargeBlob> open_large_blob(const cbor::Array& entries, ByteSpan large_blob_key);

}  // namespace vfido
