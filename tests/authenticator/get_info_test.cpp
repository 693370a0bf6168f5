#include <doctest/doctest.h>

#include "tests/support/test_env.h"

using namespace vfido;
using namespace vfido::test;

TEST_CASE("get_info: a CTAP 2.0 profile answers the exact CBOR map") {
  TestDevice d(ctap20_profile());
  Reply r = call(d.auth, message(CtapCommand::kGetInfo));
  REQUIRE(r.status == CtapStatus::kOk);
  // Expected bytes produced independently with python-fido2's canonical encoder from
  // {1: ["FIDO_2_0"], 3: aaguid, 4: {"rk": true, "up": true, "plat": false}, 5: 1200, 7: 8,
  //  8: 128, 9: ["usb"], 10: [{"alg": -7, "type": "public-key"}, {"alg": -8, ...}], 14: 0x100,
  //  20: 100 (remainingDiscoverableCredentials: the memory store's capacity)}
  auto expected = from_hex(
      "00"  // CTAP2_OK
      "aa0181684649444f5f325f3003503d92011fb552406db13763434ee000d504a362726bf5627570f564706c6174"
      "f4051904b007080818800981637573620a82a263616c672664747970656a7075626c69632d6b6579a263616c67"
      "2764747970656a7075626c69632d6b65790e190100141864");
  REQUIRE(expected.has_value());
  CHECK(to_hex(r.raw) == to_hex(*expected));
  // Advertises only what the profile offers: no extensions (0x02), no pinUvAuthProtocols (0x06),
  // no clientPin/uv options.
  CHECK_FALSE(r.has(0x02));
  CHECK_FALSE(r.has(0x06));
  CHECK(r.at(0x04).find("clientPin") == nullptr);
  CHECK(r.at(0x04).find("uv") == nullptr);
}

TEST_CASE("get_info: the default profile advertises its CTAP 2.1 features and their state") {
  TestDevice d;
  const AuthenticatorProfile& p = d.auth.profile();
  Reply r = call(d.auth, message(CtapCommand::kGetInfo));
  REQUIRE(r.status == CtapStatus::kOk);
  std::vector<std::string> versions;
  for (const auto& v : r.at(0x01).as_array()) versions.push_back(v.as_text());
  CHECK(versions == p.versions);
  std::vector<std::string> extensions;
  for (const auto& v : r.at(0x02).as_array()) extensions.push_back(v.as_text());
  CHECK(extensions == p.extensions);
  const cbor::Value& o = r.at(0x04);
  CHECK(o.find("clientPin")->as_bool() == false);  // no PIN set yet
  CHECK(o.find("pinUvAuthToken")->as_bool());
  CHECK(o.find("makeCredUvNotRqd")->as_bool() == p.make_cred_uv_not_rqd);
  CHECK(o.find("uv") == nullptr);  // no built-in UV
  REQUIRE(r.at(0x06).as_array().size() == 2);
  CHECK(r.at(0x06).as_array()[0].as_uint() == 2);  // protocol two preferred
  CHECK(r.at(0x06).as_array()[1].as_uint() == 1);
  CHECK(r.at(0x0C).as_bool() == false);  // forcePINChange
  CHECK(r.at(0x0D).as_uint() == 4);      // minPINLength
  CHECK(r.at(0x0F).as_uint() == p.max_cred_blob_length);
}

