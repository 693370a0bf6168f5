// authenticatorClientPIN (CTAP 2.1 §6.5): every subcommand through handle(), with both PIN/UV
// auth protocols, the retry counters and their power-cycle rules, permissions, and persistence.
#include <doctest/doctest.h>

#include "tests/support/pin_platform.h"

using namespace vfido;
using namespace vfido::test;
using pin_uv_auth::ProtocolId;
namespace perm = pin_uv_auth::permission;

namespace {

AuthenticatorProfile pin_profile() {
  AuthenticatorProfile p;
  p.versions = {"FIDO_2_0", "FIDO_2_1"};
  p.client_pin = true;
  p.pin_uv_auth_token = true;
  p.cred_mgmt = false;
  p.large_blobs = false;
  p.authnr_cfg = false;
  p.set_min_pin_length = false;
  p.extensions = {"credProtect", "hmac-secret", "credBlob"};
  return p;
}

bool client_pin_option(Authenticator& a) {
  Reply info = call(a, message(CtapCommand::kGetInfo));
  const cbor::Value* v = info.at(0x04).find("clientPin");
  REQUIRE(v != nullptr);
  return v->as_bool();
}

}  // namespace

TEST_CASE("client_pin: the command is unknown to a profile without clientPin") {
  TestDevice d(ctap20_profile());
  PinPlatform host(d.auth);
  CHECK(host.send(host.request(0x02)).status == CtapStatus::kInvalidCommand);
}

TEST_CASE("client_pin: getKeyAgreement answers a P-256 COSE key labelled ECDH-ES+HKDF-256") {
  TestDevice d(pin_profile());
  PinPlatform host(d.auth, each_protocol());
  Reply r = host.send(host.request(0x02));
  REQUIRE(r.status == CtapStatus::kOk);
  const cbor::Value& k = r.at(0x01);
  CHECK(*k.find(1) == cbor::Value::integer(2));
  CHECK(*k.find(3) == cbor::Value::integer(-25));
  CHECK(*k.find(-1) == cbor::Value::integer(1));
  CHECK(k.find(-2)->as_bytes().size() == 32);
  CHECK(k.find(-3)->as_bytes().size() == 32);
  // Stable until something regenerates it.
  CHECK(host.send(host.request(0x02)).at(0x01) == k);
}

TEST_CASE("client_pin: setPIN, then getPINRetries, getInfo clientPin and a token") {
  TestDevice d(pin_profile());
  PinPlatform host(d.auth, each_protocol());
  CHECK_FALSE(client_pin_option(d.auth));
  REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
  CHECK(client_pin_option(d.auth));
  CHECK(host.retries() == 8);
  auto t = host.token("1234", perm::kMc, "example.com");
  REQUIRE(t.status == CtapStatus::kOk);
  CHECK(t.token.size() == 32);
  // A second setPIN is refused: the PIN is changed with changePIN.
  CHECK(host.set_pin("5678") == CtapStatus::kPinAuthInvalid);
}

