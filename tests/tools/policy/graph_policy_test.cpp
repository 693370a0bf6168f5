// Entra Graph JSON (fido2AuthenticationMethodConfiguration with passkey profiles) into a policy.
#include <doctest/doctest.h>

#include "tests/tools/policy/policy_test_support.h"

using namespace vfido;
using namespace vfido::test;

namespace {

// The shape of Graph's PATCH/GET example for the method with passkey profiles, with two profiles.
const char* kGraph = R"({
  "@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration",
  "id": "Fido2",
  "state": "enabled",
  "isSelfServiceRegistrationAllowed": true,
  "isAttestationEnforced": false,
  "keyRestrictions": {"isEnforced": false, "enforcementType": "block", "aaGuids": []},
  "defaultPasskeyProfile": "00000000-0000-0000-0000-000000000001",
  "includeTargets": [
    {"targetType": "group", "id": "all_users", "isRegistrationRequired": false,
     "allowedPasskeyProfiles": ["00000000-0000-0000-0000-000000000001"]},
    {"targetType": "group", "id": "3b1c9a2e-admins", "isRegistrationRequired": true,
     "allowedPasskeyProfiles": ["a1"]}
  ],
  "excludeTargets": [{"targetType": "group", "id": "contractors"}],
  "passkeyProfiles": [
    {"id": "00000000-0000-0000-0000-000000000001", "name": "Default passkey profile",
     "passkeyTypes": "deviceBound,synced", "attestationEnforcement": "disabled",
     "keyRestrictions": {"isEnforced": true, "enforcementType": "allow",
                         "aaGuids": ["0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6"]}},
    {"id": "a1", "name": "Admins", "passkeyTypes": "deviceBound",
     "attestationEnforcement": "registrationOnly",
     "keyRestrictions": {"isEnforced": false, "enforcementType": "block", "aaGuids": []}}
  ],
  "futureProperty": 1
})";

}  // namespace

TEST_CASE("graph policy: passkey profiles, targets and exclusions") {
  std::vector<policy::LoadError> warnings;
  auto p = policy::load_policy_text(kGraph, "fido2.json", {}, &warnings);
  INFO((p ? "" : p.error().to_string()));
  REQUIRE(p);
  CHECK(p->enabled);
  CHECK(p->self_service_registration);
  REQUIRE(p->profiles.size() == 2);
  CHECK(p->default_profile == "00000000-0000-0000-0000-000000000001");
  const auto& def = p->profiles[0];
  CHECK(def.types.device_bound);
  CHECK(def.types.synced);
  CHECK_FALSE(def.enforce_attestation);
  CHECK(def.keys.enforced);
  CHECK(def.keys.type == policy::KeyEnforcement::kAllow);
  CHECK(def.keys.aaguids == std::vector<policy::Aaguid>{aaguid(kKeeper)});
  const auto& admins = p->profiles[1];
  CHECK(admins.types.device_bound);
  CHECK_FALSE(admins.types.synced);
  CHECK(admins.enforce_attestation);
  CHECK_FALSE(admins.keys.enforced);
  REQUIRE(p->include.size() == 2);
  CHECK(p->include[0].group == "all_users");
  CHECK(p->include[1].group == "3b1c9a2e-admins");
  CHECK(p->include[1].profiles == std::vector<std::string>{"a1"});
  CHECK(p->exclude == std::vector<std::string>{"contractors"});
  // Unknown members are reported, not fatal; OData annotations are skipped silently.
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].field == "futureProperty");
  CHECK(warnings[0].where.line == 25);

  // And it decides like the YAML form would.
  auto dir = directory_from(R"(
users: [{upn: a@contoso.com}, {upn: admin@contoso.com}, {upn: z@contoso.com}]
groups:
  - {id: 3b1c9a2e-admins, rule: 'user.userPrincipalName -startsWith "admin"'}
  - {id: contractors, members: [z@contoso.com]}
)");
  CHECK(policy::evaluate(*p, dir, "a@contoso.com", synced(kKeeper), policy::PolicyCeremony::kRegistration).allowed);
  CHECK_FALSE(policy::evaluate(*p, dir, "a@contoso.com", synced(kGpm), policy::PolicyCeremony::kRegistration).allowed);
  auto admin = policy::evaluate(*p, dir, "admin@contoso.com", device_bound(kHardware), policy::PolicyCeremony::kRegistration);
  CHECK(admin.allowed);
  CHECK(admin.profile == "a1");
  CHECK_FALSE(policy::evaluate(*p, dir, "z@contoso.com", synced(kKeeper), policy::PolicyCeremony::kSignIn).allowed);
}

