// authenticatorCredentialManagement (CTAP 2.1 §6.8.3-§6.8.4): enumerateRPs and
// enumerateCredentials, their errors, and the enumeration state (ended by other commands, an
// idle timeout, a power cycle; credentials removed meanwhile are skipped).
#include <doctest/doctest.h>

#include "tests/authenticator/credential_management_fixture.h"

using namespace vfido;
using namespace vfido::test;
using namespace vfido::test::credman;

// ---- enumerateRPs ------------------------------------------------------------------------------
TEST_CASE("credential_management: enumerateRPs lists each RP once, with its ID hash and stored name") {
  const ProtocolId p = each_protocol();
  Fixture f(p);
  f.make("b.example", "alice");
  f.make("a.example", "bob");
  f.make("b.example", "carol");
  f.make("server.example", "dave", false);  // not discoverable: its RP is not listed
  inject(f.d.t, "c.example", to_bytes("uid:erin"), false, std::nullopt);  // no rp.name stored
  f.protect();

  Reply first = f.cm.run(kRpsBegin);
  REQUIRE(first.status == CtapStatus::kOk);
  REQUIRE(first.at(0x05).as_uint() == 3);
  std::vector<Reply> all{first};
  all.push_back(f.cm.run(kRpsNext));
  all.push_back(f.cm.run(kRpsNext));
  std::vector<std::string> ids;
  for (const Reply& r : all) {
    REQUIRE(r.status == CtapStatus::kOk);
    const std::string id = text_at(r.at(0x03), "id");
    CHECK(r.at(0x04).as_bytes() == rp_hash(id));
    if (id == "c.example") {
      CHECK(r.at(0x03).find("name") == nullptr);
    } else {
      CHECK(text_at(r.at(0x03), "name") == "Example RP");  // make_credential_params' rp.name
    }
    ids.push_back(id);
  }
  CHECK_FALSE(all[1].has(0x05));  // totalRPs only with Begin
  CHECK(ids == std::vector<std::string>{"a.example", "b.example", "c.example"});
  // Every RP went out: GetNext -> NOT_ALLOWED.
  CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
}

TEST_CASE("credential_management: enumerateRPsBegin without discoverable credentials is NO_CREDENTIALS") {
  Fixture f;
  f.make("example.com", "server-side", false);
  f.protect();
  CHECK(f.cm.run(kRpsBegin).status == CtapStatus::kNoCredentials);
  CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
}

// ---- enumerateCredentials ----------------------------------------------------------------------

TEST_CASE("credential_management: enumerateCredentials returns user, ID, public key, credProtect, newest first") {
  const ProtocolId p = each_protocol();
  Fixture f(p);
  cbor::Value protect3 = cbor::Value::map();
  protect3.set("credProtect", cbor::Value::uint(3));
  const Registered alice = f.make("example.com", "alice");
  const Registered bob = f.make("example.com", "bob", true, protect3);
  f.make("other.example", "carol");
  f.protect();

  Reply first = f.cm.run(kCredsBegin, rp_hash_params("example.com"));
  REQUIRE(first.status == CtapStatus::kOk);
  CHECK(first.at(0x09).as_uint() == 2);
  Reply second = f.cm.run(kCredsNext);
  REQUIRE(second.status == CtapStatus::kOk);
  CHECK_FALSE(second.has(0x09));  // totalCredentials only with Begin

  struct Want {
    const Registered& made;
    std::string name;
    std::uint64_t cred_protect;
  };
  const Want want[] = {{bob, "bob", 3}, {alice, "alice", 1}};  // newest first
  const Reply* got[] = {&first, &second};
  for (int i = 0; i < 2; ++i) {
    CAPTURE(i);
    const Reply& r = *got[i];
    const cbor::Value& user = r.at(0x06);
    CHECK(user.find("id")->as_bytes() == to_bytes("uid:" + want[i].name));
    CHECK(text_at(user, "name") == want[i].name);
    CHECK(text_at(user, "displayName") == want[i].name + " (display)");
    CHECK(r.at(0x07).find("id")->as_bytes() == want[i].made.id);
    CHECK(text_at(r.at(0x07), "type") == "public-key");
    CHECK(r.at(0x08) == want[i].made.public_key);  // the COSE_Key of makeCredential
    CHECK(r.at(0x0A).as_uint() == want[i].cred_protect);
    CHECK_FALSE(r.has(0x0B));  // no largeBlobKey
  }
  CHECK(f.cm.run(kCredsNext).status == CtapStatus::kNotAllowed);
}

TEST_CASE("credential_management: enumerateCredentials returns the largeBlobKey of a credential that has one") {
  Fixture f;
  const Bytes with = inject(f.d.t, "blob.example", to_bytes("uid:1"), true, "Blob RP");
  const Bytes without = inject(f.d.t, "blob.example", to_bytes("uid:2"), false, "Blob RP");
  f.protect();
  Reply first = f.cm.run(kCredsBegin, rp_hash_params("blob.example"));
  Reply second = f.cm.run(kCredsNext);
  REQUIRE(first.status == CtapStatus::kOk);
  REQUIRE(second.status == CtapStatus::kOk);
  CHECK(first.at(0x07).find("id")->as_bytes() == without);  // newest first
  CHECK_FALSE(first.has(0x0B));
  CHECK(second.at(0x07).find("id")->as_bytes() == with);
  CHECK(second.at(0x0B).as_bytes() == Bytes(32, 0x5c));
  CHECK(second.at(0x0A).as_uint() == 2);
}

