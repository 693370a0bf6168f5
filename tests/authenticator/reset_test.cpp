// authenticatorReset (CTAP 2.1 §6.6): what it wipes, the window after power-up, and the touch.
#include <doctest/doctest.h>

#include "tests/support/ctap21_requests.h"

using namespace vfido;
using namespace vfido::test;
using pin_uv_auth::ProtocolId;
namespace perm = pin_uv_auth::permission;

namespace {

Reply reset(Authenticator& a) { return call(a, message(CtapCommand::kReset)); }

// A device with everything reset clears: a PIN, credentials, settings, a large blob, a token.
struct UsedDevice {
  TestDevice d;
  PinPlatform host{d.auth};
  Bytes token;
  Registered resident;
  Registered plain;
  Bytes blob = large_blob_array_of(3);

  UsedDevice() {
    REQUIRE(host.set_pin("123456") == CtapStatus::kOk);
    token = host.token("123456", perm::kLbw | perm::kAcfg).token;
    REQUIRE(!token.empty());
    REQUIRE(send_config(d.auth, config_request(kEnableEnterpriseAttestation, std::nullopt, PuatParam{host, token}))
                .status == CtapStatus::kOk);
    REQUIRE(send_large_blobs(d.auth, large_blobs_set(0, blob, blob.size(), PuatParam{host, token})).status ==
            CtapStatus::kOk);
    // Credentials, made with tokens (the device is protected).
    auto cred = [&](bool rk, std::uint8_t cdh) {
      auto t = host.token("123456", perm::kMc, "example.com");
      REQUIRE(t.status == CtapStatus::kOk);
      MakeCredentialArgs a;
      a.client_data_hash = filled(kClientDataHashLen, cdh);
      a.rk = rk;
      a.pin_uv_auth_param = host.param(t.token, a.client_data_hash);
      a.pin_uv_auth_protocol = host.protocol_number();
      return register_credential(d.auth, a);
    };
    resident = cred(true, 0x31);
    plain = cred(false, 0x32);
    REQUIRE(d.t.store.size() == 2);
    // The settings, then two wrong PINs (retries and the mismatch count off their start values).
    token = host.token("123456", perm::kLbw | perm::kAcfg).token;
    PuatParam auth{host, token};
    REQUIRE(send_config(d.auth, config_request(kSetMinPinLength,
                                               min_pin_length_params(8, std::vector<std::string>{"example.com"}, true), auth))
                .status == CtapStatus::kOk);
    REQUIRE(send_config(d.auth, config_request(kToggleAlwaysUv, std::nullopt, auth)).status == CtapStatus::kOk);
    REQUIRE(host.token("000000", perm::kLbw).status == CtapStatus::kPinInvalid);
    REQUIRE(host.token("000000", perm::kLbw).status == CtapStatus::kPinInvalid);
    const DeviceState& s = d.auth.device_state();
    REQUIRE(s.force_pin_change);
    REQUIRE(s.always_uv);
    REQUIRE(s.enterprise_attestation);
    REQUIRE(s.min_pin_length == 8);
    REQUIRE(s.pin_retries == 6);
  }
};

}  // namespace

TEST_CASE("reset: wipes credentials, the PIN, the settings, the large blobs and the tokens") {
  UsedDevice u;
  Authenticator& a = u.d.auth;
  Reply ka_before = u.host.send(u.host.request(0x02));
  REQUIRE(ka_before.status == CtapStatus::kOk);

  REQUIRE(reset(a).status == CtapStatus::kOk);

  const DeviceState& s = a.device_state();
  CHECK_FALSE(s.pin.has_value());
  CHECK(s.pin_retries == a.profile().max_pin_retries);
  CHECK(s.uv_retries == a.profile().max_uv_retries);
  CHECK(s.min_pin_length == a.profile().min_pin_length);
  CHECK(s.min_pin_length_rp_ids.empty());
  CHECK_FALSE(s.force_pin_change);
  CHECK(s.always_uv == a.profile().always_uv);
  CHECK_FALSE(s.enterprise_attestation);
  CHECK(s.large_blob_array == initial_large_blob_array());
  CHECK(u.d.t.store.size() == 0);
  // The reset state is what was saved.
  REQUIRE(u.d.t.state.saved().has_value());
  auto saved = DeviceState::decode(*u.d.t.state.saved());
  REQUIRE(saved.has_value());
  CHECK_FALSE(saved->pin.has_value());
  CHECK(saved->large_blob_array == initial_large_blob_array());
  CHECK(saved->min_pin_length == 4);

  // getInfo shows a fresh key.
  CHECK(info_option(a, "clientPin") == false);
  CHECK(info_option(a, "alwaysUv") == false);
  CHECK(info_option(a, "ep") == false);
  Reply info = call(a, message(CtapCommand::kGetInfo));
  CHECK(info.at(0x0D).as_uint() == 4);

  // Old credentials are gone, the non-discoverable one too (its ID no longer unwraps).
  GetAssertionArgs ga;
  ga.allow = {u.plain.id};
  CHECK(call(a, get_assertion_msg(ga)).status == CtapStatus::kNoCredentials);
  ga.allow = {};
  CHECK(call(a, get_assertion_msg(ga)).status == CtapStatus::kNoCredentials);

  // The old token is dead: a large-blob write with it is refused once a PIN is set again.
  REQUIRE(u.host.set_pin("5678") == CtapStatus::kOk);
  Bytes blob = large_blob_array_of(1);
  CHECK(send_large_blobs(a, large_blobs_set(0, blob, blob.size(), PuatParam{u.host, u.token})).status ==
        CtapStatus::kPinAuthInvalid);
  // The key-agreement key was regenerated.
  Reply ka_after = u.host.send(u.host.request(0x02));
  REQUIRE(ka_after.status == CtapStatus::kOk);
  CHECK_FALSE(ka_after.at(0x01) == ka_before.at(0x01));
  // The mismatch count started over: three wrong PINs are needed again to block.
  CHECK(u.host.token("0000", perm::kLbw).status == CtapStatus::kPinInvalid);
  CHECK(u.host.token("0000", perm::kLbw).status == CtapStatus::kPinInvalid);
  CHECK(u.host.token("0000", perm::kLbw).status == CtapStatus::kPinAuthBlocked);
}

