// authenticatorCredentialManagement (CTAP 2.1 §6.8) and its FIDO_2_1_PRE prototype (0x41):
// the command itself, its errors, pinUvAuthParam and token rules (cm permission, RP binding,
// expiry) and getCredsMetadata, through handle() with both PIN/UV auth protocols. Enumeration
// is in credential_management_enumerate_test.cpp, delete and update in
// credential_management_modify_test.cpp.
#include <doctest/doctest.h>

#include "tests/authenticator/credential_management_fixture.h"

using namespace vfido;
using namespace vfido::test;
using namespace vfido::test::credman;

// ---- the command itself -----------------------------------------------------------------------

TEST_CASE("credential_management: unknown to a profile without credMgmt") {
  AuthenticatorProfile p;
  p.cred_mgmt = false;
  TestDevice d(p);
  for (auto cmd : {CtapCommand::kCredentialManagement, CtapCommand::kCredentialManagementPreview}) {
    CAPTURE(static_cast<int>(cmd));
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kMetadata));
    CHECK(call(d.auth, message(cmd, m)).status == CtapStatus::kInvalidCommand);
  }
  Reply info = call(d.auth, message(CtapCommand::kGetInfo));
  CHECK(info.at(0x04).find("credMgmt") == nullptr);
  CHECK(info.at(0x04).find("credentialMgmtPreview") == nullptr);
}

TEST_CASE("credential_management: getInfo advertises credMgmt with FIDO_2_1, the prototype always") {
  SUBCASE("FIDO_2_1 (the default profile)") {
    TestDevice d;
    Reply info = call(d.auth, message(CtapCommand::kGetInfo));
    CHECK(info.at(0x04).find("credMgmt")->as_bool());
    CHECK(info.at(0x04).find("credentialMgmtPreview")->as_bool());
  }
  SUBCASE("FIDO_2_1_PRE only: 0x0A is not offered") {
    AuthenticatorProfile p;
    p.versions = {"FIDO_2_0", "FIDO_2_1_PRE"};
    p.pin_uv_auth_token = false;
    TestDevice d(p);
    Reply info = call(d.auth, message(CtapCommand::kGetInfo));
    CHECK(info.at(0x04).find("credMgmt") == nullptr);
    CHECK(info.at(0x04).find("credentialMgmtPreview")->as_bool());
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kMetadata));
    CHECK(call(d.auth, message(CtapCommand::kCredentialManagement, m)).status == CtapStatus::kInvalidCommand);
    CHECK(call(d.auth, message(CtapCommand::kCredentialManagementPreview, m)).status == CtapStatus::kPuatRequired);
  }
}

TEST_CASE("credential_management: malformed requests answer the exact status") {
  TestDevice d;
  auto send = [&](const Bytes& msg) { return call(d.auth, msg).status; };
  const auto cmd = CtapCommand::kCredentialManagement;
  SUBCASE("not a map") {
    CHECK(send(message(cmd, cbor::Value::uint(1))) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("no parameters at all") { CHECK(send(message(cmd)) == CtapStatus::kInvalidCbor); }
  SUBCASE("no subCommand") {
    cbor::Value m = cbor::Value::map();
    m.set(0x03, cbor::Value::uint(2));
    CHECK(send(message(cmd, m)) == CtapStatus::kMissingParameter);
  }
  SUBCASE("subCommand is text") {
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::text("x"));
    CHECK(send(message(cmd, m)) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("subCommandParams is an array") {
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kCredsBegin));
    m.set(0x02, cbor::Value::array());
    CHECK(send(message(cmd, m)) == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("rpIDHash of 31 bytes") {
    cbor::Value p = cbor::Value::map();
    p.set(0x01, cbor::Value::bytes(Bytes(31, 1)));
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kCredsBegin));
    m.set(0x02, p);
    CHECK(send(message(cmd, m)) == CtapStatus::kInvalidLength);
  }
  SUBCASE("credentialID without id") {
    cbor::Value desc = cbor::Value::map();
    desc.set("type", cbor::Value::text("public-key"));
    cbor::Value p = cbor::Value::map();
    p.set(0x02, desc);
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kDelete));
    m.set(0x02, p);
    CHECK(send(message(cmd, m)) == CtapStatus::kMissingParameter);
  }
  SUBCASE("user.id of 65 bytes") {
    cbor::Value p = cbor::Value::map();
    p.set(0x02, descriptor(Bytes(16, 1)));
    p.set(0x03, user_map(Bytes(65, 1), "a", "b"));
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kUpdate));
    m.set(0x02, p);
    CHECK(send(message(cmd, m)) == CtapStatus::kInvalidLength);
  }
  SUBCASE("pinUvAuthParam is text") {
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(kMetadata));
    m.set(0x04, cbor::Value::text("x"));
    CHECK(send(message(cmd, m)) == CtapStatus::kCborUnexpectedType);
  }
  // The key still works.
  CHECK(send(message(CtapCommand::kGetInfo)) == CtapStatus::kOk);
}

