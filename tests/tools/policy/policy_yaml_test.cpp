// vfido's YAML policy and directory: defaults, and malformed files reported with line and field.
#include <doctest/doctest.h>

#include "tests/tools/policy/policy_test_support.h"

using namespace vfido;
using namespace vfido::test;

TEST_CASE("policy yaml: defaults") {
  auto p = policy_from("profiles:\n  - id: only\n");
  CHECK(p.enabled);
  CHECK(p.self_service_registration);
  CHECK(p.default_profile == "only");
  CHECK(p.profiles[0].types.device_bound);
  CHECK_FALSE(p.profiles[0].types.synced);
  REQUIRE(p.include.size() == 1);
  CHECK(p.include[0].group == "all_users");
  // Under a top-level `policy:` key too.
  CHECK(policy_from("policy:\n  profiles: [{id: x}]\n").default_profile == "x");
}

TEST_CASE("policy yaml: profile ids stand for AAGUIDs through the resolver") {
  policy::AaguidResolver resolve = [](std::string_view name) -> std::optional<policy::Aaguid> {
    if (name == "keeper") return rp::parse_aaguid(kKeeper);
    return std::nullopt;
  };
  auto p = policy::load_policy_text("profiles: [{id: d, types: [synced], key_restrictions: {enforce: allow, aaguids: [keeper]}}]", "p.yaml",
                                    resolve);
  REQUIRE(p);
  CHECK(p->profiles[0].keys.aaguids == std::vector<policy::Aaguid>{aaguid(kKeeper)});
  auto bad = policy::load_policy_text("profiles: [{id: d, key_restrictions: {enforce: allow, aaguids: [lastpass]}}]", "p.yaml", resolve);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("neither an AAGUID") != std::string::npos);
}

TEST_CASE("policy yaml: malformed files name file, line, column and field") {
  struct Case {
    const char* yaml;
    int line;
    const char* field;
    const char* message;
  };
  const Case cases[] = {
      {"profiles:\n  - id: a\n    types: [device-bound, roaming]\n", 3, "profiles[0].types[1]", "\"roaming\" is not one of device-bound, synced"},
      {"profiles:\n  - id: a\n    colour: blue\n", 3, "profiles[0].colour", "unknown field"},
      {"profiles:\n  - id: a\n  - id: a\n", 3, "profiles[1].id", "used twice"},
      {"profiles: [{id: a}, {id: b}, {id: c},\n  {id: d}]\n", 2, "profiles[3]", "at most 3"},
      {"default_profile: z\nprofiles: [{id: a}]\n", 1, "default_profile", "is not the id of one of the profiles"},
      {"profiles: [{id: a}]\ntargets:\n  - group: all_users\n    profiles: [b]\n", 4, "targets[0].profiles[0]", "no passkey profile \"b\""},
      {"profiles:\n  - id: a\n    enforce_attestation: \"true\"\n", 3, "profiles[0].enforce_attestation", "expected true or false"},
      {"profiles:\n  - id: a\n    key_restrictions: {enforce: allow, aaguids: []}\n", 3, "profiles[0].key_restrictions.aaguids",
       "must name at least one AAGUID"},
      {"profiles:\n  - id: a\n    key_restrictions: {enforce: allow, aaguids: [12345]}\n", 3, "profiles[0].key_restrictions.aaguids[0]",
       "is not an AAGUID"},
      {"enabled: true\n", 1, "profiles", "required field is missing"},
      {"profiles: [{id: a}\n", 2, "", "syntax error"},
      {"", 0, "", "the file is empty"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    auto p = policy::load_policy_text(c.yaml, "policy.yaml");
    REQUIRE_FALSE(p);
    test::check_load_error(p.error(), "policy.yaml", {c.line, c.field, c.message});
  }
  // The whole message reads file:line:column: field: what.
  auto p = policy::load_policy_text("profiles:\n  - id: a\n    types: [roaming]\n", "policy.yaml");
  REQUIRE_FALSE(p);
  CHECK(p.error().to_string() == "policy.yaml:3:13: profiles[0].types[0]: \"roaming\" is not one of device-bound, synced");
}

TEST_CASE("policy yaml: directory groups") {
  auto bad = [](const char* yaml) {
    auto context = std::make_shared<policy::ReadContext>();
    context->file = "d.yaml";
    try {
      policy::read_directory(policy::parse_yaml_document(yaml, context));
    } catch (const policy::LoadFailure& f) {
      return f.error.to_string();
    }
    return std::string();
  };
  CHECK(bad("users: [{upn: a@x}]\ngroups:\n  - {id: g, rule: 'user.mail -eq \"x\"'}\n").find("d.yaml:3:") == 0);
  CHECK(bad("users: [{upn: a@x}]\ngroups:\n  - {id: g, members: [b@x]}\n").find("groups[0].members[0]: no user b@x") != std::string::npos);
  CHECK(bad("users: [{upn: a@x}]\ngroups:\n  - {id: g}\n").find("needs members") != std::string::npos);
  CHECK(bad("users: [{upn: nobody}]\n").find("users[0].upn: a UPN looks like user@domain") != std::string::npos);
  CHECK(bad("users: [{upn: a@x}, {upn: A@x}]\n").find("listed twice") != std::string::npos);
  auto d = directory_from("users: [{upn: a@x}, {upn: admin@x}]\ngroups:\n  - {id: g, rule: 'user.userPrincipalName -startsWith \"admin\"'}\n");
  CHECK(d.is_member("admin@x", "g"));
  CHECK_FALSE(d.is_member("a@x", "g"));
  CHECK(d.is_member("a@x", "all_users"));
  CHECK_FALSE(d.is_member("stranger@x", "all_users"));
}
