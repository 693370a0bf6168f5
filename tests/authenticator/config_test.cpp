// authenticatorConfig (CTAP 2.1 §6.11): enableEnterpriseAttestation, toggleAlwaysUv,
// setMinPINLength, the pinUvAuthParam with the acfg permission, every status; and the
// minPinLength extension (§12.4) that reports the minimum to the listed RPs.
#include <doctest/doctest.h>

#include "tests/support/ctap21_requests.h"

using namespace vfido;
using namespace vfido::test;
using pin_uv_auth::ProtocolId;
namespace perm = pin_uv_auth::permission;

namespace {

std::uint64_t info_member(Authenticator& a, std::int64_t key) {
  Reply info = call(a, message(CtapCommand::kGetInfo));
  REQUIRE(info.status == CtapStatus::kOk);
  return info.at(key).as_uint();
}

bool info_force_pin_change(Authenticator& a) {
  Reply info = call(a, message(CtapCommand::kGetInfo));
  return info.at(0x0C).as_bool();
}

// A PIN-protected device and an acfg token.
struct Protected {
  explicit Protected(ProtocolId p = ProtocolId::kTwo, std::string pin = "1234") : host(d.auth, p), pin_(std::move(pin)) {
    REQUIRE(host.set_pin(pin_) == CtapStatus::kOk);
    refresh();
  }
  void refresh() {
    auto t = host.token(pin_, perm::kAcfg);
    REQUIRE(t.status == CtapStatus::kOk);
    token = t.token;
  }
  PuatParam auth() const { return PuatParam{host, token}; }
  Reply send(std::uint64_t sub, const std::optional<cbor::Value>& params = std::nullopt) {
    return send_config(d.auth, config_request(sub, params, auth()));
  }

  TestDevice d;
  PinPlatform host;
  std::string pin_;
  Bytes token;
};

}  // namespace

TEST_CASE("config: getInfo advertises authnrCfg, setMinPINLength, alwaysUv, ep and maxRPIDsForSetMinPINLength") {
  TestDevice d;
  CHECK(info_option(d.auth, "authnrCfg") == true);
  CHECK(info_option(d.auth, "setMinPINLength") == true);
  CHECK(info_option(d.auth, "alwaysUv") == false);
  CHECK(info_option(d.auth, "ep") == false);
  CHECK(info_member(d.auth, 0x10) == d.auth.profile().max_rp_ids_for_set_min_pin_length);
}

TEST_CASE("config: toggleAlwaysUv without a PIN needs no token, both ways") {
  TestDevice d;
  REQUIRE(send_config(d.auth, config_request(kToggleAlwaysUv)).status == CtapStatus::kOk);
  CHECK(d.auth.device_state().always_uv);
  CHECK(info_option(d.auth, "alwaysUv") == true);
  CHECK(info_option(d.auth, "makeCredUvNotRqd") == false);  // §6.4: false while alwaysUv is on
  auto saved = DeviceState::decode(*d.t.state.saved());
  REQUIRE(saved.has_value());
  CHECK(saved->always_uv);
  // alwaysUv now gates the other subcommands, but not toggleAlwaysUv itself.
  CHECK(send_config(d.auth, config_request(kEnableEnterpriseAttestation)).status == CtapStatus::kPuatRequired);
  CHECK(send_config(d.auth, config_request(kSetMinPinLength, min_pin_length_params(6))).status == CtapStatus::kPuatRequired);
  REQUIRE(send_config(d.auth, config_request(kToggleAlwaysUv)).status == CtapStatus::kOk);
  CHECK_FALSE(d.auth.device_state().always_uv);
  CHECK(info_option(d.auth, "makeCredUvNotRqd") == true);
}

TEST_CASE("config: alwaysUv makes makeCredential demand a token") {
  TestDevice d;
  REQUIRE(send_config(d.auth, config_request(kToggleAlwaysUv)).status == CtapStatus::kOk);
  CHECK(call(d.auth, make_credential_msg({})).status == CtapStatus::kPuatRequired);
}

TEST_CASE("config: enableEnterpriseAttestation") {
  SUBCASE("capable: ep false -> true, saved, idempotent") {
    TestDevice d;
    REQUIRE(send_config(d.auth, config_request(kEnableEnterpriseAttestation)).status == CtapStatus::kOk);
    CHECK(info_option(d.auth, "ep") == true);
    CHECK(DeviceState::decode(*d.t.state.saved())->enterprise_attestation);
    CHECK(send_config(d.auth, config_request(kEnableEnterpriseAttestation)).status == CtapStatus::kOk);
    // makeCredential now accepts enterpriseAttestation (it was INVALID_PARAMETER while disabled).
    MakeCredentialArgs a;
    a.enterprise_attestation = 1;
    CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kOk);
  }
  SUBCASE("not capable: INVALID_PARAMETER, and ep stays absent") {
    AuthenticatorProfile p;
    p.enterprise_attestation = std::nullopt;
    TestDevice d(p);
    CHECK(send_config(d.auth, config_request(kEnableEnterpriseAttestation)).status == CtapStatus::kInvalidParameter);
    CHECK(info_option(d.auth, "ep") == std::nullopt);
  }
}