TEST_CASE("graph policy: a policy from before passkey profiles becomes one device-bound default profile") {
  auto p = policy::load_policy_text(R"({
    "@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration",
    "state": "disabled", "isSelfServiceRegistrationAllowed": false, "isAttestationEnforced": true,
    "keyRestrictions": {"isEnforced": true, "enforcementType": "block", "aaGuids": ["ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"]},
    "includeTargets": [{"targetType": "group", "id": "all_users", "isRegistrationRequired": false}],
    "excludeTargets": []})",
                                    "legacy.json");
  INFO((p ? "" : p.error().to_string()));
  REQUIRE(p);
  CHECK_FALSE(p->enabled);
  CHECK_FALSE(p->self_service_registration);
  REQUIRE(p->profiles.size() == 1);
  CHECK(p->profiles[0].types.device_bound);
  CHECK_FALSE(p->profiles[0].types.synced);
  CHECK(p->profiles[0].enforce_attestation);
  CHECK(p->profiles[0].keys.type == policy::KeyEnforcement::kBlock);
  CHECK(p->include[0].profiles.empty());  // -> the default profile
}

TEST_CASE("graph policy: beta isAttestationEnforced on a profile, passkeyTypes as a list") {
  auto p = policy::load_policy_text(R"({"passkeyProfiles": [{"id": "p", "passkeyTypes": ["synced"], "isAttestationEnforced": true}],
                                       "defaultPasskeyProfile": "p"})",
                                    "beta.json");
  REQUIRE(p);
  CHECK(p->profiles[0].enforce_attestation);
  CHECK(p->profiles[0].types.synced);
  CHECK_FALSE(p->profiles[0].types.device_bound);
}

TEST_CASE("graph policy: malformed documents name file, line and field") {
  struct Case {
    const char* json;
    int line;
    const char* field;
    const char* message;
  };
  const Case cases[] = {
      {"{\"passkeyProfiles\": [\n {\"id\": \"p\", \"passkeyTypes\": \"deviceBound,roaming\"}],\n \"defaultPasskeyProfile\": \"p\"}", 2,
       "passkeyProfiles[0].passkeyTypes", "unknown passkey type \"roaming\""},
      {"{\"passkeyProfiles\": [{\"id\": \"p\", \"passkeyTypes\": \"synced\"}],\n \"defaultPasskeyProfile\": \"q\"}", 2,
       "defaultPasskeyProfile", "is not the id of one of passkeyProfiles"},
      {"{\"passkeyProfiles\": [{\"id\": \"p\", \"passkeyTypes\": \"synced\",\n  \"keyRestrictions\": {\"isEnforced\": true, \"enforcementType\": \"allow\", \"aaGuids\": [\"not-a-guid\"]}}]}",
       2, "passkeyProfiles[0].keyRestrictions.aaGuids[0]", "is not an AAGUID"},
      {"{\"passkeyProfiles\": [{\"id\": \"p\", \"passkeyTypes\": \"synced\"}],\n \"includeTargets\": [{\"id\": \"all_users\", \"allowedPasskeyProfiles\": [\"x\"]}]}",
       2, "includeTargets[0].allowedPasskeyProfiles[0]", "no passkey profile \"x\""},
      {"{\"passkeyProfiles\": [{\"id\": \"a\", \"passkeyTypes\": \"synced\"}, {\"id\": \"b\", \"passkeyTypes\": \"synced\"},\n"
       " {\"id\": \"c\", \"passkeyTypes\": \"synced\"},\n {\"id\": \"d\", \"passkeyTypes\": \"synced\"}], \"defaultPasskeyProfile\": \"a\"}",
       3, "passkeyProfiles[3]", "at most 3"},
      {"{\"passkeyProfiles\": [{\"id\": \"p\", \"passkeyTypes\": \"synced\",\n \"attestationEnforcement\": true}]}", 2,
       "passkeyProfiles[0].attestationEnforcement", "is not one of disabled, registrationOnly"},
      {"{\"isAttestationEnforced\": \"yes\"}", 1, "isAttestationEnforced", "expected true or false"},
      {"{\"passkeyProfiles\": [{\"id\": \"p\"}\n", 2, "", "syntax error"},
      {"{\"passkeyProfiles\": [{\"id\": \"p\",, }]}", 1, "passkeyProfiles[0]", "a key must be text"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.json);
    auto p = policy::load_policy_text(c.json, "entra.json");
    REQUIRE_FALSE(p);
    test::check_load_error(p.error(), "entra.json", {c.line, c.field, c.message});
  }
}
