// RP ID validation per client profile, with the public suffix list (WebAuthn L3 §5.1.3 steps
// 7-9; HTML "is a registrable domain suffix of or is equal to"; related origins §5.11).
#include <doctest/doctest.h>

#include "tests/tools/webauthn_client/client_fixture.h"
#include "tools/webauthn_client/rp_id.h"

using namespace vfido::webauthn;
using vfido::test::origin;
using vfido::test::psl;

namespace {

CallerContext page(const char* url) { return CallerContext{origin(url), std::nullopt, true}; }

tl::expected<std::string, ClientError> rp_id(const char* client, const CallerContext& caller,
                                             std::optional<std::string> requested, WellKnownFetcher* fetcher = nullptr) {
  auto profile = client_profile(client);
  REQUIRE(profile);
  return determine_rp_id(*profile, caller, requested, psl(), fetcher);
}

bool allowed(const char* url, const char* requested) { return rp_id("browser-legacy", page(url), std::string(requested)).has_value(); }

}  // namespace

TEST_CASE("rp id: equal to the effective domain or a registrable suffix of it") {
  CHECK(allowed("https://login.example.com:1337", "login.example.com"));
  CHECK(allowed("https://login.example.com:1337", "example.com"));
  CHECK_FALSE(allowed("https://login.example.com", "m.login.example.com"));
  CHECK_FALSE(allowed("https://login.example.com", "com"));
  CHECK_FALSE(allowed("https://login.example.com", "other.com"));
  CHECK_FALSE(allowed("https://notexample.com", "example.com"));  // a suffix only at a dot
  CHECK_FALSE(allowed("https://login.example.com", ""));
  // No RP ID given: the effective domain.
  auto defaulted = rp_id("browser", page("https://login.example.com:8443"), std::nullopt);
  REQUIRE(defaulted);
  CHECK(*defaulted == "login.example.com");
}

TEST_CASE("rp id: public suffix list edge cases") {
  // co.uk is a public suffix; example.co.uk is registrable.
  CHECK(allowed("https://www.example.co.uk", "example.co.uk"));
  CHECK_FALSE(allowed("https://www.example.co.uk", "co.uk"));
  // github.io is in the private section: one user's pages cannot claim it or another's.
  CHECK(allowed("https://alice.github.io", "alice.github.io"));
  CHECK_FALSE(allowed("https://alice.github.io", "github.io"));
  CHECK_FALSE(allowed("https://bob.github.io", "alice.github.io"));
  // s3.amazonaws.com is a public suffix, amazonaws.com is not: a bucket's page may not claim
  // a domain inside its own public suffix (HTML step 4.3, second condition).
  auto inside = rp_id("browser-legacy", page("https://bucket.s3.amazonaws.com"), std::string("amazonaws.com"));
  REQUIRE_FALSE(inside);
  CHECK(inside.error().message.find("inside") != std::string::npos);
  // Wildcard rule *.ck with the exception !www.ck.
  CHECK_FALSE(allowed("https://a.foo.ck", "foo.ck"));
  CHECK(allowed("https://a.www.ck", "www.ck"));
}

TEST_CASE("rp id: IP addresses, localhost, insecure and opaque origins") {
  auto ip = rp_id("browser", page("https://192.168.0.10"), std::string("192.168.0.10"));
  REQUIRE_FALSE(ip);
  CHECK(ip.error().name == DomExceptionName::kSecurityError);
  CHECK(ip.error().message.find("IP addresses") != std::string::npos);
  CHECK_FALSE(rp_id("browser", page("https://[::1]"), std::nullopt));

  auto local = rp_id("browser", page("http://localhost:3000"), std::nullopt);
  REQUIRE(local);
  CHECK(*local == "localhost");
  CHECK(rp_id("browser", page("http://localhost:3000"), std::string("localhost")));
  CHECK_FALSE(rp_id("browser", page("http://app.localhost"), std::string("localhost")));  // localhost is a public suffix

  auto insecure = rp_id("browser", page("http://example.com"), std::nullopt);
  REQUIRE_FALSE(insecure);
  CHECK(insecure.error().name == DomExceptionName::kSecurityError);
  CHECK(insecure.error().message.find("secure context") != std::string::npos);

  auto opaque = rp_id("browser", page("null"), std::nullopt);
  REQUIRE_FALSE(opaque);
  CHECK(opaque.error().name == DomExceptionName::kNotAllowedError);
}

TEST_CASE("rp id: login.microsoft.com from login.microsoftonline.com per client") {
  const CallerContext entra = page("https://login.microsoftonline.com");
  const std::string rp = "login.microsoft.com";
  MapFetcher listed;
  listed.set_well_known(rp, R"({"origins": ["https://login.microsoft.com", "https://login.microsoftonline.com"]})");
  MapFetcher unlisted;
  unlisted.set_well_known(rp, R"({"origins": ["https://login.live.com"]})");

  SUBCASE("browser with related origins: allowed") {
    auto r = rp_id("browser", entra, rp, &listed);
    REQUIRE(r);
    CHECK(*r == rp);
  }
  SUBCASE("browser, the document does not list the origin") {
    auto r = rp_id("browser", entra, rp, &unlisted);
    REQUIRE_FALSE(r);
    CHECK(r.error().name == DomExceptionName::kSecurityError);
    CHECK(r.error().to_string().rfind("SecurityError: RP ID login.microsoft.com is not a registrable suffix of origin "
                                      "https://login.microsoftonline.com",
                                      0) == 0);
    CHECK(r.error().message.find("no related origin allows it") != std::string::npos);
  }
  SUBCASE("browser, the document cannot be fetched") {
    MapFetcher none;
    auto r = rp_id("browser", entra, rp, &none);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("fetching https://login.microsoft.com/.well-known/webauthn failed") != std::string::npos);
  }
  SUBCASE("browser-legacy and extension do not look") {
    for (const char* client : {"browser-legacy", "extension"}) {
      CAPTURE(client);
      auto r = rp_id(client, entra, rp, &listed);
      REQUIRE_FALSE(r);
      CHECK(r.error().name == DomExceptionName::kSecurityError);
      CHECK(r.error().message.find("does not use related origins") != std::string::npos);
    }
  }
  SUBCASE("the origin under the RP ID passes everywhere") {
    for (const char* client : {"browser", "browser-legacy", "extension"}) {
      CHECK(rp_id(client, page("https://login.microsoft.com"), rp));
    }
  }
}

TEST_CASE("rp id: the extension checks the top-level page, the browser the calling frame") {
  CallerContext framed{origin("https://widget.example.net"), origin("https://shop.example.com"), true};
  CHECK(rp_id("extension", framed, std::string("example.com")));
  CHECK_FALSE(rp_id("browser-legacy", framed, std::string("example.com")));
  CHECK(rp_id("browser-legacy", framed, std::string("example.net")));
  CHECK_FALSE(rp_id("extension", framed, std::string("example.net")));
}
