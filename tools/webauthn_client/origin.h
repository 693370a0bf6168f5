// Web origins (HTML §7.5 "Origin"; RFC 6454) as the WebAuthn client sees the caller: parsed from
// a URL the way the WHATWG URL Standard does for the schemes that matter here, with the host
// kept in its serialized form (a lower-case ASCII domain, a dotted IPv4 address, or a bracketed
// IPv6 address), the port dropped when it is the scheme's default, and "opaque" origins for
// everything that has no tuple origin (data:, file:, about:, "null"...).
//
// Not covered: internationalized domain names in Unicode (give their xn-- form), percent-encoded
// hosts, and schemes other than http, https, ws, wss and ftp as tuple origins.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace vfido::webauthn {

enum class HostKind : std::uint8_t { kDomain, kIpv4, kIpv6 };

struct Origin {
  bool opaque = true;
  std::string scheme;              // lower case, e.g. "https"
  std::string host;                // serialized: "login.example.com", "127.0.0.1", "[::1]"
  HostKind host_kind = HostKind::kDomain;
  std::optional<std::uint16_t> port;  // nullopt: the scheme's default port

  // HTML "ASCII serialization of an origin": "https://host[:port]", or "null" when opaque.
  std::string serialize() const;
  // HTML "same origin": both opaque and identical objects never happen here, so two opaque
  // origins are never the same; tuple origins compare scheme, host and port.
  bool same_origin(const Origin& other) const;
  // HTML "effective domain" without document.domain: the host, or "" for an opaque origin.
  std::string effective_domain() const { return opaque ? std::string() : host; }
  bool is_ip_address() const { return !opaque && host_kind != HostKind::kDomain; }
  // Secure Contexts §3.1 "potentially trustworthy origin": https/wss, loopback addresses, and
  // "localhost" or names under ".localhost" (RFC 6761 §6.3, as browsers treat them).
  bool potentially_trustworthy() const;
};

// Parses an absolute URL (a path, query and fragment may follow the host) or the literal
// "null". Errors say what is wrong: "not an absolute URL", "port 70000 is out of range",
// "host contains a non-ASCII character (give the xn-- form)".
tl::expected<Origin, std::string> parse_origin(std::string_view url);

// WHATWG URL "valid domain" as WebAuthn needs it (§5.1.3 step 8): an ASCII domain of at most
// 253 characters whose labels are 1..63 letters, digits or hyphens. Not an IP address, not empty,
// no trailing dot.
bool is_valid_domain(std::string_view host);

}  // namespace vfido::webauthn
