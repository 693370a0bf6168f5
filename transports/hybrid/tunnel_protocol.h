// The tunnel service's HTTP/WebSocket vocabulary (hybrid-protocol.md §6): request paths, header
// names, and vfido's own out-of-band channel that tells a phone about a /cable/contact request.
// Pure: building and parsing only; tunnel_server.h and tunnel_client.h move the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "authenticator/bytes.h"
#include "transports/hybrid/cable_error.h"
#include "transports/hybrid/derive.h"
#include "transports/hybrid/eid.h"

namespace vfido::cable {

// §6.1.
inline constexpr std::string_view kSubprotocol = "fido.cable";
inline constexpr std::string_view kRoutingIdHeader = "X-caBLE-Routing-ID";
inline constexpr std::string_view kClientPayloadHeader = "X-caBLE-Client-Payload";
inline constexpr std::string_view kSignalConnectionHeader = "X-caBLE-Signal-Connection";
// §6.2: the one unencrypted non-Noise message, sent to the /contact side when the phone joins.
inline constexpr std::uint8_t kConnectionSignal = 0x00;

using TunnelId = ByteArray<kTunnelIdLen>;

// Uppercase hex, as Chromium writes it (§6.1); parsing accepts either case.
std::string hex_upper(ByteSpan bytes);
std::optional<Bytes> parse_hex_any_case(std::string_view text);

std::string new_tunnel_path(const TunnelId& tunnel_id);                                // /cable/new/<HEX>
std::string connect_path(const RoutingId& routing_id, const TunnelId& tunnel_id);      // /cable/connect/<HEX>/<HEX>
std::string contact_path(ByteSpan contact_id);                                         // /cable/contact/<b64url>
// vfido's extension (not part of caBLE): a phone keeps this WebSocket open to hear about
// /cable/contact requests for its contact ID (Google and Apple use push notifications).
std::string listen_path(ByteSpan contact_id);                                          // /vfido/listen/<b64url>

struct TunnelRequest {
  enum class Kind : std::uint8_t { kNew, kConnect, kContact, kListen };
  Kind kind = Kind::kNew;
  TunnelId tunnel_id{};    // new, connect
  RoutingId routing_id{};  // connect
  Bytes contact_id;        // contact, listen (1..64 bytes)
};
// Parses a request target (path only; a query string is refused). kBadMessage for anything else.
CableResult<TunnelRequest> parse_tunnel_target(std::string_view target);

// What the server sends a listening phone when a desktop contacts it: CBOR {1: routing ID,
// 2: tunnel ID, 3: the desktop's client payload (bytes, as received)}. The phone then connects
// to /cable/connect/<routing ID>/<tunnel ID> (§9.2 "Phone").
struct ContactNotification {
  RoutingId routing_id{};
  TunnelId tunnel_id{};
  Bytes client_payload;
  bool operator==(const ContactNotification&) const = default;
};
Bytes encode_contact_notification(const ContactNotification& n);
CableResult<ContactNotification> parse_contact_notification(ByteSpan cbor);

inline constexpr std::size_t kMaxContactIdLen = 64;

}  // namespace vfido::cable
