#include <doctest/doctest.h>

#include "authenticator/crypto/hash.h"
#include "authenticator/crypto/keys.h"
#include "tests/support/test_env.h"

using namespace vfido;
using namespace vfido::test;

namespace {

MakeCredentialArgs user(std::uint8_t n, bool rk = true, std::string rp = "example.com") {
  MakeCredentialArgs a;
  a.rp_id = std::move(rp);
  a.user_id = {n};
  a.user_name = "user" + std::to_string(n);
  a.rk = rk;
  return a;
}

}  // namespace

TEST_CASE("get_assertion: allowList credential signs and counts") {
  std::int64_t alg = 0;
  SUBCASE("ES256") { alg = cose::kAlgEs256; }
  SUBCASE("EdDSA") { alg = cose::kAlgEdDsa; }
  CAPTURE(alg);
  TestDevice d;
  MakeCredentialArgs mc;
  mc.algs = {alg};
  Registered reg = register_credential(d.auth, mc);

  GetAssertionArgs ga;
  ga.allow = {filled(32, 0xAB), reg.id};
  Reply r = call(d.auth, get_assertion_msg(ga));
  AuthenticatorData ad = verified(r, reg.public_key, ga.client_data_hash);
  const auto rp_hash = crypto::sha256(as_span("example.com"));
  CHECK(ad.rp_id_hash == rp_hash);
  CHECK(ad.flags == 0x01);  // UP only
  CHECK(ad.sign_count == 1);
  CHECK(r.at(2).as_bytes().size() == 37);
  // Credential descriptor always included; no user (non-discoverable); no numberOfCredentials.
  CHECK(r.at(1).find("id")->as_bytes() == reg.id);
  CHECK(r.at(1).find("type")->as_text() == "public-key");
  CHECK(r.at(1).as_map().size() == 2);
  CHECK_FALSE(r.has(4));
  CHECK_FALSE(r.has(5));

  // The counter goes up with every assertion.
  ga.client_data_hash = filled(32, 0x33);
  Reply r2 = call(d.auth, get_assertion_msg(ga));
  CHECK(verified(r2, reg.public_key, ga.client_data_hash).sign_count == 2);
  Reply r3 = call(d.auth, get_assertion_msg(ga));
  CHECK(verified(r3, reg.public_key, ga.client_data_hash).sign_count == 3);
}

TEST_CASE("get_assertion: up=false is silent") {
  TestDevice d({}, PresenceMode::kScripted);
  d.t.scripted.push(ScriptedPresence::Step::kApprove);
  Registered reg = register_credential(d.auth, {});
  GetAssertionArgs ga;
  ga.allow = {reg.id};
  ga.up = false;
  Reply r = call(d.auth, get_assertion_msg(ga));
  AuthenticatorData ad = verified(r, reg.public_key, ga.client_data_hash);
  CHECK(ad.flags == 0x00);
  CHECK(d.t.scripted.history().size() == 1);  // only the registration asked
}

TEST_CASE("get_assertion: options") {
  TestDevice d;
  Registered reg = register_credential(d.auth, {});
  GetAssertionArgs ga;
  ga.allow = {reg.id};
  SUBCASE("uv=true is INVALID_OPTION") {
    ga.uv = true;
    CHECK(call(d.auth, get_assertion_msg(ga)).status == CtapStatus::kInvalidOption);
  }
  SUBCASE("rk present is UNSUPPORTED_OPTION, whatever its value") {
    ga.rk = true;
    CHECK(call(d.auth, get_assertion_msg(ga)).status == CtapStatus::kUnsupportedOption);
    ga.rk = false;
    CHECK(call(d.auth, get_assertion_msg(ga)).status == CtapStatus::kUnsupportedOption);
  }
  SUBCASE("up=true, uv=false and unknown options are fine") {
    cbor::Value params = get_assertion_params(ga);
    params.set(5, options_map({{"up", true}, {"uv", false}, {"somethingNew", true}}));
    CHECK(call(d.auth, message(CtapCommand::kGetAssertion, params)).status == CtapStatus::kOk);
  }
}