TEST_CASE("credential_management: unknown subcommands are INVALID_SUBCOMMAND") {
  Fixture f;
  f.protect();
  for (std::uint64_t sub : {std::uint64_t{0}, std::uint64_t{8}, std::uint64_t{0xFF}, std::uint64_t{0x101}}) {
    CAPTURE(sub);
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(sub));
    m.set(0x03, cbor::Value::uint(f.pin.protocol_number()));
    m.set(0x04, cbor::Value::bytes(f.pin.param(f.cm.token(), Bytes{static_cast<std::uint8_t>(sub)})));
    CHECK(f.cm.send(m).status == CtapStatus::kInvalidSubcommand);
  }
}

// ---- the pinUvAuthParam checks every authenticated subcommand shares ----------------------------

TEST_CASE("credential_management: pinUvAuthParam checks, for every authenticated subcommand") {
  const ProtocolId p = each_protocol();
  Fixture f(p);
  const Registered made = f.make("example.com", "alice");
  f.protect();

  struct Sub {
    std::uint64_t code;
    std::optional<cbor::Value> params;
  };
  cbor::Value update_params = credential_params(made.id);
  update_params.set(0x03, user_map(to_bytes("uid:alice"), "alice2", std::nullopt));
  const std::vector<Sub> subs = {
      {kMetadata, std::nullopt},           {kRpsBegin, std::nullopt},
      {kCredsBegin, rp_hash_params("example.com")}, {kDelete, credential_params(made.id)},
      {kUpdate, update_params},
  };
  for (const Sub& s : subs) {
    CAPTURE(s.code);
    cbor::Value good = f.cm.request(s.code, s.params);

    // No pinUvAuthParam -> PUAT_REQUIRED.
    cbor::Value m = f.cm.request(s.code, s.params, false);
    CHECK(f.cm.send(m).status == CtapStatus::kPuatRequired);
    // pinUvAuthParam without pinUvAuthProtocol -> MISSING_PARAMETER.
    m = good;
    std::erase_if(m.as_map(), [](const auto& kv) { return kv.first == cbor::Value::integer(0x03); });
    CHECK(f.cm.send(m).status == CtapStatus::kMissingParameter);
    // An unsupported protocol -> INVALID_PARAMETER.
    m = good;
    put(m, 0x03, cbor::Value::uint(3));
    CHECK(f.cm.send(m).status == CtapStatus::kInvalidParameter);
    // A flipped bit -> PIN_AUTH_INVALID.
    m = good;
    Bytes bad = good.find(0x04)->as_bytes();
    bad[0] ^= 0x01;
    put(m, 0x04, cbor::Value::bytes(bad));
    CHECK(f.cm.send(m).status == CtapStatus::kPinAuthInvalid);
    // Authenticated over other subCommandParams -> PIN_AUTH_INVALID.
    m = good;
    put(m, 0x04, cbor::Value::bytes(f.pin.param(f.cm.token(), Bytes{static_cast<std::uint8_t>(s.code)})));
    if (s.params) CHECK(f.cm.send(m).status == CtapStatus::kPinAuthInvalid);
  }
  // None of this changed anything: the credential is still there with its name.
  Reply r = f.cm.run(kCredsBegin, rp_hash_params("example.com"));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(text_at(r.at(0x06), "name") == "alice");
}

TEST_CASE("credential_management: a token without cm is PIN_AUTH_INVALID") {
  Fixture f;
  f.make("example.com", "alice");
  f.protect(perm::kMc | perm::kGa);
  CHECK(f.cm.run(kMetadata).status == CtapStatus::kPinAuthInvalid);
  CHECK(f.cm.run(kRpsBegin).status == CtapStatus::kPinAuthInvalid);
  CHECK(f.cm.run(kCredsBegin, rp_hash_params("example.com")).status == CtapStatus::kPinAuthInvalid);
  SUBCASE("the legacy getPinToken of a pinUvAuthToken model has mc and ga only") {
    auto legacy = f.pin.token(kPin, std::nullopt);
    REQUIRE(legacy.status == CtapStatus::kOk);
    f.cm.use_token(legacy.token);
    CHECK(f.cm.run(kMetadata).status == CtapStatus::kPinAuthInvalid);
  }
}

TEST_CASE("credential_management: PUAT_REQUIRED comes first, even without a PIN; a param without a token fails") {
  Fixture f;
  CHECK(f.cm.run(kMetadata).status == CtapStatus::kPinAuthInvalid);  // a parameter, but no token exists
  CHECK(f.cm.send(f.cm.request(kMetadata, std::nullopt, false)).status == CtapStatus::kPuatRequired);
  // PUAT_REQUIRED before MISSING_PARAMETER for a subcommand that needs parameters.
  CHECK(f.cm.send(f.cm.request(kCredsBegin, std::nullopt, false)).status == CtapStatus::kPuatRequired);
}

TEST_CASE("credential_management: a token stops working when it expires") {
  Fixture f;
  f.make("example.com", "alice");
  f.protect();
  // Unused for longer than the initial usage time limit (CTAP 2.1 §6.5.2.1).
  f.d.t.clock.advance(f.d.auth.profile().pin_token_initial_usage_ms + 1);
  CHECK(f.cm.run(kMetadata).status == CtapStatus::kPinAuthInvalid);
  f.new_token();
  CHECK(f.cm.run(kMetadata).status == CtapStatus::kOk);
}

