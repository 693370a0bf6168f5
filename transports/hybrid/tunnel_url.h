// Where a tunnel server is: "wss://host[:port]" (TLS, port 443 by default, what phones and
// browsers use) or "ws://host[:port]" (plain, port 80 by default; vfido's loopback default).
// Real phones only know the domains of hybrid-protocol.md §5; vfido's two ends take an override
// URL instead (as webauthn-rs' cable-override-tunnel feature does, §6.3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfido::cable {

struct TunnelUrl {
  bool tls = true;
  std::string host;  // a name, an IPv4 address, or an IPv6 address without brackets
  std::uint16_t port = 443;

  // "wss://cable.ua5v.com", "ws://127.0.0.1:8080", "ws://[::1]:8080" (default ports omitted).
  std::string text() const;
  // The Host header value: host, with the port when it is not the default.
  std::string host_header() const;
  bool operator==(const TunnelUrl&) const = default;
};

// Accepts "ws://" or "wss://", a host, an optional ":port" (1-65535) and an optional trailing
// "/". Anything else (paths, queries, user info, empty host) is nullopt.
std::optional<TunnelUrl> parse_tunnel_url(std::string_view text);

// wss://<domain> for an encoded domain the advert carried (§5), nullopt for an unknown one.
std::optional<TunnelUrl> url_for_domain(std::uint16_t encoded_domain);

}  // namespace vfido::cable
