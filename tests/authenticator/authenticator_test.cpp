#include <doctest/doctest.h>

#include "tests/support/test_env.h"

using namespace vfido;
using namespace vfido::test;

TEST_CASE("authenticator: an empty message is INVALID_LENGTH") {
  TestDevice d;
  Reply r = call(d.auth, Bytes{});
  CHECK(r.status == CtapStatus::kInvalidLength);
  CHECK(r.raw.size() == 1);
}

TEST_CASE("authenticator: unknown and unimplemented commands are INVALID_COMMAND") {
  TestDevice d(ctap20_profile());
  // 0x03, 0x05 are unassigned; 0x06 clientPIN, 0x09 bioEnrollment, 0x0A credMgmt, 0x0B
  // selection, 0x0C largeBlobs, 0x0D config, 0x40/0x41 prototypes: not advertised, not
  // implemented by the core or not offered by a CTAP 2.0 profile (0x07 reset is: reset_test.cpp).
  for (int cmd : {0x00, 0x03, 0x05, 0x06, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x40, 0x41, 0xBF, 0xFF}) {
    CAPTURE(cmd);
    Reply r = call(d.auth, Bytes{static_cast<std::uint8_t>(cmd), 0xA0});
    CHECK(r.status == CtapStatus::kInvalidCommand);
    CHECK(r.raw.size() == 1);
  }
}

TEST_CASE("authenticator: a request larger than maxMsgSize is REQUEST_TOO_LARGE") {
  TestDevice d;
  const std::size_t max = d.auth.profile().max_msg_size;
  // A makeCredential padded with a long user.displayName to exactly max and max + 1 bytes.
  auto sized = [](std::size_t total) {
    MakeCredentialArgs a;
    Bytes msg;
    std::size_t pad = 0;
    for (int i = 0; i < 3; ++i) {  // converge: the length prefix grows once
      cbor::Value p = make_credential_params(a);
      cbor::Value user = *p.find(3);
      user.as_map().back().second = cbor::Value::text(std::string(pad, 'x'));
      std::erase_if(p.as_map(), [](const auto& kv) { return kv.first == cbor::Value::integer(3); });
      p.set(3, user);
      msg = message(CtapCommand::kMakeCredential, p);
      pad += total - msg.size();
    }
    REQUIRE(msg.size() == total);
    return msg;
  };
  CHECK(call(d.auth, sized(max)).status == CtapStatus::kOk);
  CHECK(call(d.auth, sized(max + 1)).status == CtapStatus::kRequestTooLarge);
  // Even a junk message of that size is refused for its size first.
  CHECK(call(d.auth, Bytes(max + 1, 0xFF)).status == CtapStatus::kRequestTooLarge);
}

TEST_CASE("authenticator: every command and every failure is logged, never key material") {
  TestDevice d;
  Registered reg = register_credential(d.auth, {});
  CHECK(d.t.log.contains("authenticatorMakeCredential"));
  GetAssertionArgs ga;
  ga.rp_id = "nobody.example";
  REQUIRE(call(d.auth, get_assertion_msg(ga)).status == CtapStatus::kNoCredentials);
  CHECK(d.t.log.contains("authenticatorGetAssertion -> CTAP2_ERR_NO_CREDENTIALS"));
  CHECK(d.t.log.contains("getAssertion step 7"));
  auto stored = d.t.store.find("example.com", reg.id);
  REQUIRE(stored.has_value());
  REQUIRE(stored->has_value());
  const std::string secret_hex = to_hex((*stored)->private_key.expose());
  for (const auto& line : d.t.log.lines) CHECK(line.find(secret_hex) == std::string::npos);
}

TEST_CASE("authenticator: cancel and poll without a pending request do nothing") {
  TestDevice d;
  d.auth.cancel();
  d.t.clock.advance(100000);
  d.auth.poll();
  CHECK_FALSE(d.auth.waiting_for_user());
  CHECK(call(d.auth, message(CtapCommand::kGetInfo)).status == CtapStatus::kOk);
}

TEST_CASE("authenticator: destroying it while waiting withdraws the presence request") {
  TestEnv t(PresenceMode::kScripted);
  LaterSink sink;
  {
    Authenticator auth(AuthenticatorProfile{}, t.env);
    REQUIRE_FALSE(auth.handle(make_credential_msg({}), sink.fn()).has_value());
    CHECK(t.scripted.pending());
  }
  CHECK_FALSE(t.scripted.pending());
  CHECK_FALSE(t.scripted.resolve(PresenceResult::kApproved));
  CHECK(sink.calls == 0);
}

TEST_CASE("authenticator: a reply sent from `later` may start the next request") {
  TestDevice d({}, PresenceMode::kScripted);
  std::optional<Bytes> info;
  int calls = 0;
  REQUIRE_FALSE(d.auth
                    .handle(make_credential_msg({}),
                            [&](Bytes) {
                              ++calls;
                              info = d.auth.handle(message(CtapCommand::kGetInfo), [](Bytes) {});
                            })
                    .has_value());
  REQUIRE(d.t.scripted.resolve(PresenceResult::kApproved));
  CHECK(calls == 1);
  REQUIRE(info.has_value());
  CHECK((*info)[0] == 0x00);
}
