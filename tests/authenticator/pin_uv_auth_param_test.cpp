// makeCredential and getAssertion with a PIN (CTAP 2.1 §6.1.2 steps 1-2, 5-8, 10-14; §6.2.2
// steps 1-2, 4-6, 9, 12): PUAT_REQUIRED, pinUvAuthTokens with permissions and their RP-ID
// binding, single use after a touch, timers, alwaysUv, makeCredUvNotRqd, the selection probe,
// built-in UV, and what the user entity carries with and without UV.
#include <doctest/doctest.h>

#include "tests/support/pin_platform.h"

using namespace vfido;
using namespace vfido::test;
using pin_uv_auth::ProtocolId;
namespace perm = pin_uv_auth::permission;

namespace {

struct PinnedDevice {
  explicit PinnedDevice(AuthenticatorProfile p = {}, PresenceMode mode = PresenceMode::kAutoApprove,
                        ProtocolId protocol = ProtocolId::kTwo)
      : d(std::move(p), mode), host(d.auth, protocol) {
    if (mode == PresenceMode::kScripted) d.t.scripted.push(ScriptedPresence::Step::kApprove);
    REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
  }
  Bytes token(std::uint64_t permissions, std::optional<std::string> rp = std::nullopt) {
    auto t = host.token("1234", permissions, std::move(rp));
    REQUIRE(t.status == CtapStatus::kOk);
    return t.token;
  }
  MakeCredentialArgs mc_with(const Bytes& token, MakeCredentialArgs a = {}) {
    a.pin_uv_auth_param = host.param(token, a.client_data_hash);
    a.pin_uv_auth_protocol = host.protocol_number();
    return a;
  }
  GetAssertionArgs ga_with(const Bytes& token, GetAssertionArgs a = {}) {
    a.pin_uv_auth_param = host.param(token, a.client_data_hash);
    a.pin_uv_auth_protocol = host.protocol_number();
    return a;
  }
  TestDevice d;
  PinPlatform host;
};

std::uint8_t flags_of(const Reply& r, int key) { return r.at(key).as_bytes()[32]; }

}  // namespace

TEST_CASE("pin_uv_auth: a protected device requires a token for discoverable credentials") {
  PinnedDevice p;
  MakeCredentialArgs rk;
  rk.rk = true;
  CHECK(call(p.d.auth, make_credential_msg(rk)).status == CtapStatus::kPuatRequired);
  // makeCredUvNotRqd: a non-discoverable credential may be made without UV (UV bit clear).
  Reply r = call(p.d.auth, make_credential_msg({}));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK((flags_of(r, 2) & flags::kUv) == 0);
}

TEST_CASE("pin_uv_auth: without makeCredUvNotRqd every makeCredential needs a token") {
  AuthenticatorProfile prof;
  prof.make_cred_uv_not_rqd = false;
  PinnedDevice p(prof);
  CHECK(call(p.d.auth, make_credential_msg({})).status == CtapStatus::kPuatRequired);
  Reply r = call(p.d.auth, make_credential_msg(p.mc_with(p.token(perm::kMc, "example.com"))));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK((flags_of(r, 2) & (flags::kUp | flags::kUv)) == (flags::kUp | flags::kUv));
}

TEST_CASE("pin_uv_auth: a token serves one makeCredential, then its verification is spent") {
  PinnedDevice p;
  Bytes t = p.token(perm::kMc | perm::kGa, "example.com");
  MakeCredentialArgs a = p.mc_with(t);
  a.rk = true;
  Reply first = call(p.d.auth, make_credential_msg(a));
  REQUIRE(first.status == CtapStatus::kOk);
  CHECK((flags_of(first, 2) & flags::kUv) != 0);
  a.user_id = {9, 9};
  a = p.mc_with(t, a);
  CHECK(call(p.d.auth, make_credential_msg(a)).status == CtapStatus::kPinAuthInvalid);
  // Its ga permission is gone too (cleared with everything but lbw).
  CHECK(call(p.d.auth, get_assertion_msg(p.ga_with(t))).status == CtapStatus::kPinAuthInvalid);
}

