// authenticatorLargeBlobs (0x0C), CTAP 2.1 §6.10: reads and writes the serialized large-blob
// array, an opaque byte string (a CBOR array of encrypted entries followed by
// LEFT(SHA-256(array), 16)) that platforms manage with credentials' largeBlobKeys.
//
// Reads come in fragments of at most maxFragmentLength = maxMsgSize - 64 bytes. Writes come in
// fragments in order: the first (offset 0) announces the total length, every one with a
// pinUvAuthParam when the device is protected or alwaysUv is on; the whole array is checked
// against its trailing hash and then replaces the stored one at once (DeviceState, saved through
// the StateStore). A write in progress lives in SessionState.
#pragma once

#include <cstdint>
#include <optional>

#include "authenticator/cbor/value.h"
#include "authenticator/commands/context.h"

namespace vfido {

// CTAP 2.1 §6.10.2 request map; types are checked here, the rules in large_blobs().
struct LargeBlobsRequest {
  std::optional<std::uint64_t> get;                   // 0x01: bytes to read
  std::optional<Bytes> set;                           // 0x02: a fragment to write
  std::optional<std::uint64_t> offset;                // 0x03
  std::optional<std::uint64_t> length;                // 0x04: total length, with set at offset 0
  std::optional<Bytes> pin_uv_auth_param;             // 0x05
  std::optional<std::uint64_t> pin_uv_auth_protocol;  // 0x06

  static Result<LargeBlobsRequest> parse(const cbor::Value& v);
};

// 0x01 config: the bytes read (get only); a set answers the status byte alone.
struct LargeBlobsResponse {
  std::optional<Bytes> config;

  cbor::Value encode() const;
};

// CTAP 2.1 §6.10.2, statuses in the order of its steps:
//   offset absent, both or neither of get/set                  -> CTAP1_ERR_INVALID_PARAMETER
//   get: with length, pinUvAuthParam or pinUvAuthProtocol      -> CTAP1_ERR_INVALID_PARAMETER
//        more than maxFragmentLength                           -> CTAP1_ERR_INVALID_LENGTH
//        offset beyond the array                               -> CTAP1_ERR_INVALID_PARAMETER
//   set: fragment longer than maxFragmentLength                -> CTAP1_ERR_INVALID_LENGTH
//        offset 0 without length, or length < 17               -> CTAP1_ERR_INVALID_PARAMETER
//        length > maxSerializedLargeBlobArray                  -> CTAP2_ERR_LARGE_BLOB_STORAGE_FULL
//        length with a non-zero offset                         -> CTAP1_ERR_INVALID_PARAMETER
//        offset not where the last fragment ended              -> CTAP1_ERR_INVALID_SEQ
//        protected or alwaysUv: no pinUvAuthParam              -> CTAP2_ERR_PUAT_REQUIRED
//          no/unsupported protocol -> MISSING_PARAMETER/INVALID_PARAMETER; the parameter does not
//          verify over 32x0xff || 0x0c 0x00 || uint32LE(offset) || SHA-256(set), or the token
//          lacks lbw                                           -> CTAP2_ERR_PIN_AUTH_INVALID
//        fragment beyond length                                -> CTAP1_ERR_INVALID_PARAMETER
//        last fragment: trailing hash wrong                    -> CTAP2_ERR_INTEGRITY_FAILURE
Result<LargeBlobsResponse> large_blobs(Ctx& ctx, const LargeBlobsRequest& req);

// maxFragmentLength (§6.10.2): maxMsgSize - 64.
std::size_t max_large_blob_fragment(const AuthenticatorProfile& profile);

}  // namespace vfido