TEST_CASE("get_assertion: NO_CREDENTIALS without asking the user") {
  TestDevice d({}, PresenceMode::kScripted);
  d.t.scripted.push(ScriptedPresence::Step::kApprove);
  Registered reg = register_credential(d.auth, user(1, false, "other.example"));
  GetAssertionArgs ga;
  SUBCASE("other RP's credential ID") { ga.allow = {reg.id}; }
  SUBCASE("unknown credential ID") { ga.allow = {filled(32, 0x01)}; }
  SUBCASE("unknown RP, no allowList") { ga.rp_id = "nobody.example"; }
  SUBCASE("non-discoverable credential, no allowList") { ga.rp_id = "other.example"; }
  SUBCASE("descriptor of another type") {
    cbor::Value params = get_assertion_params(ga);
    cbor::Array a;
    a.push_back(descriptor(reg.id, "future-type"));
    params.set(3, cbor::Value::array(std::move(a)));
    ga.rp_id = "other.example";
    CHECK(call(d.auth, message(CtapCommand::kGetAssertion, params)).status == CtapStatus::kNoCredentials);
  }
  CHECK(call(d.auth, get_assertion_msg(ga)).status == CtapStatus::kNoCredentials);
  CHECK(d.t.scripted.history().size() == 1);
}

TEST_CASE("get_assertion: parse errors answer the exact status") {
  TestDevice d(ctap20_profile());
  cbor::Value ok = get_assertion_params({});
  auto status = [&d](const cbor::Value& params) {
    return call(d.auth, message(CtapCommand::kGetAssertion, params)).status;
  };
  auto without = [](cbor::Value m, std::int64_t key) {
    std::erase_if(m.as_map(), [&](const auto& kv) { return kv.first == cbor::Value::integer(key); });
    return m;
  };
  auto with = [&without](cbor::Value m, std::int64_t key, cbor::Value v) {
    m = without(std::move(m), key);
    m.set(key, std::move(v));
    return m;
  };
  CHECK(status(without(ok, 1)) == CtapStatus::kMissingParameter);
  CHECK(status(without(ok, 2)) == CtapStatus::kMissingParameter);
  CHECK(status(with(ok, 1, cbor::Value::bytes(filled(4, 'a')))) == CtapStatus::kCborUnexpectedType);
  CHECK(status(with(ok, 2, cbor::Value::bytes(filled(16, 0)))) == CtapStatus::kInvalidLength);
  CHECK(status(with(ok, 3, cbor::Value::map())) == CtapStatus::kCborUnexpectedType);
  cbor::Array bad_entry;
  bad_entry.push_back(cbor::Value::bytes(filled(32, 0)));
  CHECK(status(with(ok, 3, cbor::Value::array(std::move(bad_entry)))) == CtapStatus::kCborUnexpectedType);
  CHECK(status(with(ok, 5, cbor::Value::array())) == CtapStatus::kCborUnexpectedType);
  cbor::Value param = with(ok, 6, cbor::Value::bytes(filled(16, 0)));
  CHECK(status(param) == CtapStatus::kMissingParameter);
  CHECK(status(with(param, 7, cbor::Value::uint(1))) == CtapStatus::kInvalidParameter);
}

TEST_CASE("get_assertion: denied presence is OPERATION_DENIED; held presence completes later") {
  TestDevice d({}, PresenceMode::kScripted);
  d.t.scripted.push(ScriptedPresence::Step::kApprove);
  Registered reg = register_credential(d.auth, user(1));
  GetAssertionArgs ga;
  ga.allow = {reg.id};
  SUBCASE("denied") {
    d.t.scripted.push(ScriptedPresence::Step::kDeny);
    CHECK(call(d.auth, get_assertion_msg(ga)).status == CtapStatus::kOperationDenied);
    REQUIRE(d.t.scripted.history().size() == 2);
    CHECK(d.t.scripted.history()[1].purpose == PresenceRequest::Purpose::kGetAssertion);
    CHECK(d.t.scripted.history()[1].rp_id == "example.com");
  }
  SUBCASE("held, then approved") {
    LaterSink sink;
    CHECK_FALSE(d.auth.handle(get_assertion_msg(ga), sink.fn()).has_value());
    CHECK(d.auth.waiting_for_user());
    REQUIRE(d.t.scripted.resolve(PresenceResult::kApproved));
    REQUIRE(sink.calls == 1);
    AuthenticatorData ad = verified(decode_reply(sink.last), reg.public_key, ga.client_data_hash);
    CHECK(ad.flags == 0x01);
    CHECK(ad.sign_count == 1);
  }
  SUBCASE("held, then timed out") {
    LaterSink sink;
    CHECK_FALSE(d.auth.handle(get_assertion_msg(ga), sink.fn()).has_value());
    d.t.clock.advance(d.auth.profile().up_timeout_ms);
    d.auth.poll();
    REQUIRE(sink.calls == 1);
    CHECK(sink.last == Bytes{0x2F});
  }
}