TEST_CASE("get_info: reflects the profile") {
  AuthenticatorProfile p;
  p.aaguid = ByteArray<kAaguidLen>{};
  p.aaguid[15] = 0x42;
  p.algorithms = {cose::kAlgEdDsa};
  p.resident_keys = false;
  p.cred_mgmt = false;  // credential management needs discoverable credentials
  p.large_blobs = false;  // largeBlobs needs discoverable credentials
  std::erase(p.extensions, std::string("largeBlobKey"));
  p.transports = {"usb", "nfc"};
  p.max_msg_size = 2048;
  p.max_credential_count_in_list = 3;
  p.max_credential_id_length = 64;
  p.firmware_version = std::nullopt;
  TestDevice d(p);
  Reply r = call(d.auth, message(CtapCommand::kGetInfo));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(r.at(0x03).as_bytes() == Bytes(p.aaguid.begin(), p.aaguid.end()));
  CHECK(r.at(0x04).find("rk")->as_bool() == false);
  CHECK(r.at(0x05).as_uint() == 2048);
  CHECK(r.at(0x07).as_uint() == 3);
  CHECK(r.at(0x08).as_uint() == 64);
  REQUIRE(r.at(0x09).as_array().size() == 2);
  CHECK(r.at(0x09).as_array()[1].as_text() == "nfc");
  REQUIRE(r.at(0x0A).as_array().size() == 1);
  CHECK(r.at(0x0A).as_array()[0].find("alg")->as_int64() == cose::kAlgEdDsa);
  CHECK_FALSE(r.has(0x0E));
}

TEST_CASE("get_info: bytes after the command byte are ignored") {
  TestDevice d;
  Reply plain = call(d.auth, message(CtapCommand::kGetInfo));
  Reply extra = call(d.auth, Bytes{0x04, 0xA0});
  CHECK(extra.status == CtapStatus::kOk);
  CHECK(extra.raw == plain.raw);
}

TEST_CASE("profile: the default profile is valid") {
  AuthenticatorProfile p;
  CHECK(p.validate().has_value());
  CHECK(p.name == "vfido");
  CHECK(to_hex(p.aaguid) == "3d92011fb552406db13763434ee000d5");
}

TEST_CASE("profile: validate names the offending field") {
  auto error_of = [](AuthenticatorProfile p) {
    auto r = p.validate();
    REQUIRE_FALSE(r.has_value());
    return r.error();
  };
  AuthenticatorProfile p;
  SUBCASE("empty name") {
    p.name.clear();
    CHECK(error_of(p).rfind("name", 0) == 0);
  }
  SUBCASE("unknown version") {
    p.versions = {"FIDO_3_0"};
    CHECK(error_of(p).rfind("versions", 0) == 0);
  }
  SUBCASE("no versions") {
    p.versions.clear();
    CHECK(error_of(p).rfind("versions", 0) == 0);
  }
  SUBCASE("unsupported algorithm") {
    p.algorithms = {-35};  // ES384
    CHECK(error_of(p).rfind("algorithms", 0) == 0);
  }
  SUBCASE("duplicate algorithm") {
    p.algorithms = {cose::kAlgEs256, cose::kAlgEs256};
    CHECK(error_of(p).rfind("algorithms", 0) == 0);
  }
  SUBCASE("maxMsgSize below the CTAP default") {
    p.max_msg_size = 1023;
    CHECK(error_of(p).rfind("max_msg_size", 0) == 0);
  }
  SUBCASE("maxCredentialCountInList zero") {
    p.max_credential_count_in_list = 0;
    CHECK(error_of(p).rfind("max_credential_count_in_list", 0) == 0);
  }
  SUBCASE("maxCredentialIdLength above 1023") {
    p.max_credential_id_length = 1024;
    CHECK(error_of(p).rfind("max_credential_id_length", 0) == 0);
  }
  SUBCASE("unknown transport") {
    p.transports = {"carrier-pigeon"};
    CHECK(error_of(p).rfind("transports", 0) == 0);
  }
  SUBCASE("zero timeouts") {
    p.up_timeout_ms = 0;
    CHECK(error_of(p).rfind("up_timeout_ms", 0) == 0);
  }
  SUBCASE("BS without BE") {
    p.backup_state = true;
    CHECK(error_of(p).rfind("backup_state", 0) == 0);
  }
}

TEST_CASE("profile: an Authenticator refuses an invalid profile") {
  TestEnv t;
  AuthenticatorProfile p;
  p.algorithms.clear();
  CHECK_THROWS_AS(Authenticator(p, t.env), std::invalid_argument);
}
