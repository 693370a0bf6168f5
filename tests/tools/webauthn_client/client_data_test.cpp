// clientDataJSON bytes (WebAuthn L3 §5.8.1.1) and the origin fields each client profile writes.
#include <doctest/doctest.h>

#include "tests/tools/webauthn_client/client_fixture.h"
#include "tools/webauthn_client/client_data.h"
#include "tools/webauthn_client/webauthn_client.h"

using namespace vfido::webauthn;
using vfido::Bytes;
using vfido::test::origin;

namespace {}  // namespace

TEST_CASE("client data: exact serialization") {
  CollectedClientData c;
  c.type = "webauthn.get";
  c.challenge = {0x00, 0x01, 0x02, 0xfb, 0xff};
  c.origin = "https://login.example.com:1337";
  CHECK(serialize_client_data(c) ==
        R"({"type":"webauthn.get","challenge":"AAEC-_8","origin":"https://login.example.com:1337","crossOrigin":false})");
  c.type = "webauthn.create";
  c.cross_origin = true;
  c.top_origin = "https://shop.example.com";
  CHECK(serialize_client_data(c) ==
        R"({"type":"webauthn.create","challenge":"AAEC-_8","origin":"https://login.example.com:1337","crossOrigin":true,"topOrigin":"https://shop.example.com"})");
}

TEST_CASE("client data: CCDToString escaping") {
  CHECK(ccd_to_string("plain") == "\"plain\"");
  CHECK(ccd_to_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(ccd_to_string(std::string("\x01\x1f\n", 3)) == "\"\\u0001\\u001f\\u000a\"");
  CHECK(ccd_to_string("\x7f") == "\"\x7f\"");                       // U+007F is written as is
  CHECK(ccd_to_string("caf\xc3\xa9") == "\"caf\xc3\xa9\"");          // UTF-8 stays UTF-8
  CHECK(ccd_to_string("\xf0\x9f\x94\x91") == "\"\xf0\x9f\x94\x91\"");  // and beyond the BMP
}

TEST_CASE("client data: the hash is SHA-256 of the bytes") {
  const auto h = client_data_hash("abc");
  CHECK(vfido::to_hex(h) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("client data: origin, crossOrigin and topOrigin per client profile") {
  const Bytes challenge = {1, 2, 3};
  CallerContext top{origin("https://shop.example.com"), std::nullopt, true};
  CallerContext framed{origin("https://pay.example.net"), origin("https://shop.example.com"), true};
  CallerContext same_origin_frame{origin("https://shop.example.com"), origin("https://shop.example.com"), true};

  Client browser(client_profile(ClientKind::kBrowser), vfido::test::psl());
  CHECK(browser.client_data_json(kTypeGet, top, challenge) ==
        R"({"type":"webauthn.get","challenge":"AQID","origin":"https://shop.example.com","crossOrigin":false})");
  CHECK(browser.client_data_json(kTypeGet, framed, challenge) ==
        R"({"type":"webauthn.get","challenge":"AQID","origin":"https://pay.example.net","crossOrigin":true,"topOrigin":"https://shop.example.com"})");
  CHECK(browser.client_data_json(kTypeGet, same_origin_frame, challenge) ==
        R"({"type":"webauthn.get","challenge":"AQID","origin":"https://shop.example.com","crossOrigin":false})");

  Client extension(client_profile(ClientKind::kExtension), vfido::test::psl());
  CHECK(extension.client_data_json(kTypeCreate, framed, challenge) ==
        R"({"type":"webauthn.create","challenge":"AQID","origin":"https://shop.example.com","crossOrigin":false})");
}
