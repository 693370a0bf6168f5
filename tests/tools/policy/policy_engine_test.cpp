// The passkey policy engine, rule by rule, on policies read from YAML.
#include <doctest/doctest.h>

#include "tests/tools/policy/policy_test_support.h"

using namespace vfido;
using namespace vfido::test;
using policy::PolicyCeremony;

namespace {

const char* kDirectory = R"(
users:
  - upn: alice@contoso.com
  - upn: admin.carol@contoso.com
  - upn: zed@contractors.example
groups:
  - id: admins
    rule: user.userPrincipalName -startsWith "admin"
  - id: contractors
    members: [zed@contractors.example]
)";

policy::PolicyDecision reg(const policy::PasskeyPolicy& p, const char* upn, const policy::PasskeyFacts& f) {
  return policy::evaluate(p, directory_from(kDirectory), upn, f, PolicyCeremony::kRegistration);
}
policy::PolicyDecision sign_in(const policy::PasskeyPolicy& p, const char* upn, const policy::PasskeyFacts& f) {
  return policy::evaluate(p, directory_from(kDirectory), upn, f, PolicyCeremony::kSignIn);
}

}  // namespace

TEST_CASE("policy: target types come from the BE flag") {
  auto device_only = policy_from("profiles: [{id: default, types: [device-bound]}]");
  auto d = reg(device_only, "alice@contoso.com", synced());
  CHECK_FALSE(d.allowed);
  CHECK(d.reason.find("synced (BE=1)") != std::string::npos);
  CHECK(reg(device_only, "alice@contoso.com", device_bound()).allowed);

  auto synced_only = policy_from("profiles: [{id: default, types: [synced]}]");
  CHECK(reg(synced_only, "alice@contoso.com", synced()).allowed);
  auto refused = reg(synced_only, "alice@contoso.com", device_bound());
  CHECK_FALSE(refused.allowed);
  CHECK(refused.reason.find("device-bound (BE=0)") != std::string::npos);
  // The type is checked at every sign-in too.
  CHECK_FALSE(sign_in(synced_only, "alice@contoso.com", device_bound()).allowed);
}

TEST_CASE("policy: enforced attestation leaves device-bound passkeys with a trusted attestation") {
  auto p = policy_from("profiles: [{id: default, types: [device-bound, synced], enforce_attestation: true}]");
  auto s = reg(p, "alice@contoso.com", synced());
  CHECK_FALSE(s.allowed);
  CHECK(s.reason.find("enforced attestation leaves device-bound passkeys only") != std::string::npos);
  auto untrusted = reg(p, "alice@contoso.com", device_bound(kHardware, false));
  CHECK_FALSE(untrusted.allowed);
  CHECK(untrusted.reason.find("does not chain to a trusted metadata root") != std::string::npos);
  CHECK(reg(p, "alice@contoso.com", device_bound()).allowed);
  // registrationOnly: a device-bound passkey is not re-attested at sign-in; a synced one still
  // fails the type check.
  CHECK(sign_in(p, "alice@contoso.com", device_bound(kHardware, false)).allowed);
  CHECK_FALSE(sign_in(p, "alice@contoso.com", synced()).allowed);
}

TEST_CASE("policy: key restrictions allow or block by AAGUID, at registration and sign-in") {
  SUBCASE("allow list") {
    auto p = policy_from(std::string("profiles: [{id: default, types: [device-bound, synced], key_restrictions: {enforce: allow, aaguids: [") +
                         kKeeper + "]}}]");
    CHECK(reg(p, "alice@contoso.com", synced(kKeeper)).allowed);
    auto gpm = reg(p, "alice@contoso.com", synced(kGpm));
    CHECK_FALSE(gpm.allowed);
    CHECK(gpm.reason.find(std::string(kGpm) + " is not on the allow list") != std::string::npos);
    CHECK_FALSE(sign_in(p, "alice@contoso.com", synced(kGpm)).allowed);
  }
  SUBCASE("block list") {
    auto p = policy_from(std::string("profiles: [{id: default, types: [device-bound, synced], key_restrictions: {enforce: block, aaguids: [") +
                         kKeeper + "]}}]");
    auto keeper = reg(p, "alice@contoso.com", synced(kKeeper));
    CHECK_FALSE(keeper.allowed);
    CHECK(keeper.reason.find("is on the block list") != std::string::npos);
    CHECK(reg(p, "alice@contoso.com", synced(kGpm)).allowed);
    CHECK_FALSE(sign_in(p, "alice@contoso.com", synced(kKeeper)).allowed);
  }
}

