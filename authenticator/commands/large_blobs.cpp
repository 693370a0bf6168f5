#include "authenticator/commands/large_blobs.h"

#include <algorithm>
#include <limits>

#include "authenticator/cbor/map_reader.h"
#include "authenticator/commands/pin_uv_auth_param.h"
#include "authenticator/crypto/hash.h"
#include "authenticator/large_blob_array.h"
#include "authenticator/pin_uv_auth/token_state.h"

namespace vfido {
namespace {

// CTAP 2.1 §6.10.2 request keys.
constexpr int kGet = 0x01;
constexpr int kSet = 0x02;
constexpr int kOffset = 0x03;
constexpr int kLength = 0x04;
constexpr int kPinUvAuthParam = 0x05;
constexpr int kPinUvAuthProtocol = 0x06;

constexpr std::size_t kHashLen = 16;                // §6.10.2: LEFT(SHA-256(...), 16)
constexpr std::size_t kMinArrayLen = 1 + kHashLen;  // §6.10.2 step 5.2.3: an empty array and its hash
constexpr std::uint8_t kLargeBlobsCommand = 0x0C;

Result<LargeBlobsResponse> read_fragment(Ctx& ctx, const LargeBlobsRequest& req, std::uint64_t offset) {
  // Step 4.1-4.2: a read carries neither length nor PIN/UV parameters.
  if (req.length || req.pin_uv_auth_param || req.pin_uv_auth_protocol) {
    return ctx.reject(CtapStatus::kInvalidParameter, "largeBlobs step 4.1-4.2: get with length or pinUvAuth*");
  }
  // Step 4.3: at most maxFragmentLength bytes per read.
  if (*req.get > max_large_blob_fragment(ctx.profile)) {
    return ctx.reject(CtapStatus::kInvalidLength, "largeBlobs step 4.3: get longer than maxFragmentLength");
  }
  // Step 4.4: the offset lies within the array (its end included: an empty read).
  const Bytes& array = ctx.device.large_blob_array;
  if (offset > array.size()) {
    return ctx.reject(CtapStatus::kInvalidParameter, "largeBlobs step 4.4: offset beyond the array");
  }
  // Step 4.5: up to `get` bytes from offset.
  const std::size_t begin = static_cast<std::size_t>(offset);
  const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(*req.get), array.size() - begin);
  const auto first = array.begin() + static_cast<std::ptrdiff_t>(begin);
  return LargeBlobsResponse{Bytes(first, first + static_cast<std::ptrdiff_t>(n))};
}

// Step 5.5: the pinUvAuthParam of a fragment, when the device is protected or alwaysUv is on.
Result<void> authorize_fragment(Ctx& ctx, const LargeBlobsRequest& req, std::uint32_t offset) {
  if (!ctx.is_protected() && !ctx.device.always_uv) return {};
  if (!req.pin_uv_auth_param) {
    return ctx.reject(CtapStatus::kPuatRequired, "largeBlobs step 5.5.1: no pinUvAuthParam");
  }
  auto p = param_protocol(ctx, req.pin_uv_auth_param, req.pin_uv_auth_protocol, "largeBlobs step 5.5.2-5.5.3");
  if (!p) return fail(p.error());
  // 32 x 0xff || h'0c00' || uint32LittleEndian(offset) || SHA-256(set).
  const auto digest = crypto::sha256(*req.set);
  ByteWriter msg(32 + 2 + 4 + digest.size());
  for (int i = 0; i < 32; ++i) msg.u8(0xFF);
  msg.u8(kLargeBlobsCommand).u8(0x00);
  for (int shift = 0; shift < 32; shift += 8) msg.u8(static_cast<std::uint8_t>(offset >> shift));
  msg.bytes(digest);
  return authorize(ctx, **p, msg.view(), *req.pin_uv_auth_param, pin_uv_auth::permission::kLbw, std::nullopt,
                   "largeBlobs step 5.5.4-5.5.5");
}

// Step 5.10: the whole array arrived: check its hash, then replace the stored one.
Result<void> commit(Ctx& ctx, Bytes array) {
  if (!large_blob_array_hash_ok(array)) {
    return ctx.reject(CtapStatus::kIntegrityFailure, "largeBlobs step 5.10.1: trailing hash does not match");
  }
  // Atomic: the stored array changes only if the new one is saved.
  std::swap(ctx.device.large_blob_array, array);
  auto saved = ctx.save_device();
  if (!saved) std::swap(ctx.device.large_blob_array, array);
  return saved;
}

Result<LargeBlobsResponse> write_fragment(Ctx& ctx, const LargeBlobsRequest& req, std::uint64_t offset) {
  const Bytes& fragment = *req.set;
  // Step 5.1: at most maxFragmentLength bytes per write.
  if (fragment.size() > max_large_blob_fragment(ctx.profile)) {
    return ctx.reject(CtapStatus::kInvalidLength, "largeBlobs step 5.1: set longer than maxFragmentLength");
  }
  auto& write = ctx.session.large_blob_write;
  if (offset == 0) {
    // Step 5.2: the first fragment announces the total length and starts a new write.
    if (!req.length) {
      return ctx.reject(CtapStatus::kInvalidParameter, "largeBlobs step 5.2.1: offset 0 without length");
    }
    if (*req.length > ctx.profile.max_serialized_large_blob_array) {
      return ctx.reject(CtapStatus::kLargeBlobStorageFull,
                        "largeBlobs step 5.2.2: longer than maxSerializedLargeBlobArray");
    }
    if (*req.length < kMinArrayLen) {
      return ctx.reject(CtapStatus::kInvalidParameter, "largeBlobs step 5.2.3: length < 17");
    }
    write = LargeBlobWrite{static_cast<std::size_t>(*req.length), {}};
  } else if (req.length) {
    // Step 5.3: only the first fragment carries the length.
    return ctx.reject(CtapStatus::kInvalidParameter, "largeBlobs step 5.3.1: length with a non-zero offset");
  }
  // Step 5.4: fragments come in order (expectedNextOffset is 0 when no write is under way).
  if (!write || offset != write->buffer.size()) {
    return ctx.reject(CtapStatus::kInvalidSeq, "largeBlobs step 5.4: offset is not expectedNextOffset");
  }
  // Step 5.5 (offset < expectedLength <= maxSerializedLargeBlobArray, a uint32_t).
  VFIDO_TRY(authorize_fragment(ctx, req, static_cast<std::uint32_t>(offset)));
  // Step 5.6: no fragment beyond the announced length.
  if (fragment.size() > write->expected_length - write->buffer.size()) {
    return ctx.reject(CtapStatus::kInvalidParameter, "largeBlobs step 5.6: beyond the announced length");
  }
  // Steps 5.7-5.9: append.
  write->buffer.insert(write->buffer.end(), fragment.begin(), fragment.end());
  if (write->buffer.size() < write->expected_length) return LargeBlobsResponse{};
  // Step 5.10: complete.
  Bytes array = std::move(write->buffer);
  write.reset();
  VFIDO_TRY(commit(ctx, std::move(array)));
  return LargeBlobsResponse{};
}

}  // namespace