TEST_CASE("reset: alwaysUv returns to the profile's first-power-up value") {
  AuthenticatorProfile p;
  p.always_uv = true;
  TestDevice d(p);
  REQUIRE(send_config(d.auth, config_request(kToggleAlwaysUv)).status == CtapStatus::kOk);
  REQUIRE_FALSE(d.auth.device_state().always_uv);
  REQUIRE(reset(d.auth).status == CtapStatus::kOk);
  CHECK(d.auth.device_state().always_uv);
}

TEST_CASE("reset: enterprise attestation is disabled even on a model that ships with it enabled") {
  AuthenticatorProfile p;
  p.enterprise_attestation = true;
  TestDevice d(p);
  REQUIRE(d.auth.device_state().enterprise_attestation);
  REQUIRE(reset(d.auth).status == CtapStatus::kOk);
  CHECK_FALSE(d.auth.device_state().enterprise_attestation);
  CHECK(info_option(d.auth, "ep") == false);
}

TEST_CASE("reset: only within reset_window_ms of power-up; a power cycle opens the window again") {
  TestDevice d;
  register_credential(d.auth, {});
  const std::uint64_t window = d.auth.profile().reset_window_ms;
  REQUIRE(window == 10000);  // CTAP 2.1 §6.6: 10 seconds by default
  SUBCASE("at the end of the window") {
    d.t.clock.advance(window);
    CHECK(reset(d.auth).status == CtapStatus::kOk);
    CHECK(d.t.store.size() == 0);
  }
  SUBCASE("after it, and again after a power cycle") {
    d.t.clock.advance(window + 1);
    const std::size_t saves = d.t.state.saves();
    CHECK(reset(d.auth).status == CtapStatus::kNotAllowed);
    CHECK(d.t.store.size() == 1);  // nothing wiped
    CHECK(d.t.state.saves() == saves);
    d.auth.power_cycle();
    d.t.clock.advance(window);
    CHECK(reset(d.auth).status == CtapStatus::kOk);
    CHECK(d.t.store.size() == 0);
    // A reset does not reopen the window.
    d.t.clock.advance(1);
    CHECK(reset(d.auth).status == CtapStatus::kNotAllowed);
  }
}

TEST_CASE("reset: a window of 0 means no limit") {
  AuthenticatorProfile p;
  p.reset_window_ms = 0;
  TestDevice d(p);
  d.t.clock.advance(24ull * 3600 * 1000);
  CHECK(reset(d.auth).status == CtapStatus::kOk);
}

TEST_CASE("reset: needs a touch; declined, timed out or cancelled, nothing is wiped") {
  TestDevice d({}, PresenceMode::kScripted);
  d.t.scripted.push(ScriptedPresence::Step::kApprove);
  register_credential(d.auth, {});
  REQUIRE(PinPlatform(d.auth).set_pin("1234") == CtapStatus::kOk);
  LaterSink sink;
  auto out = d.auth.handle(message(CtapCommand::kReset), sink.fn());
  REQUIRE_FALSE(out.has_value());
  REQUIRE(d.t.scripted.pending());
  CHECK(d.t.scripted.history().back().purpose == PresenceRequest::Purpose::kReset);
  CtapStatus expected = CtapStatus::kOk;
  SUBCASE("declined") {
    d.t.scripted.resolve(PresenceResult::kDenied);
    expected = CtapStatus::kOperationDenied;
  }
  SUBCASE("timed out") {
    d.t.clock.advance(d.auth.profile().up_timeout_ms);
    d.auth.poll();
    expected = CtapStatus::kUserActionTimeout;
  }
  SUBCASE("cancelled") {
    d.auth.cancel();
    expected = CtapStatus::kKeepaliveCancel;
  }
  REQUIRE(sink.calls == 1);
  CHECK(decode_reply(sink.last).status == expected);
  CHECK(d.t.store.size() == 1);
  CHECK(d.auth.device_state().pin.has_value());
}

TEST_CASE("reset: touched later, answers through `later`") {
  TestDevice d({}, PresenceMode::kScripted);
  LaterSink sink;
  REQUIRE_FALSE(d.auth.handle(message(CtapCommand::kReset), sink.fn()).has_value());
  REQUIRE(d.t.scripted.resolve(PresenceResult::kApproved));
  REQUIRE(sink.calls == 1);
  CHECK(sink.last == Bytes{0x00});
}

TEST_CASE("reset: a CTAP 2.0 authenticator resets too, and trailing bytes are ignored") {
  TestDevice d(ctap20_profile());
  register_credential(d.auth, {});
  CHECK(call(d.auth, Bytes{0x07, 0xAB, 0xCD}).status == CtapStatus::kOk);
  CHECK(d.t.store.size() == 0);
}

TEST_CASE("reset: a state that cannot be saved is CTAP1_ERR_OTHER") {
  TestDevice d;
  d.t.state.fail_saves(true);
  CHECK(reset(d.auth).status == CtapStatus::kOther);
}
