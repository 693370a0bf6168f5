#include "tools/webauthn_client/origin.h"

#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <vector>

namespace vfido::webauthn {
namespace {

using Err = tl::unexpected<std::string>;

bool is_special_tuple_scheme(std::string_view s) {
  return s == "http" || s == "https" || s == "ws" || s == "wss" || s == "ftp";
}

std::optional<std::uint16_t> default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "ftp") return 21;
  return std::nullopt;
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// WHATWG URL "forbidden domain code point" (ASCII part), plus '%' which we do not decode.
bool forbidden_in_domain(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u == 0x7F) return true;
  switch (c) {
    case '#': case '%': case '/': case ':': case '<': case '>': case '?': case '@':
    case '[': case '\\': case ']': case '^': case '|':
      return true;
    default:
      return false;
  }
}

// WHATWG URL "IPv4 number parser": 0x/0X hex, a leading 0 octal, otherwise decimal.
std::optional<std::uint64_t> ipv4_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int radix = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    radix = 16;
  } else if (s.size() >= 2 && s[0] == '0') {
    s.remove_prefix(1);
    radix = 8;
  }
  if (s.empty()) return 0;
  std::uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (radix == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (radix == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return std::nullopt;
    if (d >= radix) return std::nullopt;
    v = v * static_cast<std::uint64_t>(radix) + static_cast<std::uint64_t>(d);
    if (v > 0xFFFFFFFFULL) return std::nullopt;
  }
  return v;
}

std::vector<std::string_view> split_dots(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

// WHATWG URL "ends in a number checker": the last label (ignoring one trailing empty label) is
// all digits, or 0x followed by hex digits.
bool ends_in_number(std::string_view host) {
  auto parts = split_dots(host);
  if (parts.back().empty()) {
    if (parts.size() == 1) return false;
    parts.pop_back();
  }
  std::string_view last = parts.back();
  if (!last.empty() && last.find_first_not_of("0123456789") == std::string_view::npos) return true;
  return ipv4_number(last).has_value() && last.size() >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X');
}

// WHATWG URL "IPv4 parser"; the result serialized as dotted decimal.
tl::expected<std::string, std::string> parse_ipv4(std::string_view host) {
  auto parts = split_dots(host);
  if (parts.back().empty() && parts.size() > 1) parts.pop_back();
  if (parts.size() > 4) return Err("IPv4 address " + std::string(host) + " has more than four parts");
  std::vector<std::uint64_t> nums;
  for (auto p : parts) {
    auto n = ipv4_number(p);
    if (!n) return Err("host " + std::string(host) + " ends in a number but is not a valid IPv4 address");
    nums.push_back(*n);
  }
  for (std::size_t i = 0; i + 1 < nums.size(); ++i) {
    if (nums[i] > 255) return Err("IPv4 address " + std::string(host) + " has a part above 255");
  }
  const std::uint64_t limit = 1ULL << (8 * (5 - nums.size()));
  if (nums.back() >= limit) return Err("IPv4 address " + std::string(host) + " is out of range");
  std::uint64_t v = nums.back();
  for (std::size_t i = 0; i + 1 < nums.size(); ++i) v += nums[i] << (8 * (3 - i));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", static_cast<unsigned>((v >> 24) & 255U),
                static_cast<unsigned>((v >> 16) & 255U), static_cast<unsigned>((v >> 8) & 255U),
                static_cast<unsigned>(v & 255U));
  return std::string(buf);
}

// WHATWG URL "IPv6 serializer": lower-case hex pieces, the first longest run of two or more zero
// pieces compressed to "::", in brackets.
tl::expected<std::string, std::string> parse_ipv6(std::string_view inside) {
  std::string text(inside);
  std::array<unsigned char, 16> addr{};
  if (inet_pton(AF_INET6, text.c_str(), addr.data()) != 1) return Err("[" + text + "] is not a valid IPv6 address");
  std::array<unsigned, 8> piece{};
  for (std::size_t i = 0; i < 8; ++i) piece[i] = (unsigned{addr[2 * i]} << 8) | addr[2 * i + 1];
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (piece[static_cast<std::size_t>(i)] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && piece[static_cast<std::size_t>(j)] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best = -1;
  std::string out = "[";
  bool ignore0 = false;
  for (int i = 0; i < 8; ++i) {
    if (ignore0 && piece[static_cast<std::size_t>(i)] == 0) continue;
    ignore0 = false;
    if (i == best) {
      out += i == 0 ? "::" : ":";
      ignore0 = true;
      continue;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "%x", piece[static_cast<std::size_t>(i)]);
    out += buf;
    if (i != 7) out += ":";
  }
  return out + "]";
}

}  // namespace

