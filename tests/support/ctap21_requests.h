// Requests for authenticatorLargeBlobs (CTAP 2.1 §6.10) and authenticatorConfig (§6.11) as a
// platform builds them, with their pinUvAuthParam computed from a pinUvAuthToken: written from
// the spec independently of the core's handlers (shared: only the pin_uv_auth primitives).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "authenticator/crypto/hash.h"
#include "tests/support/pin_platform.h"

namespace vfido::test {

// Sets map member `key` of `m`, replacing the member already there (cbor::Value::set appends).
inline void put(cbor::Value& m, std::int64_t key, cbor::Value v) {
  std::erase_if(m.as_map(), [&](const auto& kv) { return kv.first == cbor::Value::integer(key); });
  m.set(key, std::move(v));
}

// A serialized large-blob array: CBOR `array` followed by LEFT(SHA-256(array), 16).
inline Bytes serialized_large_blob_array(const cbor::Value& array) {
  auto body = cbor::encode(array);
  REQUIRE(body.has_value());
  Bytes out = *body;
  auto digest = crypto::sha256(out);
  out.insert(out.end(), digest.begin(), digest.begin() + 16);
  return out;
}

// An array of `n` byte strings of 100 bytes each, serialized: a test payload of any size.
inline Bytes large_blob_array_of(std::size_t n, std::uint8_t fill = 0x5A) {
  cbor::Array entries;
  for (std::size_t i = 0; i < n; ++i) entries.push_back(cbor::Value::bytes(Bytes(100, static_cast<std::uint8_t>(fill + i))));
  return serialized_large_blob_array(cbor::Value::array(std::move(entries)));
}

struct PuatParam {
  const PinPlatform& host;
  Bytes token;
};

inline cbor::Value large_blobs_get(std::uint64_t offset, std::uint64_t count) {
  cbor::Value m = cbor::Value::map();
  m.set(0x01, cbor::Value::uint(count));
  m.set(0x03, cbor::Value::uint(offset));
  return m;
}

// A set fragment; `length` goes with offset 0; with `auth`, pinUvAuthParam (0x05) over
// 32x0xff || 0x0c 0x00 || uint32LE(offset) || SHA-256(fragment) and pinUvAuthProtocol (0x06).
inline cbor::Value large_blobs_set(std::uint64_t offset, ByteSpan fragment, std::optional<std::uint64_t> length,
                                   const std::optional<PuatParam>& auth = std::nullopt) {
  cbor::Value m = cbor::Value::map();
  m.set(0x02, cbor::Value::bytes(fragment));
  m.set(0x03, cbor::Value::uint(offset));
  if (length) m.set(0x04, cbor::Value::uint(*length));
  if (auth) {
    Bytes msg(32, 0xFF);
    msg.push_back(0x0C);
    msg.push_back(0x00);
    for (int shift = 0; shift < 32; shift += 8) msg.push_back(static_cast<std::uint8_t>(offset >> shift));
    auto digest = crypto::sha256(fragment);
    msg.insert(msg.end(), digest.begin(), digest.end());
    m.set(0x05, cbor::Value::bytes(auth->host.param(auth->token, msg)));
    m.set(0x06, cbor::Value::uint(auth->host.protocol_number()));
  }
  return m;
}

// An authenticatorConfig request; with `auth`, pinUvAuthProtocol (0x03) and pinUvAuthParam
// (0x04) over 32x0xff || 0x0d || subCommand || CBOR(subCommandParams).
inline cbor::Value config_request(std::uint64_t sub_command, const std::optional<cbor::Value>& params = std::nullopt,
                                  const std::optional<PuatParam>& auth = std::nullopt) {
  cbor::Value m = cbor::Value::map();
  m.set(0x01, cbor::Value::uint(sub_command));
  if (params) m.set(0x02, *params);
  if (auth) {
    Bytes msg(32, 0xFF);
    msg.push_back(0x0D);
    msg.push_back(static_cast<std::uint8_t>(sub_command));
    if (params) {
      auto body = cbor::encode(*params);
      REQUIRE(body.has_value());
      msg.insert(msg.end(), body->begin(), body->end());
    }
    m.set(0x03, cbor::Value::uint(auth->host.protocol_number()));
    m.set(0x04, cbor::Value::bytes(auth->host.param(auth->token, msg)));
  }
  return m;
}

// setMinPINLength's subCommandParams.
inline cbor::Value min_pin_length_params(std::optional<std::uint64_t> length,
                                         const std::optional<std::vector<std::string>>& rp_ids = std::nullopt,
                                         std::optional<bool> force = std::nullopt) {
  cbor::Value m = cbor::Value::map();
  if (length) m.set(0x01, cbor::Value::uint(*length));
  if (rp_ids) {
    cbor::Array ids;
    for (const auto& id : *rp_ids) ids.push_back(cbor::Value::text(id));
    m.set(0x02, cbor::Value::array(std::move(ids)));
  }
  if (force) m.set(0x03, cbor::Value::boolean(*force));
  return m;
}

// authenticatorConfig subcommands (§6.11).
inline constexpr std::uint64_t kEnableEnterpriseAttestation = 0x01;
inline constexpr std::uint64_t kToggleAlwaysUv = 0x02;
inline constexpr std::uint64_t kSetMinPinLength = 0x03;

inline Reply send_config(Authenticator& a, const cbor::Value& req) { return call(a, message(CtapCommand::kConfig, req)); }
inline Reply send_large_blobs(Authenticator& a, const cbor::Value& req) {
  return call(a, message(CtapCommand::kLargeBlobs, req));
}

// getInfo's options map member `name`, or nullopt when absent.
inline std::optional<bool> info_option(Authenticator& a, std::string_view name) {
  Reply info = call(a, message(CtapCommand::kGetInfo));
  REQUIRE(info.status == CtapStatus::kOk);
  const cbor::Value* v = info.at(0x04).find(name);
  if (v == nullptr) return std::nullopt;
  return v->as_bool();
}

}  // namespace vfido::test