TEST_CASE("pin_uv_auth: a silent getAssertion (up=false) does not spend the token") {
  PinnedDevice p;
  Registered reg = register_credential(p.d.auth, {});
  Bytes t = p.token(perm::kGa, "example.com");
  GetAssertionArgs silent = p.ga_with(t);
  silent.allow = {reg.id};
  silent.up = false;
  Reply r = call(p.d.auth, get_assertion_msg(silent));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK((flags_of(r, 2) & (flags::kUp | flags::kUv)) == flags::kUv);
  GetAssertionArgs loud = p.ga_with(t);
  loud.allow = {reg.id};
  r = call(p.d.auth, get_assertion_msg(loud));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK((flags_of(r, 2) & (flags::kUp | flags::kUv)) == (flags::kUp | flags::kUv));
  CHECK(call(p.d.auth, get_assertion_msg(loud)).status == CtapStatus::kPinAuthInvalid);
}

TEST_CASE("pin_uv_auth: permissions and the permissions RP ID") {
  PinnedDevice p;
  SUBCASE("a ga-only token cannot make credentials") {
    CHECK(call(p.d.auth, make_credential_msg(p.mc_with(p.token(perm::kGa)))).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("an mc-only token cannot get assertions") {
    CHECK(call(p.d.auth, get_assertion_msg(p.ga_with(p.token(perm::kMc)))).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("a token bound to one RP ID is refused for another") {
    MakeCredentialArgs other;
    other.rp_id = "other.example";
    CHECK(call(p.d.auth, make_credential_msg(p.mc_with(p.token(perm::kMc, "example.com"), other))).status ==
          CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("a token without RP ID binds to the first RP it is used for") {
    Bytes t = p.token(perm::kMc | perm::kGa);
    GetAssertionArgs ga = p.ga_with(t);
    ga.up = false;  // silent: the token keeps its verification
    CHECK(call(p.d.auth, get_assertion_msg(ga)).status == CtapStatus::kNoCredentials);
    GetAssertionArgs elsewhere = ga;
    elsewhere.rp_id = "other.example";
    elsewhere = p.ga_with(t, elsewhere);
    CHECK(call(p.d.auth, get_assertion_msg(elsewhere)).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("a legacy getPinToken token has mc and ga") {
    auto legacy = p.host.token("1234", std::nullopt);
    REQUIRE(legacy.status == CtapStatus::kOk);
    CHECK(call(p.d.auth, make_credential_msg(p.mc_with(legacy.token))).status == CtapStatus::kOk);
  }
}

TEST_CASE("pin_uv_auth: a wrong or malformed pinUvAuthParam") {
  PinnedDevice p;
  Bytes t = p.token(perm::kMc, "example.com");
  MakeCredentialArgs a = p.mc_with(t);
  SUBCASE("one flipped bit") { (*a.pin_uv_auth_param)[0] ^= 1; }
  SUBCASE("truncated to 16 bytes for protocol two") { a.pin_uv_auth_param->resize(16); }
  SUBCASE("made with the other protocol's token length") { a.pin_uv_auth_param->push_back(0); }
  CHECK(call(p.d.auth, make_credential_msg(a)).status == CtapStatus::kPinAuthInvalid);
  CHECK(p.d.t.store.size() == 0);
}

TEST_CASE("pin_uv_auth: pinUvAuthProtocol missing or unsupported") {
  PinnedDevice p;
  MakeCredentialArgs a = p.mc_with(p.token(perm::kMc));
  a.pin_uv_auth_protocol.reset();
  CHECK(call(p.d.auth, make_credential_msg(a)).status == CtapStatus::kMissingParameter);
  a.pin_uv_auth_protocol = 3;
  CHECK(call(p.d.auth, make_credential_msg(a)).status == CtapStatus::kInvalidParameter);
  GetAssertionArgs g = p.ga_with(p.token(perm::kGa));
  g.pin_uv_auth_protocol = 7;
  CHECK(call(p.d.auth, get_assertion_msg(g)).status == CtapStatus::kInvalidParameter);
}

TEST_CASE("pin_uv_auth: a token unused for its initial usage time stops; a used one lasts its max period") {
  PinnedDevice p;
  Bytes idle = p.token(perm::kGa, "example.com");
  p.d.t.clock.advance(p.d.auth.profile().pin_token_initial_usage_ms + 1);
  GetAssertionArgs g = p.ga_with(idle);
  g.up = false;
  CHECK(call(p.d.auth, get_assertion_msg(g)).status == CtapStatus::kPinAuthInvalid);

  Bytes busy = p.token(perm::kGa, "example.com");
  g = p.ga_with(busy);
  g.up = false;
  CHECK(call(p.d.auth, get_assertion_msg(g)).status == CtapStatus::kNoCredentials);  // used: timer satisfied
  p.d.t.clock.advance(p.d.auth.profile().pin_token_initial_usage_ms + 1);
  CHECK(call(p.d.auth, get_assertion_msg(g)).status == CtapStatus::kNoCredentials);
  p.d.t.clock.advance(p.d.auth.profile().pin_token_max_usage_ms);
  CHECK(call(p.d.auth, get_assertion_msg(g)).status == CtapStatus::kPinAuthInvalid);
}

TEST_CASE("pin_uv_auth: a power cycle forgets the token") {
  PinnedDevice p;
  Bytes t = p.token(perm::kMc, "example.com");
  p.d.auth.power_cycle();
  CHECK(call(p.d.auth, make_credential_msg(p.mc_with(t))).status == CtapStatus::kPinAuthInvalid);
}

TEST_CASE("pin_uv_auth: the zero-length selection probe") {
  TestDevice d({}, PresenceMode::kScripted);
  MakeCredentialArgs a;
  a.pin_uv_auth_param = Bytes{};
  a.pin_uv_auth_protocol = 1;
  SUBCASE("touched, no PIN: PIN_NOT_SET") {
    d.t.scripted.push(ScriptedPresence::Step::kApprove);
    CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kPinNotSet);
    CHECK(d.t.scripted.history().back().purpose == PresenceRequest::Purpose::kSelection);
  }
  SUBCASE("touched, PIN set: PIN_INVALID") {
    PinPlatform host(d.auth);
    d.t.scripted.push(ScriptedPresence::Step::kApprove);
    REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
    d.t.scripted.push(ScriptedPresence::Step::kApprove);
    GetAssertionArgs g;
    g.pin_uv_auth_param = Bytes{};
    g.pin_uv_auth_protocol = 2;
    CHECK(call(d.auth, get_assertion_msg(g)).status == CtapStatus::kPinInvalid);
    CHECK(host.retries() == 8);
  }
  SUBCASE("declined: OPERATION_DENIED") {
    d.t.scripted.push(ScriptedPresence::Step::kDeny);
    CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kOperationDenied);
  }
  CHECK(d.t.store.size() == 0);
}

TEST_CASE("pin_uv_auth: alwaysUv") {
  AuthenticatorProfile prof;
  prof.always_uv = true;
  SUBCASE("not protected: PUAT_REQUIRED for both commands") {
    TestDevice d(prof);
    CHECK(call(d.auth, make_credential_msg({})).status == CtapStatus::kPuatRequired);
    CHECK(call(d.auth, get_assertion_msg({})).status == CtapStatus::kPuatRequired);
    GetAssertionArgs silent;
    silent.up = false;  // alwaysUv applies to up=true only
    CHECK(call(d.auth, get_assertion_msg(silent)).status == CtapStatus::kNoCredentials);
  }
  SUBCASE("protected: makeCredUvNotRqd no longer exempts non-discoverable credentials") {
    PinnedDevice p(prof);
    CHECK(call(p.d.auth, make_credential_msg({})).status == CtapStatus::kPuatRequired);
    CHECK(call(p.d.auth, make_credential_msg(p.mc_with(p.token(perm::kMc)))).status == CtapStatus::kOk);
    CHECK(call(p.d.auth, get_assertion_msg({})).status == CtapStatus::kPuatRequired);
  }
}

TEST_CASE("pin_uv_auth: getAssertion without a token works without UV on a protected device") {
  PinnedDevice p;
  Registered reg = register_credential(p.d.auth, {});
  GetAssertionArgs g;
  g.allow = {reg.id};
  Reply r = call(p.d.auth, get_assertion_msg(g));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK((flags_of(r, 2) & flags::kUv) == 0);
}

TEST_CASE("pin_uv_auth: the user entity carries name and displayName only with UV") {
  PinnedDevice p;
  MakeCredentialArgs a = p.mc_with(p.token(perm::kMc, "example.com"));
  a.rk = true;
  REQUIRE(call(p.d.auth, make_credential_msg(a)).status == CtapStatus::kOk);
  MakeCredentialArgs b = p.mc_with(p.token(perm::kMc, "example.com"));
  b.rk = true;
  b.user_id = {7, 7, 7};
  b.user_name = "bob";
  REQUIRE(call(p.d.auth, make_credential_msg(b)).status == CtapStatus::kOk);

  SUBCASE("with a token: full entities, newest first, getNextAssertion keeps UV") {
    Reply first = call(p.d.auth, get_assertion_msg(p.ga_with(p.token(perm::kGa, "example.com"))));
    REQUIRE(first.status == CtapStatus::kOk);
    CHECK(first.at(0x05).as_uint() == 2);
    CHECK(first.at(0x04).find("name")->as_text() == "bob");
    CHECK(first.at(0x04).find("displayName")->as_text() == "bob (display)");
    Reply next = call(p.d.auth, message(CtapCommand::kGetNextAssertion));
    REQUIRE(next.status == CtapStatus::kOk);
    CHECK(next.at(0x04).find("name")->as_text() == "alice");
    CHECK((flags_of(next, 2) & flags::kUv) != 0);
  }
  SUBCASE("without UV: only the user handle") {
    Reply first = call(p.d.auth, get_assertion_msg({}));
    REQUIRE(first.status == CtapStatus::kOk);
    CHECK(first.at(0x04).find("id") != nullptr);
    CHECK(first.at(0x04).find("name") == nullptr);
    CHECK(first.at(0x04).find("displayName") == nullptr);
  }
}

TEST_CASE("pin_uv_auth: built-in user verification in makeCredential and getAssertion") {
  AuthenticatorProfile prof;
  prof.built_in_uv = true;
  TestDevice d(prof, PresenceMode::kScripted);
  MakeCredentialArgs a;
  a.uv = true;
  a.rk = true;
  d.t.scripted.push(ScriptedPresence::Step::kApprove);
  Reply r = call(d.auth, make_credential_msg(a));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK((flags_of(r, 2) & (flags::kUp | flags::kUv)) == (flags::kUp | flags::kUv));
  CHECK(d.t.scripted.history().size() == 1);  // one UV gesture, no separate touch
  CHECK(d.t.scripted.history().back().verification);

  GetAssertionArgs g;
  g.uv = true;
  d.t.scripted.push(ScriptedPresence::Step::kDeny);
  CHECK(call(d.auth, get_assertion_msg(g)).status == CtapStatus::kOperationDenied);
  CHECK(d.auth.device_state().uv_retries == d.auth.profile().max_uv_retries - 1);
  d.t.scripted.push(ScriptedPresence::Step::kApprove);
  r = call(d.auth, get_assertion_msg(g));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK((flags_of(r, 2) & flags::kUv) != 0);
  CHECK(r.at(0x04).find("name") != nullptr);
  CHECK(d.auth.device_state().uv_retries == d.auth.profile().max_uv_retries);
  // Built-in UV is protection: a discoverable credential without UV is refused.
  MakeCredentialArgs no_uv;
  no_uv.rk = true;
  CHECK(call(d.auth, make_credential_msg(no_uv)).status == CtapStatus::kPuatRequired);
}

TEST_CASE("pin_uv_auth: uv=true without built-in UV is INVALID_OPTION") {
  TestDevice d;
  MakeCredentialArgs a;
  a.uv = true;
  CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kInvalidOption);
  GetAssertionArgs g;
  g.uv = true;
  CHECK(call(d.auth, get_assertion_msg(g)).status == CtapStatus::kInvalidOption);
}

TEST_CASE("pin_uv_auth: an excludeList hit with a token that carries presence needs no new touch") {
  PinnedDevice p({}, PresenceMode::kScripted);
  p.d.t.scripted.push(ScriptedPresence::Step::kApprove);
  Registered reg = register_credential(p.d.auth, {});
  const std::size_t asked = p.d.t.scripted.history().size();
  MakeCredentialArgs a = p.mc_with(p.token(perm::kMc, "example.com"));
  a.exclude = {reg.id};
  // The token came from the PIN: its userPresent flag is false, so the hit still asks for a touch.
  p.d.t.scripted.push(ScriptedPresence::Step::kApprove);
  CHECK(call(p.d.auth, make_credential_msg(a)).status == CtapStatus::kCredentialExcluded);
  CHECK(p.d.t.scripted.history().size() == asked + 1);
}
