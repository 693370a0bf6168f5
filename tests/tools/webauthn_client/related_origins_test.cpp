// WebAuthn L3 §5.11.1 related origins validation procedure, through an in-memory fetcher and
// through files.
#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "tests/tools/webauthn_client/client_fixture.h"
#include "tools/webauthn_client/related_origins.h"

using namespace vfido::webauthn;
using vfido::test::origin;
using vfido::test::psl;

namespace {

tl::expected<void, std::string> check(const char* caller, const std::string& body, std::size_t max_labels = 5,
                                      FetchResponse base = {}) {
  MapFetcher f;
  base.body = body;
  f.set(well_known_url("example.com"), base);
  return validate_related_origins(origin(caller), "example.com", f, psl(), max_labels);
}

}  // namespace

TEST_CASE("related origins: registrable origin labels") {
  CHECK(registrable_origin_label("example.co.uk", psl()) == "example");
  CHECK(registrable_origin_label("www.example.de", psl()) == "example");
  CHECK(registrable_origin_label("alice.github.io", psl()) == "alice");
  CHECK_FALSE(registrable_origin_label("co.uk", psl()));
  CHECK_FALSE(registrable_origin_label("com", psl()));
}

TEST_CASE("related origins: the caller is listed") {
  CHECK(check("https://example.co.uk", R"({"origins": ["https://example.com", "https://example.co.uk"]})"));
  CHECK(check("https://shop.example.de:8443", R"({"origins": ["https://shop.example.de:8443"]})"));
  // Same origin means scheme, host and port.
  CHECK_FALSE(check("https://shop.example.de", R"({"origins": ["https://shop.example.de:8443"]})"));
  CHECK_FALSE(check("https://shop.example.de", R"({"origins": ["http://shop.example.de"]})"));
  CHECK_FALSE(check("https://example.net", R"({"origins": []})"));
  // Entries that are not origins with a registrable domain are skipped, not errors.
  CHECK(check("https://example.net", R"({"origins": ["not a url", "https://com", "https://10.0.0.1", "https://example.net"]})"));
  // Extra members are ignored.
  CHECK(check("https://example.net", R"({"origins": ["https://example.net"], "comment": 1})"));
}

TEST_CASE("related origins: at most maxLabels registrable origin labels") {
  const std::string five = R"("https://a.com", "https://b.com", "https://c.com", "https://d.com", "https://e.com")";
  // Within five labels.
  CHECK(check("https://e.com", "{\"origins\": [" + five + "]}"));
  // A sixth label is never looked at...
  auto sixth = check("https://f.com", "{\"origins\": [" + five + R"(, "https://f.com"]})");
  REQUIRE_FALSE(sixth);
  CHECK(sixth.error().find("within its first 5 registrable origin labels") != std::string::npos);
  // ...but a label already seen still counts (a.co.uk has the label "a").
  CHECK(check("https://a.co.uk", "{\"origins\": [" + five + R"(, "https://f.com", "https://a.co.uk"]})"));
  // A larger client limit reaches it.
  CHECK(check("https://f.com", "{\"origins\": [" + five + R"(, "https://f.com"]})", 6));
}

TEST_CASE("related origins: a broken document is a failure with a reason") {
  struct Case {
    std::string body;
    FetchResponse base;
    const char* says;
  } cases[] = {
      {R"({"origins": ["https://x.com"]})", {404, "application/json", ""}, "HTTP 404"},
      {R"({"origins": ["https://x.com"]})", {200, "text/html", ""}, "not application/json"},
      {"[]", {}, "not a JSON object"},
      {"{not json", {}, "not a JSON object"},
      {R"({"origin": ["https://x.com"]})", {}, "no \"origins\" array"},
      {R"({"origins": "https://x.com"})", {}, "no \"origins\" array"},
      {R"({"origins": [1]})", {}, "not a string"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.body);
    auto r = check("https://x.com", c.body, 5, c.base);
    REQUIRE_FALSE(r);
    CHECK(r.error().find(c.says) != std::string::npos);
  }
  // A charset parameter is fine.
  CHECK(check("https://x.com", R"({"origins": ["https://x.com"]})", 5, {200, "application/json; charset=utf-8", ""}));
}

TEST_CASE("related origins: documents from files") {
  char dir[] = "/tmp/vfido-wellknown-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string path = std::string(dir) + "/webauthn.json";
  std::ofstream(path) << R"({"origins": ["https://login.microsoftonline.com"]})";
  FileFetcher f;
  f.add("login.microsoft.com", path);
  CHECK(validate_related_origins(origin("https://login.microsoftonline.com"), "login.microsoft.com", f, psl(), 5));
  auto other = validate_related_origins(origin("https://x.com"), "other.example", f, psl(), 5);
  REQUIRE_FALSE(other);
  CHECK(other.error().find("--well-known") != std::string::npos);
  FileFetcher missing;
  missing.add("login.microsoft.com", std::string(dir) + "/absent.json");
  auto unreadable = validate_related_origins(origin("https://x.com"), "login.microsoft.com", missing, psl(), 5);
  REQUIRE_FALSE(unreadable);
  CHECK(unreadable.error().find("cannot read") != std::string::npos);
  ::unlink(path.c_str());
  ::rmdir(dir);
}