TEST_CASE("policy: groups, dynamic groups by UPN, all users, exclusions") {
  auto p = policy_from(R"(
profiles:
  - {id: default, types: [device-bound, synced]}
  - {id: admins, name: Admins, types: [device-bound], enforce_attestation: true}
targets:
  - {group: all_users, profiles: [default]}
  - {group: admins, profiles: [admins]}
exclude: [contractors]
)");
  SUBCASE("profiles add up: an admin also in all_users gets the default profile") {
    auto d = reg(p, "admin.carol@contoso.com", synced());
    CHECK(d.allowed);
    CHECK(d.profile == "default");
  }
  SUBCASE("an excluded group overrides every include") {
    auto d = reg(p, "zed@contractors.example", device_bound());
    CHECK_FALSE(d.allowed);
    CHECK(d.reason.find("excluded group contractors") != std::string::npos);
    CHECK_FALSE(sign_in(p, "zed@contractors.example", device_bound()).allowed);
  }
  SUBCASE("an unknown user is refused") { CHECK_FALSE(reg(p, "nobody@contoso.com", device_bound()).allowed); }
}

TEST_CASE("policy: a user whose only profile refuses the passkey hears every profile's reason") {
  auto p = policy_from(R"(
profiles:
  - {id: default, types: [device-bound, synced]}
  - {id: admins, name: Admins, types: [device-bound], enforce_attestation: true}
targets:
  - {group: admins, profiles: [admins]}
)");
  auto admin = reg(p, "admin.carol@contoso.com", synced());
  CHECK_FALSE(admin.allowed);
  CHECK(admin.reason.find("profile \"Admins\"") != std::string::npos);
  CHECK(reg(p, "admin.carol@contoso.com", device_bound()).profile == "admins");
  auto others = reg(p, "alice@contoso.com", device_bound());
  CHECK_FALSE(others.allowed);
  CHECK(others.reason.find("not targeted") != std::string::npos);
}

TEST_CASE("policy: disabled method and self-service registration") {
  auto off = policy_from("enabled: false\nprofiles: [{id: default}]");
  CHECK_FALSE(sign_in(off, "alice@contoso.com", device_bound()).allowed);
  auto no_ssr = policy_from("self_service_registration: false\nprofiles: [{id: default}]");
  CHECK_FALSE(reg(no_ssr, "alice@contoso.com", device_bound()).allowed);
  CHECK(sign_in(no_ssr, "alice@contoso.com", device_bound()).allowed);
}

TEST_CASE("policy: at most three profiles, and the default one cannot be deleted") {
  auto p = policy_from("profiles: [{id: default}, {id: b}, {id: c}]\ntargets: [{group: all_users, profiles: [b, c]}]");
  CHECK(p.default_profile == "default");
  auto fourth = p.add_profile(policy::PasskeyProfile{"d", "", {}, false, {}, {}});
  CHECK_FALSE(fourth);
  CHECK(fourth.error().find("at most 3") != std::string::npos);
  auto del = p.remove_profile("default");
  CHECK_FALSE(del);
  CHECK(del.error().find("cannot be deleted") != std::string::npos);
  REQUIRE(p.remove_profile("b"));
  CHECK(p.profiles.size() == 2);
  CHECK(p.include.front().profiles == std::vector<std::string>{"c"});
  CHECK(p.add_profile(policy::PasskeyProfile{"d", "", {}, false, {}, {}}));
}

TEST_CASE("policy: authentication strength by AAGUID is spoofable; the BE requirement is not") {
  auto p = policy_from(std::string(R"(
profiles: [{id: default, types: [device-bound, synced]}]
strengths:
  - {name: by-aaguid, allowed_aaguids: [)") + kHardware + R"(]}
  - {name: device-bound, allowed_aaguids: [)" + kHardware + R"(], require_device_bound: true}
)");
  const auto spoof = synced(kHardware);  // a synced passkey claiming the hardware key's AAGUID
  CHECK(policy::check_strength(*p.strength("by-aaguid"), spoof).allowed);
  auto refused = policy::check_strength(*p.strength("device-bound"), spoof);
  CHECK_FALSE(refused.allowed);
  CHECK(refused.reason.find("synced (BE=1)") != std::string::npos);
  CHECK(policy::check_strength(*p.strength("device-bound"), device_bound()).allowed);
  CHECK_FALSE(policy::check_strength(*p.strength("by-aaguid"), synced(kKeeper)).allowed);
}

TEST_CASE("policy: lockout analysis flags users whose every passkey sits in an SSO-gated vault") {
  auto dir = directory_from(kDirectory);
  std::map<std::string, std::vector<policy::HeldPasskey>> held = {
      {"alice@contoso.com", {{"keeper", true}}},
      {"admin.carol@contoso.com", {{"keeper", true}, {"hardware key", false}}},
  };
  auto findings = policy::analyse_lockout(dir, held);
  REQUIRE(findings.size() == 3);
  CHECK(findings[0].locked_out);
  CHECK_FALSE(findings[1].locked_out);
  CHECK(findings[1].reason.find("hardware key") != std::string::npos);
  CHECK_FALSE(findings[2].locked_out);
  CHECK(findings[2].reason == "no passkeys");
}
