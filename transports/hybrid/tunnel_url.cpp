#include "transports/hybrid/tunnel_url.h"

#include <algorithm>
#include <charconv>

#include "transports/hybrid/tunnel_domain.h"

namespace vfido::cable {
namespace {

bool valid_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

bool valid_v6_char(char c) {
  return c == ':' || c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::string TunnelUrl::host_header() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string h = v6 ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) h += ":" + std::to_string(port);
  return h;
}

std::string TunnelUrl::text() const { return std::string(tls ? "wss://" : "ws://") + host_header(); }

std::optional<TunnelUrl> parse_tunnel_url(std::string_view text) {
  TunnelUrl url;
  if (text.substr(0, 6) == "wss://") {
    url.tls = true;
    url.port = 443;
    text.remove_prefix(6);
  } else if (text.substr(0, 5) == "ws://") {
    url.tls = false;
    url.port = 80;
    text.remove_prefix(5);
  } else {
    return std::nullopt;
  }
  if (!text.empty() && text.back() == '/') text.remove_suffix(1);
  std::optional<std::string_view> port_text;
  if (!text.empty() && text.front() == '[') {
    // RFC 3986 §3.2.2: an IPv6 literal in brackets.
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    url.host = std::string(text.substr(1, close - 1));
    const std::string_view after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port_text = after.substr(1);
    }
    if (url.host.empty() || !std::all_of(url.host.begin(), url.host.end(), valid_v6_char)) return std::nullopt;
  } else {
    const auto colon = text.find(':');
    url.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
    if (url.host.empty() || !std::all_of(url.host.begin(), url.host.end(), valid_host_char)) return std::nullopt;
  }
  if (port_text) {
    unsigned port = 0;
    const char* first = port_text->data();
    const char* last = first + port_text->size();
    auto [end, ec] = std::from_chars(first, last, port);
    if (port_text->empty() || ec != std::errc() || end != last || port == 0 || port > 65535) return std::nullopt;
    url.port = static_cast<std::uint16_t>(port);
  }
  return url;
}

std::optional<TunnelUrl> url_for_domain(std::uint16_t encoded_domain) {
  auto domain = decode_domain(encoded_domain);
  if (!domain) return std::nullopt;
  return TunnelUrl{true, std::move(*domain), 443};
}

}  // namespace vfido::cable