TEST_CASE("config: request errors") {
  TestDevice d;
  SUBCASE("unknown and vendor subcommands are INVALID_PARAMETER") {
    for (std::uint64_t sub : {0x00u, 0x04u, 0x07u, 0xFFu, 0x1FFu}) {
      CAPTURE(sub);
      CHECK(send_config(d.auth, config_request(sub)).status == CtapStatus::kInvalidParameter);
    }
  }
  SUBCASE("no subCommand") {
    cbor::Value m = cbor::Value::map();
    m.set(0x03, cbor::Value::uint(2));
    CHECK(send_config(d.auth, m).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("wrong types") {
    cbor::Value m = config_request(kToggleAlwaysUv);
    put(m, 0x01, cbor::Value::text("2"));
    CHECK(send_config(d.auth, m).status == CtapStatus::kCborUnexpectedType);
    m = config_request(kToggleAlwaysUv, cbor::Value::array());
    CHECK(send_config(d.auth, m).status == CtapStatus::kCborUnexpectedType);
    m = config_request(kToggleAlwaysUv);
    m.set(0x04, cbor::Value::text("param"));
    CHECK(send_config(d.auth, m).status == CtapStatus::kCborUnexpectedType);
    cbor::Value bad_ids = cbor::Value::map();
    cbor::Array ids;
    ids.push_back(cbor::Value::uint(1));
    bad_ids.set(0x02, cbor::Value::array(std::move(ids)));
    CHECK(send_config(d.auth, config_request(kSetMinPinLength, bad_ids)).status == CtapStatus::kCborUnexpectedType);
    cbor::Value bad_force = cbor::Value::map();
    bad_force.set(0x03, cbor::Value::uint(1));
    CHECK(send_config(d.auth, config_request(kSetMinPinLength, bad_force)).status == CtapStatus::kCborUnexpectedType);
  }
  SUBCASE("setMinPINLength without subCommandParams") {
    CHECK(send_config(d.auth, config_request(kSetMinPinLength)).status == CtapStatus::kMissingParameter);
  }
  CHECK(d.auth.device_state().min_pin_length == 4);
  CHECK_FALSE(d.auth.device_state().always_uv);
}

TEST_CASE("config: unknown to a profile without authnrCfg; acfg is then refused") {
  AuthenticatorProfile p;
  p.authnr_cfg = false;
  p.set_min_pin_length = false;
  std::erase(p.extensions, std::string("minPinLength"));
  TestDevice d(p);
  CHECK(send_config(d.auth, config_request(kToggleAlwaysUv)).status == CtapStatus::kInvalidCommand);
  CHECK(info_option(d.auth, "authnrCfg") == std::nullopt);
  CHECK(info_option(d.auth, "alwaysUv") == std::nullopt);
  PinPlatform host(d.auth);
  REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
  CHECK(host.token("1234", perm::kAcfg).status == CtapStatus::kUnauthorizedPermission);
}

TEST_CASE("config: setMinPINLength is offered only with its option") {
  AuthenticatorProfile p;
  p.set_min_pin_length = false;
  std::erase(p.extensions, std::string("minPinLength"));
  TestDevice d(p);
  CHECK(send_config(d.auth, config_request(kSetMinPinLength, min_pin_length_params(6))).status ==
        CtapStatus::kInvalidParameter);
  CHECK(send_config(d.auth, config_request(kToggleAlwaysUv)).status == CtapStatus::kOk);
}

TEST_CASE("config: with a PIN every subcommand needs a token with acfg") {
  Protected pr(each_protocol());
  Authenticator& a = pr.d.auth;
  SUBCASE("no pinUvAuthParam") {
    for (std::uint64_t sub : {kEnableEnterpriseAttestation, kToggleAlwaysUv}) {
      CAPTURE(sub);
      CHECK(send_config(a, config_request(sub)).status == CtapStatus::kPuatRequired);
    }
    CHECK(send_config(a, config_request(kSetMinPinLength, min_pin_length_params(6))).status == CtapStatus::kPuatRequired);
  }
  SUBCASE("no pinUvAuthProtocol") {
    cbor::Value m = config_request(kToggleAlwaysUv, std::nullopt, pr.auth());
    std::erase_if(m.as_map(), [](const auto& kv) { return kv.first == cbor::Value::integer(0x03); });
    CHECK(send_config(a, m).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("an unsupported pinUvAuthProtocol") {
    cbor::Value m = config_request(kToggleAlwaysUv, std::nullopt, pr.auth());
    put(m, 0x03, cbor::Value::uint(7));
    CHECK(send_config(a, m).status == CtapStatus::kInvalidParameter);
  }
  SUBCASE("a parameter over another subCommand") {
    cbor::Value m = config_request(kToggleAlwaysUv, std::nullopt, pr.auth());
    put(m, 0x01, cbor::Value::uint(kEnableEnterpriseAttestation));
    CHECK(send_config(a, m).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("a parameter over other subCommandParams") {
    cbor::Value m = config_request(kSetMinPinLength, min_pin_length_params(6), pr.auth());
    put(m, 0x02, min_pin_length_params(7));
    CHECK(send_config(a, m).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("a parameter that leaves out the subCommandParams that were sent") {
    cbor::Value m = config_request(kToggleAlwaysUv, std::nullopt, pr.auth());
    m.set(0x02, cbor::Value::map());
    CHECK(send_config(a, m).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("a token without acfg") {
    auto mc = pr.host.token("1234", perm::kMc, "example.com");
    REQUIRE(mc.status == CtapStatus::kOk);
    CHECK(send_config(a, config_request(kToggleAlwaysUv, std::nullopt, PuatParam{pr.host, mc.token})).status ==
          CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("an expired token") {
    pr.d.t.clock.advance(a.profile().pin_token_initial_usage_ms + 1);
    CHECK(pr.send(kToggleAlwaysUv).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("an acfg token works for every subcommand; an empty params map (libfido2) is authenticated too") {
    CHECK(pr.send(kToggleAlwaysUv).status == CtapStatus::kOk);
    CHECK(pr.send(kEnableEnterpriseAttestation, cbor::Value::map()).status == CtapStatus::kOk);
    CHECK(pr.send(kSetMinPinLength, min_pin_length_params(4)).status == CtapStatus::kOk);
    CHECK(a.device_state().always_uv);
    CHECK(a.device_state().enterprise_attestation);
    return;
  }
  CHECK_FALSE(a.device_state().always_uv);
  CHECK_FALSE(a.device_state().enterprise_attestation);
}

TEST_CASE("config: setMinPINLength rules") {
  TestDevice d;
  auto set = [&](const cbor::Value& params) { return send_config(d.auth, config_request(kSetMinPinLength, params)).status; };
  REQUIRE(set(min_pin_length_params(6)) == CtapStatus::kOk);
  CHECK(d.auth.device_state().min_pin_length == 6);
  CHECK(info_member(d.auth, 0x0D) == 6);
  CHECK(DeviceState::decode(*d.t.state.saved())->min_pin_length == 6);
  CHECK(set(min_pin_length_params(5)) == CtapStatus::kPinPolicyViolation);  // it only rises
  CHECK(set(min_pin_length_params(6)) == CtapStatus::kOk);                  // the same value is fine
  CHECK(set(min_pin_length_params(64)) == CtapStatus::kInvalidParameter);   // no PIN could meet it
  CHECK(set(min_pin_length_params(63)) == CtapStatus::kOk);
  CHECK(set(min_pin_length_params(std::nullopt)) == CtapStatus::kOk);       // absent: unchanged
  CHECK(d.auth.device_state().min_pin_length == 63);
  // A PIN must now have 63 code points.
  PinPlatform host(d.auth);
  CHECK(host.set_pin(std::string(62, '7')) == CtapStatus::kPinPolicyViolation);
  CHECK(host.set_pin(std::string(63, '7')) == CtapStatus::kOk);
}

TEST_CASE("config: setMinPINLength RP ID list") {
  TestDevice d;
  const std::uint32_t max = d.auth.profile().max_rp_ids_for_set_min_pin_length;
  auto set = [&](const cbor::Value& params) { return send_config(d.auth, config_request(kSetMinPinLength, params)).status; };
  std::vector<std::string> ids;
  for (std::uint32_t i = 0; i < max; ++i) ids.push_back("rp" + std::to_string(i) + ".example");
  REQUIRE(set(min_pin_length_params(std::nullopt, ids)) == CtapStatus::kOk);
  CHECK(d.auth.device_state().min_pin_length_rp_ids == ids);
  CHECK(DeviceState::decode(*d.t.state.saved())->min_pin_length_rp_ids == ids);
  // One more than maxRPIDsForSetMinPINLength: refused, nothing changes.
  ids.push_back("one.too.many");
  CHECK(set(min_pin_length_params(8, ids)) == CtapStatus::kKeyStoreFull);
  CHECK(d.auth.device_state().min_pin_length == 4);
  CHECK(d.auth.device_state().min_pin_length_rp_ids.size() == max);
  // A new list replaces the old one.
  REQUIRE(set(min_pin_length_params(std::nullopt, std::vector<std::string>{"example.com"})) == CtapStatus::kOk);
  CHECK(d.auth.device_state().min_pin_length_rp_ids == std::vector<std::string>{"example.com"});
}

TEST_CASE("config: the minPinLength extension reports the minimum to listed RPs only") {
  TestDevice d;
  REQUIRE(send_config(d.auth, config_request(kSetMinPinLength, min_pin_length_params(7, std::vector<std::string>{"example.com"})))
              .status == CtapStatus::kOk);
  cbor::Value ext = cbor::Value::map();
  ext.set("minPinLength", cbor::Value::boolean(true));
  auto output = [&](std::string rp) -> std::optional<std::uint64_t> {
    MakeCredentialArgs a;
    a.rp_id = std::move(rp);
    a.extensions = ext;
    Registered r = register_credential(d.auth, a);
    if (!r.auth_data.extensions) return std::nullopt;
    const cbor::Value* v = r.auth_data.extensions->find("minPinLength");
    if (v == nullptr) return std::nullopt;
    return v->as_uint();
  };
  CHECK(output("example.com") == 7);
  CHECK(output("other.example") == std::nullopt);
}

TEST_CASE("config: forceChangePin and forcePINChange") {
  SUBCASE("without a PIN: PIN_NOT_SET") {
    TestDevice d;
    CHECK(send_config(d.auth, config_request(kSetMinPinLength, min_pin_length_params(std::nullopt, std::nullopt, true)))
              .status == CtapStatus::kPinNotSet);
    CHECK_FALSE(d.auth.device_state().force_pin_change);
    // false asks for nothing.
    CHECK(send_config(d.auth, config_request(kSetMinPinLength, min_pin_length_params(std::nullopt, std::nullopt, false)))
              .status == CtapStatus::kOk);
  }
  SUBCASE("asked for: the PIN must change before a token is issued") {
    Protected pr(ProtocolId::kTwo, "123456");
    REQUIRE(pr.send(kSetMinPinLength, min_pin_length_params(std::nullopt, std::nullopt, true)).status == CtapStatus::kOk);
    CHECK(pr.d.auth.device_state().force_pin_change);
    CHECK(info_force_pin_change(pr.d.auth));
    CHECK(pr.host.token("123456", perm::kAcfg).status != CtapStatus::kOk);
    // The same PIN again does not count as a change.
    CHECK(pr.host.change_pin("123456", "123456") == CtapStatus::kPinPolicyViolation);
    REQUIRE(pr.host.change_pin("123456", "654321") == CtapStatus::kOk);
    CHECK_FALSE(info_force_pin_change(pr.d.auth));
    CHECK(pr.host.token("654321", perm::kAcfg).status == CtapStatus::kOk);
  }
  SUBCASE("implied: the current PIN is shorter than the new minimum") {
    Protected pr(ProtocolId::kOne, "12345");
    REQUIRE(pr.send(kSetMinPinLength, min_pin_length_params(5)).status == CtapStatus::kOk);
    CHECK_FALSE(pr.d.auth.device_state().force_pin_change);  // 5 code points meet 5
    pr.refresh();
    REQUIRE(pr.send(kSetMinPinLength, min_pin_length_params(6)).status == CtapStatus::kOk);
    CHECK(pr.d.auth.device_state().force_pin_change);
    CHECK(pr.host.change_pin("12345", "98765") == CtapStatus::kPinPolicyViolation);  // too short now
    CHECK(pr.host.change_pin("12345", "987654") == CtapStatus::kOk);
    CHECK_FALSE(pr.d.auth.device_state().force_pin_change);
  }
}

TEST_CASE("config: a failed save changes nothing") {
  TestDevice d;
  d.t.state.fail_saves(true);
  CHECK(send_config(d.auth, config_request(kToggleAlwaysUv)).status == CtapStatus::kOther);
  CHECK(send_config(d.auth, config_request(kEnableEnterpriseAttestation)).status == CtapStatus::kOther);
  CHECK(send_config(d.auth, config_request(kSetMinPinLength, min_pin_length_params(8, std::vector<std::string>{"a.example"})))
            .status == CtapStatus::kOther);
  const DeviceState& s = d.auth.device_state();
  CHECK_FALSE(s.always_uv);
  CHECK_FALSE(s.enterprise_attestation);
  CHECK(s.min_pin_length == 4);
  CHECK(s.min_pin_length_rp_ids.empty());
}