TEST_CASE("get_assertion: a discoverable credential in the allowList carries the user handle only") {
  TestDevice d;
  Registered reg = register_credential(d.auth, user(7));
  GetAssertionArgs ga;
  ga.allow = {reg.id};
  Reply r = call(d.auth, get_assertion_msg(ga));
  REQUIRE(r.status == CtapStatus::kOk);
  REQUIRE(r.has(4));
  CHECK(r.at(4).as_map().size() == 1);  // no name/displayName without UV
  CHECK(r.at(4).find("id")->as_bytes() == Bytes{7});
  CHECK_FALSE(r.has(5));
}

TEST_CASE("get_assertion: discoverable credentials, newest first, then getNextAssertion") {
  TestDevice d;
  Registered u1 = register_credential(d.auth, user(1));
  Registered u2 = register_credential(d.auth, user(2));
  register_credential(d.auth, user(9, true, "other.example"));
  register_credential(d.auth, user(8, false));  // non-discoverable: not found without allowList
  Registered u3 = register_credential(d.auth, user(3));

  GetAssertionArgs ga;  // no allowList
  SUBCASE("absent allowList") {}
  SUBCASE("empty allowList counts as absent") {
    cbor::Value params = get_assertion_params(ga);
    params.set(3, cbor::Value::array());
    Reply r = call(d.auth, message(CtapCommand::kGetAssertion, params));
    REQUIRE(r.status == CtapStatus::kOk);
    CHECK(r.at(5).as_uint() == 3);
    return;
  }
  Reply r = call(d.auth, get_assertion_msg(ga));
  AuthenticatorData first = verified(r, u3.public_key, ga.client_data_hash);
  CHECK(first.flags == 0x01);
  CHECK(r.at(1).find("id")->as_bytes() == u3.id);
  CHECK(r.at(4).find("id")->as_bytes() == Bytes{3});
  CHECK(r.at(4).find("name") == nullptr);
  CHECK(r.at(4).find("displayName") == nullptr);
  CHECK(r.at(5).as_uint() == 3);

  Reply n1 = call(d.auth, message(CtapCommand::kGetNextAssertion));
  AuthenticatorData second = verified(n1, u2.public_key, ga.client_data_hash);
  CHECK(second.flags == 0x01);  // same flags as the getAssertion
  CHECK(n1.at(1).find("id")->as_bytes() == u2.id);
  CHECK(n1.at(4).find("id")->as_bytes() == Bytes{2});
  CHECK(n1.at(4).as_map().size() == 1);
  CHECK_FALSE(n1.has(5));

  Reply n2 = call(d.auth, message(CtapCommand::kGetNextAssertion));
  verified(n2, u1.public_key, ga.client_data_hash);
  CHECK(n2.at(1).find("id")->as_bytes() == u1.id);
  CHECK_FALSE(n2.has(5));

  // Exhausted.
  CHECK(call(d.auth, message(CtapCommand::kGetNextAssertion)).status == CtapStatus::kNotAllowed);
  CHECK(call(d.auth, message(CtapCommand::kGetNextAssertion)).status == CtapStatus::kNotAllowed);

  // Per-credential counters: each credential was used once.
  GetAssertionArgs again;
  again.allow = {u1.id};
  CHECK(verified(call(d.auth, get_assertion_msg(again)), u1.public_key, again.client_data_hash).sign_count == 2);
}

TEST_CASE("get_assertion: a single discoverable credential leaves no getNextAssertion state") {
  TestDevice d;
  register_credential(d.auth, user(1));
  Reply r = call(d.auth, get_assertion_msg({}));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK_FALSE(r.has(5));
  CHECK(call(d.auth, message(CtapCommand::kGetNextAssertion)).status == CtapStatus::kNotAllowed);
}

