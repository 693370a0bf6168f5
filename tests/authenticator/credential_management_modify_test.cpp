// authenticatorCredentialManagement (CTAP 2.1 §6.8.5-§6.8.6): deleteCredential and
// updateUserInformation, and their errors.
#include <doctest/doctest.h>

#include "tests/authenticator/credential_management_fixture.h"

using namespace vfido;
using namespace vfido::test;
using namespace vfido::test::credman;

// ---- deleteCredential --------------------------------------------------------------------------
TEST_CASE("credential_management: deleteCredential removes one credential") {
  const ProtocolId p = each_protocol();
  Fixture f(p);
  const Registered alice = f.make("example.com", "alice");
  const Registered bob = f.make("example.com", "bob");
  f.protect();
  REQUIRE(f.cm.run(kDelete, credential_params(alice.id)).status == CtapStatus::kOk);
  CHECK(f.d.t.store.size() == 1);

  Reply meta = f.cm.run(kMetadata);
  CHECK(meta.at(0x01).as_uint() == 1);
  Reply left = f.cm.run(kCredsBegin, rp_hash_params("example.com"));
  REQUIRE(left.status == CtapStatus::kOk);
  CHECK(left.at(0x09).as_uint() == 1);
  CHECK(left.at(0x07).find("id")->as_bytes() == bob.id);
  // Deleting it again: NO_CREDENTIALS.
  CHECK(f.cm.run(kDelete, credential_params(alice.id)).status == CtapStatus::kNoCredentials);

  // The deleted credential no longer signs; the other one still does.
  GetAssertionArgs ga;
  ga.allow = {alice.id};
  ga.up = false;
  CHECK(call(f.d.auth, get_assertion_msg(ga)).status == CtapStatus::kNoCredentials);
  ga.allow = {bob.id};
  CHECK(call(f.d.auth, get_assertion_msg(ga)).status == CtapStatus::kOk);
}

TEST_CASE("credential_management: deleteCredential errors") {
  Fixture f;
  const Registered alice = f.make("example.com", "alice");
  const Registered server = f.make("example.com", "server-side", false);
  SUBCASE("an unknown ID") {
    f.protect();
    CHECK(f.cm.run(kDelete, credential_params(Bytes(32, 0x42))).status == CtapStatus::kNoCredentials);
  }
  SUBCASE("a non-discoverable credential is not managed") {
    f.protect();
    CHECK(f.cm.run(kDelete, credential_params(server.id)).status == CtapStatus::kNoCredentials);
    CHECK(f.d.t.store.size() == 2);
  }
  SUBCASE("a descriptor of another type") {
    f.protect();
    cbor::Value params = cbor::Value::map();
    params.set(0x02, descriptor(alice.id, "other-type"));
    CHECK(f.cm.run(kDelete, params).status == CtapStatus::kNoCredentials);
    CHECK(f.d.t.store.size() == 2);
  }
  SUBCASE("credentialID missing") {
    f.protect();
    CHECK(f.cm.run(kDelete).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("a token bound to another RP, also for an unknown ID") {
    f.protect(perm::kCm, "other.example");
    CHECK(f.cm.run(kDelete, credential_params(alice.id)).status == CtapStatus::kPinAuthInvalid);
    CHECK(f.cm.run(kDelete, credential_params(Bytes(32, 0x42))).status == CtapStatus::kPinAuthInvalid);
    CHECK(f.d.t.store.size() == 2);
  }
  SUBCASE("a token bound to the credential's RP") {
    f.protect(perm::kCm, "example.com");
    CHECK(f.cm.run(kDelete, credential_params(alice.id)).status == CtapStatus::kOk);
    CHECK(f.d.t.store.size() == 1);
  }
}

// ---- updateUserInformation ---------------------------------------------------------------------

TEST_CASE("credential_management: updateUserInformation replaces name and displayName") {
  const ProtocolId p = each_protocol();
  Fixture f(p);
  const Registered alice = f.make("example.com", "alice");
  f.make("example.com", "bob");
  f.protect();

  auto update = [&](std::optional<std::string> name, std::optional<std::string> display) {
    cbor::Value params = credential_params(alice.id);
    params.set(0x03, user_map(to_bytes("uid:alice"), std::move(name), std::move(display)));
    return f.cm.run(kUpdate, params).status;
  };
  auto stored_user = [&]() {
    auto c = f.d.t.store.find("example.com", alice.id);
    REQUIRE(c.has_value());
    REQUIRE(c->has_value());
    return (*c)->user;
  };

  REQUIRE(update("alice.smith", "Alice Smith") == CtapStatus::kOk);
  CHECK(stored_user() == UserEntity{to_bytes("uid:alice"), "alice.smith", "Alice Smith", std::nullopt});
  // Through the enumeration too (alice is the older one: second).
  REQUIRE(f.cm.run(kCredsBegin, rp_hash_params("example.com")).status == CtapStatus::kOk);
  Reply r = f.cm.run(kCredsNext);
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(text_at(r.at(0x06), "name") == "alice.smith");
  CHECK(text_at(r.at(0x06), "displayName") == "Alice Smith");

  SUBCASE("an absent field is removed") {
    REQUIRE(update("alice", std::nullopt) == CtapStatus::kOk);
    CHECK(stored_user() == UserEntity{to_bytes("uid:alice"), "alice", std::nullopt, std::nullopt});
  }
  SUBCASE("an empty field is removed") {
    REQUIRE(update("", "Alice") == CtapStatus::kOk);
    CHECK(stored_user() == UserEntity{to_bytes("uid:alice"), std::nullopt, "Alice", std::nullopt});
  }
  // The other credential is untouched.
  auto bob = f.d.t.store.find_discoverable("example.com");
  REQUIRE(bob.has_value());
  CHECK(bob->front().user.name == "bob");
}

TEST_CASE("credential_management: updateUserInformation errors") {
  Fixture f;
  const Registered alice = f.make("example.com", "alice");
  auto params_for = [](const Bytes& cred, const Bytes& user_id) {
    cbor::Value params = credential_params(cred);
    params.set(0x03, user_map(user_id, "new", "New"));
    return params;
  };
  auto unchanged = [&]() {
    auto c = f.d.t.store.find("example.com", alice.id);
    REQUIRE(c.has_value());
    REQUIRE(c->has_value());
    CHECK((*c)->user.name == "alice");
  };
  SUBCASE("another user.id is INVALID_PARAMETER") {
    f.protect();
    CHECK(f.cm.run(kUpdate, params_for(alice.id, to_bytes("uid:mallory"))).status == CtapStatus::kInvalidParameter);
  }
  SUBCASE("an unknown credential is NO_CREDENTIALS") {
    f.protect();
    CHECK(f.cm.run(kUpdate, params_for(Bytes(32, 7), to_bytes("uid:alice"))).status == CtapStatus::kNoCredentials);
  }
  SUBCASE("user or credentialID missing is MISSING_PARAMETER") {
    f.protect();
    CHECK(f.cm.run(kUpdate, credential_params(alice.id)).status == CtapStatus::kMissingParameter);
    cbor::Value only_user = cbor::Value::map();
    only_user.set(0x03, user_map(to_bytes("uid:alice"), "new", "New"));
    CHECK(f.cm.run(kUpdate, only_user).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("a token bound to another RP is PIN_AUTH_INVALID") {
    f.protect(perm::kCm, "other.example");
    CHECK(f.cm.run(kUpdate, params_for(alice.id, to_bytes("uid:alice"))).status == CtapStatus::kPinAuthInvalid);
  }
  unchanged();
}
