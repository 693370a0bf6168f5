// Origins as the WebAuthn client parses them (HTML origins, WHATWG URL hosts).
#include <doctest/doctest.h>

#include "tools/webauthn_client/origin.h"

using namespace vfido::webauthn;

namespace {
Origin parse(const char* url) {
  auto o = parse_origin(url);
  INFO(url << ": " << (o ? "" : o.error()));
  REQUIRE(o);
  return *o;
}
}  // namespace

TEST_CASE("origin: scheme, host and port; the default port is dropped") {
  Origin o = parse("HTTPS://Login.Example.COM:443/common/oauth2?x=1#frag");
  CHECK_FALSE(o.opaque);
  CHECK(o.scheme == "https");
  CHECK(o.host == "login.example.com");
  CHECK_FALSE(o.port);
  CHECK(o.serialize() == "https://login.example.com");
  CHECK(parse("https://login.example.com:1337").serialize() == "https://login.example.com:1337");
  CHECK(parse("http://example.com:80").serialize() == "http://example.com");
  CHECK(parse("https://user:pw@example.com/").host == "example.com");
  CHECK(parse("https://a.example").same_origin(parse("https://a.example:443/x")));
  CHECK_FALSE(parse("https://a.example").same_origin(parse("http://a.example")));
  CHECK_FALSE(parse("https://a.example").same_origin(parse("https://a.example:8443")));
}

TEST_CASE("origin: opaque origins") {
  for (const char* url : {"null", "data:text/html,hi", "file:///etc/passwd", "about:blank", "blob:https://a.example/x"}) {
    CAPTURE(url);
    Origin o = parse(url);
    CHECK(o.opaque);
    CHECK(o.serialize() == "null");
    CHECK(o.effective_domain().empty());
    CHECK_FALSE(o.same_origin(o));
  }
}

TEST_CASE("origin: IP addresses are serialized the WHATWG way") {
  Origin v4 = parse("https://192.168.0.1:8443");
  CHECK(v4.host_kind == HostKind::kIpv4);
  CHECK(v4.is_ip_address());
  CHECK(parse("https://0x7f.1").host == "127.0.0.1");  // hex and shortened forms
  CHECK(parse("https://3232235521").host == "192.168.0.1");
  Origin v6 = parse("https://[0:0:0:0:0:0:0:1]");
  CHECK(v6.host_kind == HostKind::kIpv6);
  CHECK(v6.host == "[::1]");
  CHECK(parse("https://[2001:DB8:0:0:1:0:0:1]:444").serialize() == "https://[2001:db8::1:0:0:1]:444");
  CHECK(parse("https://[2001:db8:1:1:1:1:0:1]").host == "[2001:db8:1:1:1:1:0:1]");  // one zero piece stays
}

TEST_CASE("origin: secure contexts") {
  CHECK(parse("https://example.com").potentially_trustworthy());
  CHECK(parse("http://localhost:3000").potentially_trustworthy());
  CHECK(parse("http://app.localhost").potentially_trustworthy());
  CHECK(parse("http://127.0.0.1").potentially_trustworthy());
  CHECK(parse("http://[::1]").potentially_trustworthy());
  CHECK_FALSE(parse("http://example.com").potentially_trustworthy());
  CHECK_FALSE(parse("http://notlocalhost").potentially_trustworthy());
}

TEST_CASE("origin: bad input gets a reason") {
  struct Case {
    const char* url;
    const char* says;
  } cases[] = {
      {"login.example.com", "not an absolute URL"},
      {"https:login.example.com", "no //host"},
      {"https://", "empty host"},
      {"https://exa mple.com", "forbidden character"},
      {"https://b\xc3\xbc" "cher.de", "non-ASCII"},
      {"https://example.com:70000", "out of range"},
      {"https://example.com:8x", "not a number"},
      {"https://1.2.3.4.5", "more than four parts"},
      {"https://256.1.1.1", "above 255"},
      {"https://[::1", "unterminated"},
      {"https://[12345::1]", "not a valid IPv6"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.url);
    auto o = parse_origin(c.url);
    REQUIRE_FALSE(o);
    CHECK(o.error().find(c.says) != std::string::npos);
  }
}

TEST_CASE("origin: valid domains") {
  CHECK(is_valid_domain("example.com"));
  CHECK(is_valid_domain("xn--bcher-kva.de"));
  CHECK(is_valid_domain("localhost"));
  CHECK_FALSE(is_valid_domain(""));
  CHECK_FALSE(is_valid_domain("a..b"));
  CHECK_FALSE(is_valid_domain("example.com."));
  CHECK_FALSE(is_valid_domain("under_score.example"));
  CHECK_FALSE(is_valid_domain(std::string(64, 'a') + ".example"));
  CHECK(is_valid_domain(std::string(63, 'a') + ".example"));
  CHECK_FALSE(is_valid_domain("192.168.0.1"));
}