TEST_CASE("get_assertion: an allowList leaves no getNextAssertion state") {
  TestDevice d;
  Registered a = register_credential(d.auth, user(1));
  Registered b = register_credential(d.auth, user(2));
  GetAssertionArgs ga;
  ga.allow = {a.id, b.id};
  Reply r = call(d.auth, get_assertion_msg(ga));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(r.at(1).find("id")->as_bytes() == a.id);
  CHECK_FALSE(r.has(5));
  CHECK(call(d.auth, message(CtapCommand::kGetNextAssertion)).status == CtapStatus::kNotAllowed);
}

TEST_CASE("get_next_assertion: NOT_ALLOWED without a getAssertion") {
  TestDevice d;
  CHECK(call(d.auth, message(CtapCommand::kGetNextAssertion)).status == CtapStatus::kNotAllowed);
}

TEST_CASE("get_next_assertion: state expires after next_assertion_timeout_ms") {
  TestDevice d;
  register_credential(d.auth, user(1));
  register_credential(d.auth, user(2));
  register_credential(d.auth, user(3));
  REQUIRE(call(d.auth, get_assertion_msg({})).status == CtapStatus::kOk);
  const std::uint64_t timeout = d.auth.profile().next_assertion_timeout_ms;
  d.t.clock.advance(timeout);  // exactly the limit: still fine, and the timer restarts
  CHECK(call(d.auth, message(CtapCommand::kGetNextAssertion)).status == CtapStatus::kOk);
  d.t.clock.advance(timeout + 1);
  CHECK(call(d.auth, message(CtapCommand::kGetNextAssertion)).status == CtapStatus::kNotAllowed);
  // The state was discarded, not just refused once.
  CHECK(call(d.auth, message(CtapCommand::kGetNextAssertion)).status == CtapStatus::kNotAllowed);
}

TEST_CASE("get_next_assertion: any other command clears the state") {
  TestDevice d;
  register_credential(d.auth, user(1));
  register_credential(d.auth, user(2));
  REQUIRE(call(d.auth, get_assertion_msg({})).status == CtapStatus::kOk);
  SUBCASE("getInfo") { CHECK(call(d.auth, message(CtapCommand::kGetInfo)).status == CtapStatus::kOk); }
  SUBCASE("an unknown command") { CHECK(call(d.auth, Bytes{0x55}).status == CtapStatus::kInvalidCommand); }
  SUBCASE("a failing getAssertion") {
    GetAssertionArgs bad;
    bad.rp_id = "nobody.example";
    CHECK(call(d.auth, get_assertion_msg(bad)).status == CtapStatus::kNoCredentials);
  }
  CHECK(call(d.auth, message(CtapCommand::kGetNextAssertion)).status == CtapStatus::kNotAllowed);
}

TEST_CASE("get_next_assertion: keeps the silent flags of the getAssertion") {
  TestDevice d;
  Registered u1 = register_credential(d.auth, user(1));
  register_credential(d.auth, user(2));
  GetAssertionArgs ga;
  ga.up = false;
  Reply r = call(d.auth, get_assertion_msg(ga));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(r.at(2).as_bytes()[32] == 0x00);
  Reply n = call(d.auth, message(CtapCommand::kGetNextAssertion));
  AuthenticatorData ad = verified(n, u1.public_key, ga.client_data_hash);
  CHECK(ad.flags == 0x00);
}

TEST_CASE("get_next_assertion: a credential removed meanwhile is skipped") {
  TestDevice d;
  Registered u1 = register_credential(d.auth, user(1));
  Registered u2 = register_credential(d.auth, user(2));
  register_credential(d.auth, user(3));
  REQUIRE(call(d.auth, get_assertion_msg({})).status == CtapStatus::kOk);
  REQUIRE(d.t.store.remove(u2.id).has_value());
  Reply n = call(d.auth, message(CtapCommand::kGetNextAssertion));
  REQUIRE(n.status == CtapStatus::kOk);
  CHECK(n.at(1).find("id")->as_bytes() == u1.id);
  CHECK(call(d.auth, message(CtapCommand::kGetNextAssertion)).status == CtapStatus::kNotAllowed);
}
