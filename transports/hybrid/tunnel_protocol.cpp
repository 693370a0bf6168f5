#include "transports/hybrid/tunnel_protocol.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "authenticator/base64.h"
#include "authenticator/cbor/codec.h"
#include "authenticator/cbor/map_reader.h"
#include "transports/hybrid/fixed_bytes.h"

namespace vfido::cable {
namespace {

constexpr std::string_view kNewPrefix = "/cable/new/";
constexpr std::string_view kConnectPrefix = "/cable/connect/";
constexpr std::string_view kContactPrefix = "/cable/contact/";
constexpr std::string_view kListenPrefix = "/vfido/listen/";

template <std::size_t N>
std::optional<ByteArray<N>> hex_array(std::string_view text) {
  auto b = parse_hex_any_case(text);
  if (!b || b->size() != N) return std::nullopt;
  ByteArray<N> out{};
  std::copy(b->begin(), b->end(), out.begin());
  return out;
}

std::optional<Bytes> contact_id_from(std::string_view text) {
  auto id = base64url_decode(text);  // RFC 4648 §5, strict
  if (!id || id->empty() || id->size() > kMaxContactIdLen) return std::nullopt;
  return id;
}

}  // namespace

std::string hex_upper(ByteSpan bytes) {
  std::string out = to_hex(bytes);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'a' ? static_cast<char>(c - 32) : c; });
  return out;
}

std::optional<Bytes> parse_hex_any_case(std::string_view text) {
  // from_hex skips whitespace, which a path or header value must not contain.
  if (std::any_of(text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); })) {
    return std::nullopt;
  }
  auto b = from_hex(text);
  if (!b) return std::nullopt;
  return std::move(*b);
}

std::string new_tunnel_path(const TunnelId& tunnel_id) { return std::string(kNewPrefix) + hex_upper(tunnel_id); }

std::string connect_path(const RoutingId& routing_id, const TunnelId& tunnel_id) {
  return std::string(kConnectPrefix) + hex_upper(routing_id) + "/" + hex_upper(tunnel_id);
}

std::string contact_path(ByteSpan contact_id) { return std::string(kContactPrefix) + base64url_encode(contact_id); }

std::string listen_path(ByteSpan contact_id) { return std::string(kListenPrefix) + base64url_encode(contact_id); }

CableResult<TunnelRequest> parse_tunnel_target(std::string_view target) {
  TunnelRequest req;
  auto starts = [&](std::string_view prefix) { return target.substr(0, prefix.size()) == prefix; };
  if (starts(kNewPrefix)) {
    auto id = hex_array<kTunnelIdLen>(target.substr(kNewPrefix.size()));
    if (!id) return cable_fail(CableError::kBadMessage);
    req.kind = TunnelRequest::Kind::kNew;
    req.tunnel_id = *id;
    return req;
  }
  if (starts(kConnectPrefix)) {
    const std::string_view rest = target.substr(kConnectPrefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) return cable_fail(CableError::kBadMessage);
    auto routing = hex_array<kRoutingIdLen>(rest.substr(0, slash));
    auto id = hex_array<kTunnelIdLen>(rest.substr(slash + 1));
    if (!routing || !id) return cable_fail(CableError::kBadMessage);
    req.kind = TunnelRequest::Kind::kConnect;
    req.routing_id = *routing;
    req.tunnel_id = *id;
    return req;
  }
  const bool contact = starts(kContactPrefix);
  if (contact || starts(kListenPrefix)) {
    auto id = contact_id_from(target.substr(contact ? kContactPrefix.size() : kListenPrefix.size()));
    if (!id) return cable_fail(CableError::kBadMessage);
    req.kind = contact ? TunnelRequest::Kind::kContact : TunnelRequest::Kind::kListen;
    req.contact_id = std::move(*id);
    return req;
  }
  return cable_fail(CableError::kBadMessage);
}

Bytes encode_contact_notification(const ContactNotification& n) {
  cbor::Value m = cbor::Value::map();
  m.set(1, cbor::Value::bytes(ByteSpan(n.routing_id)));
  m.set(2, cbor::Value::bytes(ByteSpan(n.tunnel_id)));
  m.set(3, cbor::Value::bytes(ByteSpan(n.client_payload)));
  return cbor::encode(m).value_or(Bytes{});
}

CableResult<ContactNotification> parse_contact_notification(ByteSpan bytes) {
  auto value = cbor::decode(bytes, {.max_depth = 1, .max_size = 1024});
  if (!value) return cable_fail(CableError::kBadMessage);
  auto r = cbor::MapReader::from(*value);
  if (!r) return cable_fail(CableError::kBadMessage);
  auto routing = r->required_bytes(1);
  auto tunnel = r->required_bytes(2);
  auto payload = r->required_bytes(3);
  ContactNotification n;
  if (!routing || !tunnel || !payload || !copy_exact(*routing, n.routing_id) || !copy_exact(*tunnel, n.tunnel_id)) {
    return cable_fail(CableError::kBadMessage);
  }
  n.client_payload = std::move(*payload);
  return n;
}

}  // namespace vfido::cable