// ---- getCredsMetadata --------------------------------------------------------------------------

TEST_CASE("credential_management: getCredsMetadata counts discoverable credentials only") {
  const ProtocolId p = each_protocol();
  AuthenticatorProfile profile;
  Fixture f(p, profile);
  f.make("example.com", "alice");
  f.make("example.com", "bob");
  f.make("other.example", "carol");
  f.make("example.com", "server-side", false);  // not discoverable: not counted
  f.protect();
  for (auto cmd : {CtapCommand::kCredentialManagement, CtapCommand::kCredentialManagementPreview}) {
    CAPTURE(static_cast<int>(cmd));
    f.cm.use_command(cmd);
    Reply r = f.cm.run(kMetadata);
    REQUIRE(r.status == CtapStatus::kOk);
    CHECK(r.at(0x01).as_uint() == 3);
    CHECK(r.at(0x02).as_uint() == credstore::MemoryStore::kDefaultCapacity - 3);
  }
}

TEST_CASE("credential_management: getCredsMetadata on an empty key is zero, not an error") {
  Fixture f;
  f.protect();
  Reply r = f.cm.run(kMetadata);
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(r.at(0x01).as_uint() == 0);
  CHECK(r.at(0x02).as_uint() == credstore::MemoryStore::kDefaultCapacity);
}

TEST_CASE("credential_management: getCredsMetadata and enumerateRPsBegin refuse a token bound to an RP") {
  Fixture f;
  f.make("example.com", "alice");
  f.protect(perm::kCm, "example.com");
  CHECK(f.cm.run(kMetadata).status == CtapStatus::kPinAuthInvalid);
  CHECK(f.cm.run(kRpsBegin).status == CtapStatus::kPinAuthInvalid);
  // The same token may enumerate its own RP's credentials.
  CHECK(f.cm.run(kCredsBegin, rp_hash_params("example.com")).status == CtapStatus::kOk);
}

// ---- the prototype command 0x41 and FIDO_2_1_PRE platforms ---------------------------------------
TEST_CASE("credential_management: 0x41 on a FIDO_2_1 model is an alias of 0x0A, updateUserInformation included") {
  Fixture f;
  const Registered alice = f.make("example.com", "alice");
  f.protect();
  f.cm.use_command(CtapCommand::kCredentialManagementPreview);
  REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
  cbor::Value params = credential_params(alice.id);
  params.set(0x03, user_map(to_bytes("uid:alice"), "renamed", std::nullopt));
  CHECK(f.cm.run(kUpdate, params).status == CtapStatus::kOk);
  CHECK(f.cm.run(kDelete, credential_params(alice.id)).status == CtapStatus::kOk);
}

TEST_CASE("credential_management: a FIDO_2_1_PRE model takes the getPinToken token and has no updateUserInformation") {
  AuthenticatorProfile pre;
  pre.versions = {"FIDO_2_0", "FIDO_2_1_PRE"};
  pre.pin_uv_auth_token = false;  // no permissions: platforms use getPinToken (0x05)
  Fixture f(ProtocolId::kOne, pre);
  const Registered alice = f.make("example.com", "alice");
  REQUIRE(f.pin.set_pin(kPin) == CtapStatus::kOk);
  // getPinUvAuthTokenUsingPinWithPermissions is not offered: the legacy token it is.
  CHECK(f.pin.token(kPin, perm::kCm).status == CtapStatus::kInvalidSubcommand);
  auto legacy = f.pin.token(kPin, std::nullopt);
  REQUIRE(legacy.status == CtapStatus::kOk);
  f.cm.use_token(legacy.token);
  f.cm.use_command(CtapCommand::kCredentialManagementPreview);

  Reply meta = f.cm.run(kMetadata);
  REQUIRE(meta.status == CtapStatus::kOk);
  CHECK(meta.at(0x01).as_uint() == 1);
  Reply rk = f.cm.run(kCredsBegin, rp_hash_params("example.com"));
  REQUIRE(rk.status == CtapStatus::kOk);
  CHECK(rk.at(0x07).find("id")->as_bytes() == alice.id);

  cbor::Value params = credential_params(alice.id);
  params.set(0x03, user_map(to_bytes("uid:alice"), "renamed", std::nullopt));
  CHECK(f.cm.run(kUpdate, params).status == CtapStatus::kInvalidSubcommand);
  CHECK(f.cm.run(kDelete, credential_params(alice.id)).status == CtapStatus::kOk);
  // The same token still makes credentials (mc), as getPinToken's token always did.
  MakeCredentialArgs a;
  a.pin_uv_auth_param = f.pin.param(legacy.token, a.client_data_hash);
  a.pin_uv_auth_protocol = f.pin.protocol_number();
  CHECK(call(f.d.auth, make_credential_msg(a)).status == CtapStatus::kOk);
}