TEST_CASE("client_pin: setPIN parameter and policy errors") {
  TestDevice d(pin_profile());
  PinPlatform host(d.auth, each_protocol());
  SUBCASE("shorter than minPINLength (4 code points)") { CHECK(host.set_pin("123") == CtapStatus::kPinPolicyViolation); }
  SUBCASE("four code points in more than four bytes is long enough") {
    CHECK(host.set_pin("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9") == CtapStatus::kOk);
    CHECK(d.auth.device_state().pin->code_points == 4);
  }
  SUBCASE("64 bytes: no room for the terminating zero") {
    CHECK(host.set_padded_pin(Bytes(64, '7')) == CtapStatus::kPinPolicyViolation);
  }
  SUBCASE("not UTF-8") { CHECK(host.set_pin("\xff\xfe\xfd\xfc") == CtapStatus::kPinPolicyViolation); }
  SUBCASE("padded to 80 bytes instead of 64") {
    CHECK(host.set_padded_pin(PinPlatform::padded("1234", 80)) == CtapStatus::kInvalidParameter);
  }
  SUBCASE("pinUvAuthParam that does not verify") {
    auto e = host.key_agreement();
    cbor::Value m = host.request(0x03);
    Bytes enc = host.encrypt(e.shared_secret, PinPlatform::padded("1234"));
    Bytes param = pin_uv_auth::authenticate(host.protocol(), e.shared_secret.expose(), enc);
    param[0] ^= 1;
    m.set(0x03, e.platform_key);
    m.set(0x04, cbor::Value::bytes(param));
    m.set(0x05, cbor::Value::bytes(enc));
    CHECK(host.send(m).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("missing newPinEnc") {
    auto e = host.key_agreement();
    cbor::Value m = host.request(0x03);
    m.set(0x03, e.platform_key);
    m.set(0x04, cbor::Value::bytes(Bytes(16, 1)));
    CHECK(host.send(m).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("a platform key that is not on the curve") {
    auto e = host.key_agreement();
    cbor::Value bad = cbor::Value::map();
    for (const auto& [k, v] : e.platform_key.as_map()) {
      if (k == cbor::Value::integer(-3)) {
        Bytes y = v.as_bytes();
        y[31] ^= 1;
        bad.set(k, cbor::Value::bytes(y));
      } else {
        bad.set(k, v);
      }
    }
    cbor::Value m = host.request(0x03);
    Bytes enc = host.encrypt(e.shared_secret, PinPlatform::padded("1234"));
    m.set(0x03, bad);
    m.set(0x04, cbor::Value::bytes(pin_uv_auth::authenticate(host.protocol(), e.shared_secret.expose(), enc)));
    m.set(0x05, cbor::Value::bytes(enc));
    CHECK(host.send(m).status == CtapStatus::kInvalidParameter);
  }
  // A refused setPIN leaves no PIN behind; only the one valid request above set one.
  const bool set = d.auth.device_state().pin.has_value();
  CHECK(set == client_pin_option(d.auth));
}

TEST_CASE("client_pin: protocol and subcommand errors") {
  TestDevice d(pin_profile());
  PinPlatform host(d.auth);
  cbor::Value m = cbor::Value::map();
  SUBCASE("unsupported protocol 3") {
    m.set(0x01, cbor::Value::uint(3));
    m.set(0x02, cbor::Value::uint(0x02));
    CHECK(host.send(m).status == CtapStatus::kInvalidParameter);
  }
  SUBCASE("no protocol for getKeyAgreement") {
    m.set(0x02, cbor::Value::uint(0x02));
    CHECK(host.send(m).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("no subCommand") {
    m.set(0x01, cbor::Value::uint(2));
    CHECK(host.send(m).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("subCommand as text") {
    m.set(0x01, cbor::Value::uint(2));
    m.set(0x02, cbor::Value::text("x"));
    CHECK(host.send(m).status == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("unknown subCommand 0x08") {
    CHECK(host.send(host.request(0x08)).status == CtapStatus::kInvalidSubcommand);
  }
  SUBCASE("getUVRetries without built-in UV") {
    CHECK(host.send(host.request(0x07)).status == CtapStatus::kInvalidSubcommand);
  }
}

TEST_CASE("client_pin: wrong PINs count down, block after three per power cycle, and lock at zero") {
  TestDevice d(pin_profile());
  PinPlatform host(d.auth, each_protocol());
  REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
  const std::size_t saves_before = d.t.state.saves();

  CHECK(host.token("0000", perm::kGa).status == CtapStatus::kPinInvalid);
  CHECK(host.retries() == 7);
  CHECK(host.token("0000", perm::kGa).status == CtapStatus::kPinInvalid);
  CHECK(host.token("0000", perm::kGa).status == CtapStatus::kPinAuthBlocked);
  CHECK(host.retries() == 5);
  // Blocked until a power cycle, even with the right PIN, and without burning retries.
  CHECK(host.token("1234", perm::kGa).status == CtapStatus::kPinAuthBlocked);
  CHECK(host.change_pin("1234", "5678") == CtapStatus::kPinAuthBlocked);
  CHECK(host.retries() == 5);
  Reply r = host.send(host.request(0x01));
  CHECK(r.at(0x04).as_bool());  // powerCycleState

  d.auth.power_cycle();
  CHECK_FALSE(host.send(host.request(0x01)).at(0x04).as_bool());
  CHECK(host.retries() == 5);  // persistent
  REQUIRE(host.token("1234", perm::kGa).status == CtapStatus::kOk);
  CHECK(host.retries() == 8);  // a right PIN restores the counter

  // Eight wrong PINs in all (with power cycles in between) lock the PIN for good.
  int wrong = 0;
  CtapStatus last = CtapStatus::kOk;
  for (int cycle = 0; cycle < 3; ++cycle) {
    for (int i = 0; i < 3 && wrong < 8; ++i, ++wrong) last = host.token("9999", perm::kGa).status;
    d.auth.power_cycle();
  }
  CHECK(last == CtapStatus::kPinBlocked);
  CHECK(host.retries() == 0);
  CHECK(host.token("1234", perm::kGa).status == CtapStatus::kPinBlocked);
  CHECK(host.change_pin("1234", "5678") == CtapStatus::kPinBlocked);
  // Only the counters were saved: the PIN itself is unchanged.
  CHECK(d.t.state.saves() > saves_before);
  CHECK(d.auth.device_state().pin.has_value());
}

TEST_CASE("client_pin: a wrong PIN regenerates the key agreement key") {
  TestDevice d(pin_profile());
  PinPlatform host(d.auth, each_protocol());
  REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
  const cbor::Value before = host.send(host.request(0x02)).at(0x01);
  CHECK(host.token("4321", perm::kGa).status == CtapStatus::kPinInvalid);
  CHECK_FALSE(host.send(host.request(0x02)).at(0x01) == before);
}

TEST_CASE("client_pin: changePIN replaces the PIN and invalidates tokens") {
  TestDevice d(pin_profile());
  PinPlatform host(d.auth, each_protocol());
  REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
  CHECK(host.change_pin("0000", "5678") == CtapStatus::kPinInvalid);
  CHECK(host.retries() == 7);
  CHECK(host.change_pin("1234", "56") == CtapStatus::kPinPolicyViolation);
  CHECK(host.retries() == 8);  // the current PIN was right
  REQUIRE(host.change_pin("1234", "5678") == CtapStatus::kOk);
  CHECK(host.token("1234", perm::kGa).status == CtapStatus::kPinInvalid);
  CHECK(host.token("5678", perm::kGa).status == CtapStatus::kOk);
}

TEST_CASE("client_pin: changePIN and getPinToken without a PIN answer PIN_NOT_SET") {
  TestDevice d(pin_profile());
  PinPlatform host(d.auth, each_protocol());
  CHECK(host.change_pin("1234", "5678") == CtapStatus::kPinNotSet);
  CHECK(host.token("1234", perm::kGa).status == CtapStatus::kPinNotSet);
  CHECK(host.token("1234", std::nullopt).status == CtapStatus::kPinNotSet);
}

TEST_CASE("client_pin: permissions are screened before the PIN is checked") {
  TestDevice d(pin_profile());  // no credMgmt, largeBlobs or authnrCfg
  PinPlatform host(d.auth, each_protocol());
  REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
  CHECK(host.token("1234", 0).status == CtapStatus::kInvalidParameter);
  CHECK(host.token("1234", perm::kCm).status == CtapStatus::kUnauthorizedPermission);
  CHECK(host.token("1234", perm::kLbw).status == CtapStatus::kUnauthorizedPermission);
  CHECK(host.token("1234", perm::kAcfg).status == CtapStatus::kUnauthorizedPermission);
  CHECK(host.token("1234", perm::kBe).status == CtapStatus::kUnauthorizedPermission);
  CHECK(host.token("0000", perm::kCm).status == CtapStatus::kUnauthorizedPermission);
  CHECK(host.retries() == 8);  // none of these touched the counter
  CHECK(host.token("1234", perm::kMc | perm::kGa | 0x80).status == CtapStatus::kOk);  // 0x80 undefined: ignored
}

TEST_CASE("client_pin: getPinToken refuses permissions and rpId") {
  TestDevice d(pin_profile());
  PinPlatform host(d.auth, each_protocol());
  REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
  // A loop, not SUBCASEs: each_protocol() already is one, and doctest 2.4.9 runs nested
  // subcases of a helper once more with no inner subcase entered.
  for (int key : {0x09, 0x0A}) {
    CAPTURE(key);
    auto e = host.key_agreement();
    cbor::Value m = host.request(0x05);
    m.set(0x03, e.platform_key);
    m.set(0x06, cbor::Value::bytes(host.pin_hash_enc(e.shared_secret, "1234")));
    m.set(key, key == 0x09 ? cbor::Value::uint(perm::kMc) : cbor::Value::text("example.com"));
    CHECK(host.send(m).status == CtapStatus::kInvalidParameter);
  }
  CHECK(host.token("1234", std::nullopt).status == CtapStatus::kOk);
}

TEST_CASE("client_pin: the PIN and the retry counter survive a restart through the StateStore") {
  TestEnv t;
  {
    Authenticator a(pin_profile(), t.env);
    PinPlatform host(a);
    REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
    CHECK(host.token("0000", perm::kGa).status == CtapStatus::kPinInvalid);
  }
  Authenticator again(pin_profile(), t.env);
  PinPlatform host(again);
  CHECK(host.retries() == 7);
  CHECK(host.token("1234", perm::kGa).status == CtapStatus::kOk);
}

TEST_CASE("client_pin: a corrupt saved state is refused, not replaced") {
  TestEnv t;
  Bytes junk = {0xa1, 0x00, 0x63};
  REQUIRE(t.state.save_state(junk));
  CHECK_THROWS_WITH_AS(Authenticator(pin_profile(), t.env), doctest::Contains("device state"), std::runtime_error);
}

TEST_CASE("client_pin: getPinUvAuthTokenUsingUvWithPermissions asks for built-in UV") {
  AuthenticatorProfile p = pin_profile();
  p.built_in_uv = true;
  TestDevice d(p, PresenceMode::kScripted);
  PinPlatform host(d.auth, each_protocol());
  auto ask = [&](ScriptedPresence::Step step) {
    d.t.scripted.push(step);
    auto e = host.key_agreement();
    cbor::Value m = host.request(0x06);
    m.set(0x03, e.platform_key);
    m.set(0x09, cbor::Value::uint(perm::kGa));
    return call(d.auth, message(CtapCommand::kClientPin, m));
  };
  Reply ok = ask(ScriptedPresence::Step::kApprove);
  CHECK(ok.status == CtapStatus::kOk);
  CHECK(d.t.scripted.history().back().verification);
  CHECK(ask(ScriptedPresence::Step::kDeny).status == CtapStatus::kUvInvalid);
  Reply retries = host.send(host.request(0x07));
  CHECK(retries.at(0x05).as_uint() == 7);
  for (int i = 0; i < 6; ++i) CHECK(ask(ScriptedPresence::Step::kDeny).status == CtapStatus::kUvInvalid);
  CHECK(ask(ScriptedPresence::Step::kDeny).status == CtapStatus::kUvBlocked);
  CHECK(ask(ScriptedPresence::Step::kApprove).status == CtapStatus::kUvBlocked);  // no UV attempted
}

TEST_CASE("client_pin: built-in UV that is not enrolled answers NOT_ALLOWED") {
  AuthenticatorProfile p = pin_profile();
  p.built_in_uv = false;
  TestDevice d(p);
  PinPlatform host(d.auth);
  auto e = host.key_agreement();
  cbor::Value m = host.request(0x06);
  m.set(0x03, e.platform_key);
  m.set(0x09, cbor::Value::uint(perm::kGa));
  CHECK(host.send(m).status == CtapStatus::kNotAllowed);
}