TEST_CASE("credential_management: enumerateCredentialsBegin errors") {
  Fixture f;
  f.make("example.com", "alice");
  f.make("example.com", "server-side", false);
  SUBCASE("no credentials for the hash") {
    f.protect();
    CHECK(f.cm.run(kCredsBegin, rp_hash_params("nobody.example")).status == CtapStatus::kNoCredentials);
  }
  SUBCASE("only non-discoverable credentials") {
    f.make("server.example", "bob", false);
    f.protect();
    CHECK(f.cm.run(kCredsBegin, rp_hash_params("server.example")).status == CtapStatus::kNoCredentials);
  }
  SUBCASE("rpIDHash missing") {
    f.protect();
    CHECK(f.cm.run(kCredsBegin).status == CtapStatus::kMissingParameter);
    CHECK(f.cm.run(kCredsBegin, cbor::Value::map()).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("a token bound to another RP") {
    f.protect(perm::kCm, "other.example");
    CHECK(f.cm.run(kCredsBegin, rp_hash_params("example.com")).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("a token bound to this RP") {
    f.protect(perm::kCm, "example.com");
    Reply r = f.cm.run(kCredsBegin, rp_hash_params("example.com"));
    REQUIRE(r.status == CtapStatus::kOk);
    CHECK(r.at(0x09).as_uint() == 1);
  }
}

// ---- the enumeration state ---------------------------------------------------------------------

TEST_CASE("credential_management: GetNext without its Begin is NOT_ALLOWED") {
  Fixture f;
  f.make_sample();
  f.protect();
  CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
  CHECK(f.cm.run(kCredsNext).status == CtapStatus::kNotAllowed);
  SUBCASE("a credential enumeration does not continue an RP enumeration, nor the reverse") {
    REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
    CHECK(f.cm.run(kCredsNext).status == CtapStatus::kNotAllowed);
    CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);  // ended by the subcommand above
    REQUIRE(f.cm.run(kCredsBegin, rp_hash_params("a.example")).status == CtapStatus::kOk);
    CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
    CHECK(f.cm.run(kCredsNext).status == CtapStatus::kNotAllowed);
  }
}

TEST_CASE("credential_management: any other command ends an enumeration") {
  Fixture f;
  f.make_sample();
  f.protect();
  struct Interruption {
    const char* what;
    Bytes msg;
  };
  const std::vector<Interruption> others = {
      {"getInfo", message(CtapCommand::kGetInfo)},
      {"getCredsMetadata", message(CtapCommand::kCredentialManagement, f.cm.request(kMetadata))},
      {"a message that does not parse", Bytes{static_cast<std::uint8_t>(CtapCommand::kCredentialManagement), 0xFF}},
      {"an unknown command", Bytes{0x55}},
      {"getNextAssertion", message(CtapCommand::kGetNextAssertion)},
  };
  for (const auto& other : others) {
    CAPTURE(other.what);
    REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
    call(f.d.auth, other.msg);
    CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);

    REQUIRE(f.cm.run(kCredsBegin, rp_hash_params("a.example")).status == CtapStatus::kOk);
    call(f.d.auth, other.msg);
    CHECK(f.cm.run(kCredsNext).status == CtapStatus::kNotAllowed);
  }
  // Uninterrupted, both continue.
  REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
  CHECK(f.cm.run(kRpsNext).status == CtapStatus::kOk);
  REQUIRE(f.cm.run(kCredsBegin, rp_hash_params("a.example")).status == CtapStatus::kOk);
  CHECK(f.cm.run(kCredsNext).status == CtapStatus::kOk);
}

TEST_CASE("credential_management: an enumeration ends after 30 s idle, with its token, and at a power cycle") {
  Fixture f;
  f.make_sample();
  f.protect();
  SUBCASE("30 seconds idle") {
    REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
    f.d.t.clock.advance(29000);
    REQUIRE(f.cm.run(kRpsNext).status == CtapStatus::kOk);  // each step restarts the timer
    f.d.t.clock.advance(30001);
    CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
  }
  SUBCASE("the token's maximum usage period") {
    REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
    // Begin again every 29 s until 580 s; then, 25 s later, the token's 600 s are over while the
    // enumeration's own timer has not run out.
    for (int i = 0; i < 20; ++i) {
      f.d.t.clock.advance(29000);
      REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
    }
    f.d.t.clock.advance(25000);
    // The token that authenticated the Begin stopped: its enumeration goes with it.
    CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
  }
  SUBCASE("power cycle") {
    REQUIRE(f.cm.run(kCredsBegin, rp_hash_params("a.example")).status == CtapStatus::kOk);
    REQUIRE(f.cm.run(kRpsBegin).status == CtapStatus::kOk);
    f.d.auth.power_cycle();
    CHECK(f.cm.run(kRpsNext).status == CtapStatus::kNotAllowed);
  }
}

TEST_CASE("credential_management: a credential removed during an enumeration is skipped") {
  Fixture f;
  const Registered a = f.make("example.com", "alice");
  f.make("example.com", "bob");
  f.make("example.com", "carol");
  f.protect();
  REQUIRE(f.cm.run(kCredsBegin, rp_hash_params("example.com")).status == CtapStatus::kOk);  // carol
  REQUIRE(f.d.t.store.remove(a.id).has_value());  // behind the core's back (a control API)
  Reply bob = f.cm.run(kCredsNext);
  REQUIRE(bob.status == CtapStatus::kOk);
  CHECK(text_at(bob.at(0x06), "name") == "bob");
  CHECK(f.cm.run(kCredsNext).status == CtapStatus::kNotAllowed);  // alice is gone
}
