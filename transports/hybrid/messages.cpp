#include "transports/hybrid/messages.h"

#include <algorithm>

#include "authenticator/cbor/codec.h"
#include "authenticator/cbor/map_reader.h"

namespace vfido::cable {
namespace {

constexpr std::int64_t kKeyGetInfo = 1;
constexpr std::int64_t kKeyLinking = 2;
constexpr std::int64_t kKeyFeatures = 3;
constexpr std::int64_t kKeyUpdatePadding = 0;
constexpr std::int64_t kKeyUpdateLinking = 1;
// §8.4: Chromium sizes the zero string as 492 - len(CBOR{1: linking map}).
constexpr std::size_t kUpdatePaddingBase = 492;
// getInfo and linking maps nest: post-handshake map -> getInfo bytes (opaque here) / linking map.
constexpr cbor::DecodeLimits kLimits{.max_depth = cbor::kDefaultMaxDepth, .max_size = kMaxMessagePayload};

}  // namespace

Bytes frame_message(MessageType type, ByteSpan payload) {
  Bytes out;
  out.reserve(payload.size() + 1);
  out.push_back(static_cast<std::uint8_t>(type));
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

CableResult<Message> parse_message(ByteSpan plaintext) {
  if (plaintext.empty()) return cable_fail(CableError::kBadMessage);
  // §8.2: types above 3 are an error.
  if (plaintext[0] > static_cast<std::uint8_t>(MessageType::kJson)) return cable_fail(CableError::kBadMessage);
  return Message{static_cast<MessageType>(plaintext[0]), Bytes(plaintext.begin() + 1, plaintext.end())};
}

bool PostHandshakeMessage::supports(std::string_view feature) const {
  if (!features) return feature == kFeatureCtap;  // §8.3: absent means ["ctap"]
  return std::find(features->begin(), features->end(), feature) != features->end();
}

CableResult<Bytes> encode_post_handshake(const PostHandshakeMessage& m) {
  cbor::Value map = cbor::Value::map();
  if (m.get_info) {
    auto info = cbor::decode(*m.get_info, kLimits);
    if (!info || !info->is_map()) return cable_fail(CableError::kBadMessage);
    map.set(kKeyGetInfo, cbor::Value::bytes(ByteSpan(*m.get_info)));
  }
  if (m.linking) map.set(kKeyLinking, encode_linking_map(*m.linking));
  if (m.features) {
    std::vector<std::string> sorted = *m.features;
    std::sort(sorted.begin(), sorted.end());
    cbor::Array a;
    for (const auto& f : sorted) a.push_back(cbor::Value::text(f));
    map.set(kKeyFeatures, cbor::Value::array(std::move(a)));
  }
  auto bytes = cbor::encode(map);
  if (!bytes) return cable_fail(CableError::kInternal);
  return std::move(*bytes);
}

CableResult<PostHandshakeMessage> parse_post_handshake(ByteSpan plaintext) {
  auto value = cbor::decode(plaintext, kLimits);
  if (!value) return cable_fail(CableError::kBadMessage);
  auto r = cbor::MapReader::from(*value);
  if (!r) return cable_fail(CableError::kBadMessage);
  PostHandshakeMessage m;
  auto info = r->optional_bytes(kKeyGetInfo);
  auto linking = r->optional_map(kKeyLinking);
  auto features = r->optional_array(kKeyFeatures);
  if (!info || !linking || !features) return cable_fail(CableError::kBadMessage);
  if (*info) {
    auto decoded = cbor::decode(**info, kLimits);
    if (!decoded || !decoded->is_map()) return cable_fail(CableError::kBadMessage);
    m.get_info = std::move(**info);
  }
  if (*linking != nullptr) {
    auto parsed = parse_linking_map(**linking);
    if (!parsed) return cable_fail(parsed.error());
    m.linking = std::move(*parsed);
  }
  if (*features != nullptr) {
    std::vector<std::string> list;
    for (const auto& f : **features) {
      if (!f.is_text()) return cable_fail(CableError::kBadMessage);
      list.push_back(f.as_text());
    }
    m.features = std::move(list);
  }
  // §8.3: a getInfo without the "ctap" feature is contradictory.
  if (m.get_info && !m.supports(kFeatureCtap)) return cable_fail(CableError::kBadMessage);
  return m;
}

Bytes encode_update_message(const LinkingInfo* linking) {
  std::size_t linking_len = 0;
  cbor::Value linking_map;
  if (linking != nullptr) {
    linking_map = encode_linking_map(*linking);
    cbor::Value only = cbor::Value::map();
    only.set(kKeyUpdateLinking, linking_map);
    linking_len = cbor::encode(only).value_or(Bytes{}).size();
  }
  const std::size_t zeros = linking_len < kUpdatePaddingBase ? kUpdatePaddingBase - linking_len : 0;
  cbor::Value map = cbor::Value::map();
  map.set(kKeyUpdatePadding, cbor::Value::bytes(Bytes(zeros, 0)));
  if (linking != nullptr) map.set(kKeyUpdateLinking, std::move(linking_map));
  return frame_message(MessageType::kUpdate, cbor::encode(map).value_or(Bytes{}));
}

CableResult<std::optional<LinkingInfo>> parse_update(ByteSpan payload) {
  auto value = cbor::decode(payload, kLimits);
  if (!value) return cable_fail(CableError::kBadMessage);
  auto r = cbor::MapReader::from(*value);
  if (!r) return cable_fail(CableError::kBadMessage);
  auto linking = r->optional_map(kKeyUpdateLinking);
  if (!linking) return cable_fail(CableError::kBadMessage);
  if (*linking == nullptr) return std::optional<LinkingInfo>();
  auto parsed = parse_linking_map(**linking);
  if (!parsed) return cable_fail(parsed.error());
  return std::optional<LinkingInfo>(std::move(*parsed));
}

}  // namespace vfido::cable
