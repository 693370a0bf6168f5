// authenticatorSelection (CTAP 2.1 §6.9): a touch and nothing else.
#include <doctest/doctest.h>

#include "tests/support/test_env.h"

using namespace vfido;
using namespace vfido::test;

TEST_CASE("selection: touched is OK and changes nothing") {
  TestDevice d;
  const std::size_t saves = d.t.state.saves();
  Reply r = call(d.auth, message(CtapCommand::kSelection));
  CHECK(r.status == CtapStatus::kOk);
  CHECK(r.raw.size() == 1);
  CHECK(d.t.state.saves() == saves);
}

TEST_CASE("selection: declined, timed out, cancelled") {
  TestDevice d({}, PresenceMode::kScripted);
  LaterSink sink;
  REQUIRE_FALSE(d.auth.handle(message(CtapCommand::kSelection), sink.fn()).has_value());
  REQUIRE(d.t.scripted.pending());
  CHECK(d.t.scripted.history().back().purpose == PresenceRequest::Purpose::kSelection);
  CHECK(d.auth.waiting_for_user());
  CtapStatus expected = CtapStatus::kOk;
  SUBCASE("touched") {
    d.t.scripted.resolve(PresenceResult::kApproved);
    expected = CtapStatus::kOk;
  }
  SUBCASE("declined") {
    d.t.scripted.resolve(PresenceResult::kDenied);
    expected = CtapStatus::kOperationDenied;
  }
  SUBCASE("no answer within up_timeout_ms") {
    d.t.clock.advance(d.auth.profile().up_timeout_ms - 1);
    d.auth.poll();
    REQUIRE(sink.calls == 0);
    d.t.clock.advance(1);
    d.auth.poll();
    expected = CtapStatus::kUserActionTimeout;
  }
  SUBCASE("CTAPHID_CANCEL") {
    d.auth.cancel();
    expected = CtapStatus::kKeepaliveCancel;
  }
  SUBCASE("a power cycle") {
    d.auth.power_cycle();
    expected = CtapStatus::kKeepaliveCancel;
  }
  REQUIRE(sink.calls == 1);
  CHECK(sink.last == Bytes{static_cast<std::uint8_t>(expected)});
  CHECK_FALSE(d.auth.waiting_for_user());
}

TEST_CASE("selection: unknown to a CTAP 2.0 authenticator") {
  TestDevice d(ctap20_profile());
  CHECK(call(d.auth, message(CtapCommand::kSelection)).status == CtapStatus::kInvalidCommand);
}