std::string Origin::serialize() const {
  if (opaque) return "null";
  std::string out = scheme + "://" + host;
  if (port) out += ":" + std::to_string(*port);
  return out;
}

bool Origin::same_origin(const Origin& other) const {
  if (opaque || other.opaque) return false;
  return scheme == other.scheme && host == other.host && port == other.port;
}

bool Origin::potentially_trustworthy() const {
  if (opaque) return false;
  if (scheme == "https" || scheme == "wss") return true;
  if (host_kind == HostKind::kIpv4) return host.rfind("127.", 0) == 0;
  if (host_kind == HostKind::kIpv6) return host == "[::1]";
  return host == "localhost" || (host.size() > 10 && host.compare(host.size() - 10, 10, ".localhost") == 0);
}

tl::expected<Origin, std::string> parse_origin(std::string_view url) {
  Origin o;
  if (url == "null") return o;
  const std::size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(url[0]))) {
    return Err("\"" + std::string(url) + "\" is not an absolute URL (scheme://host)");
  }
  std::string scheme;
  for (char c : url.substr(0, colon)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return Err("\"" + std::string(url) + "\" has an invalid scheme");
    }
    scheme.push_back(lower(c));
  }
  std::string_view rest = url.substr(colon + 1);
  if (!is_special_tuple_scheme(scheme)) return o;  // data:, file:, about:, blob:... have opaque origins here
  if (rest.substr(0, 2) != "//") return Err("\"" + std::string(url) + "\" has no //host after " + scheme + ":");
  rest.remove_prefix(2);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#\\"));
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);  // userinfo
  std::string_view host_text = authority;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return Err("unterminated IPv6 address in \"" + std::string(url) + "\"");
    host_text = authority.substr(0, close + 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Err("junk after the IPv6 address in \"" + std::string(url) + "\"");
      has_port = true;
      port_text = after.substr(1);
    }
  } else if (auto c = authority.rfind(':'); c != std::string_view::npos) {
    host_text = authority.substr(0, c);
    has_port = true;
    port_text = authority.substr(c + 1);
  }
  if (host_text.empty()) return Err("\"" + std::string(url) + "\" has an empty host");
  if (has_port && !port_text.empty()) {
    if (port_text.find_first_not_of("0123456789") != std::string_view::npos) {
      return Err("port \"" + std::string(port_text) + "\" is not a number");
    }
    if (port_text.size() > 5 || std::stoul(std::string(port_text)) > 65535) {
      return Err("port " + std::string(port_text) + " is out of range");
    }
    const auto port = static_cast<std::uint16_t>(std::stoul(std::string(port_text)));
    if (port != default_port(scheme)) o.port = port;
  }
  if (host_text[0] == '[') {
    auto v6 = parse_ipv6(host_text.substr(1, host_text.size() - 2));
    if (!v6) return Err(v6.error());
    o.host = *v6;
    o.host_kind = HostKind::kIpv6;
  } else {
    std::string host;
    for (char c : host_text) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        return Err("host \"" + std::string(host_text) + "\" contains a non-ASCII character (give the xn-- form)");
      }
      if (forbidden_in_domain(c)) return Err("host \"" + std::string(host_text) + "\" contains a forbidden character");
      host.push_back(lower(c));
    }
    if (ends_in_number(host)) {
      auto v4 = parse_ipv4(host);
      if (!v4) return Err(v4.error());
      o.host = *v4;
      o.host_kind = HostKind::kIpv4;
    } else {
      o.host = host;
      o.host_kind = HostKind::kDomain;
    }
  }
  o.scheme = scheme;
  o.opaque = false;
  return o;
}

bool is_valid_domain(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (auto label : split_dots(host)) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
  }
  return !ends_in_number(host);
}

}  // namespace vfido::webauthn