std::size_t max_large_blob_fragment(const AuthenticatorProfile& profile) {
  return profile.max_msg_size > 64 ? profile.max_msg_size - 64 : 0;
}

Result<LargeBlobsRequest> LargeBlobsRequest::parse(const cbor::Value& v) {
  auto m = cbor::MapReader::from(v);
  if (!m) return fail(m.error());
  LargeBlobsRequest r;
  for (auto [key, field] : {std::pair{kGet, &r.get}, std::pair{kOffset, &r.offset}, std::pair{kLength, &r.length},
                            std::pair{kPinUvAuthProtocol, &r.pin_uv_auth_protocol}}) {
    auto u = m->optional_uint(key);
    if (!u) return fail(u.error());
    *field = *u;
  }
  for (auto [key, field] : {std::pair{kSet, &r.set}, std::pair{kPinUvAuthParam, &r.pin_uv_auth_param}}) {
    auto b = m->optional_bytes(key);
    if (!b) return fail(b.error());
    *field = std::move(*b);
  }
  return r;
}

cbor::Value LargeBlobsResponse::encode() const {
  cbor::Value m = cbor::Value::map();
  if (config) m.set(0x01, cbor::Value::bytes(*config));
  return m;
}

Result<LargeBlobsResponse> large_blobs(Ctx& ctx, const LargeBlobsRequest& req) {
  // Step 1: offset is required; the spec answers its absence with INVALID_PARAMETER (as OpenSK
  // does), not MISSING_PARAMETER.
  if (!req.offset) return ctx.reject(CtapStatus::kInvalidParameter, "largeBlobs step 1: no offset");
  // Steps 2-3: exactly one of get and set.
  if (req.get.has_value() == req.set.has_value()) {
    return ctx.reject(CtapStatus::kInvalidParameter, "largeBlobs steps 2-3: not exactly one of get and set");
  }
  if (req.get) return read_fragment(ctx, req, *req.offset);
  return write_fragment(ctx, req, *req.offset);
}

}  // namespace vfido
