// Scenario files: what the loader reads, and malformed files reported with file, line and field.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "tests/support/temp_dir.h"
#include "tests/tools/policy/policy_test_support.h"
#include "tools/scenario/scenario.h"
#include "tools/scenario/shipped_scenarios.h"

using namespace vfido;

namespace {

const std::string kHead = R"(name: test
relying_party:
  rp_id: login.example.com
directory:
  users:
    - upn: alice@example.com
policy:
  profiles: [{id: default, types: [device-bound, synced]}]
authenticators:
  - id: key
    profile: yubikey-like
)";

}  // namespace

TEST_CASE("scenario: a minimal file loads with its defaults") {
  auto s = scenario::load_scenario_text(kHead + "steps:\n  - {action: register, user: alice@example.com, authenticator: key, expect: accepted}\n",
                                        "s.yaml");
  INFO((s ? "" : s.error().to_string()));
  REQUIRE(s);
  CHECK(s->client == "browser");
  CHECK(s->rp.origins == std::vector<std::string>{"https://login.example.com"});
  REQUIRE(s->steps.size() == 1);
  CHECK(s->steps[0].name == "register alice@example.com with key");
  CHECK(s->steps[0].where.line == 13);
  CHECK(s->authenticators[0].model.name.find("YubiKey") != std::string::npos);
}

TEST_CASE("scenario: malformed steps and authenticators name line and field") {
  struct Case {
    std::string tail;
    int line;
    const char* field;
    const char* message;
  };
  const Case cases[] = {
      {"steps:\n  - {action: register, user: alice@example.com, authenticator: nope, expect: accepted}\n", 13, "steps[0].authenticator",
       "no authenticator \"nope\""},
      {"steps:\n  - {action: register, user: bob@example.com, authenticator: key, expect: accepted}\n", 13, "steps[0].user", "no user bob@example.com"},
      {"steps:\n  - action: register\n    user: alice@example.com\n    authenticator: key\n    expect: maybe\n", 16, "steps[0].expect",
       "\"maybe\" is not one of accepted, refused, SecurityError"},
      {"steps:\n  - {action: dance, expect: accepted}\n", 13, "steps[0].action", "is not one of register, sign-in, lockout-analysis"},
      {"steps:\n  - {action: sign-in, authenticator: key, expect: accepted, strength: gold}\n", 13, "steps[0].strength",
       "no authentication strength \"gold\""},
      {"steps:\n  - {action: sign-in, authenticator: key, expect: accepted, username_first: true}\n", 13, "steps[0].username_first",
       "needs the step's user"},
      {"steps:\n  - {action: lockout-analysis, expect: accepted}\n", 13, "steps[0].expect", "not used by a lockout-analysis step"},
      {"steps:\n  - {action: sign-in, authenticator: key, expect: accepted, origin: 'ftp//x'}\n", 13, "steps[0].origin", "not an origin"},
      {"steps: []\n", 12, "steps", "at least one step"},
      {"steps:\n  - {action: change-policy}\n", 13, "steps[0]", "needs a policy (inline) or a policy_file"},
      {"steps:\n  - {action: change-policy, expect: accepted, policy: {profiles: [{id: x}]}}\n", 13, "steps[0].expect",
       "not used by a change-policy step"},
      {"steps:\n  - {action: change-policy, policy: {profiles: [{id: x, types: [cloud]}]}}\n", 13, "steps[0].policy.profiles[0].types[0]",
       "\"cloud\" is not one of device-bound, synced"},
      {"steps:\n  - {action: sign-in, authenticator: key, expect: accepted, policy: {profiles: [{id: x}]}}\n", 13, "steps[0].policy",
       "only a change-policy step has this"},
      {"steps:\n  - {action: change-policy, policy: {profiles: [{id: x}], strengths: [{name: gold}]}}\n"
       "  - {action: sign-in, authenticator: key, expect: accepted, strength: silver}\n",
       14, "steps[1].strength", "no authentication strength \"silver\""},
  };
  for (const auto& c : cases) {
    CAPTURE(c.tail);
    auto s = scenario::load_scenario_text(kHead + c.tail, "bad.yaml");
    REQUIRE_FALSE(s);
    test::check_load_error(s.error(), "bad.yaml", {c.line, c.field, c.message});
  }
}

TEST_CASE("scenario: malformed top-level sections") {
  auto err = [](const std::string& text) {
    auto s = scenario::load_scenario_text(text, "bad.yaml");
    REQUIRE_FALSE(s);
    return s.error().to_string();
  };
  CHECK(err("name: x\n") == "bad.yaml:1:1: relying_party: required field is missing");
  std::string with_unknown_profile = kHead;
  with_unknown_profile.replace(with_unknown_profile.find("yubikey-like"), 12, "lastpass");
  CHECK(err(with_unknown_profile + "steps: []\n").find("bad.yaml:11:14: authenticators[0].profile: ") == 0);
  std::string bad_store = kHead + "    store: cloud\nsteps: []\n";
  CHECK(err(bad_store).find("authenticators[0].store: \"cloud\" is not a store") != std::string::npos);
  std::string excluded = kHead;
  excluded.replace(excluded.find("policy:\n"), 8, "policy:\n  exclude: [ghosts]\n");
  CHECK(err(excluded + "steps: []\n").find("excluded group \"ghosts\" is not in the directory") != std::string::npos);
  CHECK(err("name: [x\n").find("bad.yaml:2:1: syntax error") == 0);
}

TEST_CASE("scenario: the shipped scenarios load") {
  test::TempDir dir;
  auto all = scenario::load_shipped_scenarios(dir.path());
  INFO((all ? "" : all.error().to_string()));
  REQUIRE(all);
  CHECK(all->size() >= 7);
  for (const auto& s : *all) {
    CAPTURE(s.file);
    CHECK(s.file.rfind("tools/scenarios/", 0) == 0);
    CHECK_FALSE(s.steps.empty());
  }
}

TEST_CASE("scenario: damaged files give an error, never a crash") {
  // Every shipped file cut short at many points, and with each line dropped in turn: each
  // load ends in a scenario or a LoadError with a file name (no exception escapes).
  test::TempDir dir;
  REQUIRE(scenario::load_shipped_scenarios(dir.path()));
  std::size_t errors = 0;
  for (const auto& [name, text] : scenario::shipped_scenario_files()) {
    if (!name.ends_with(".yaml")) continue;
    const std::string file = dir.path() + "/" + std::string(name);
    const std::string full(text);
    auto load = [&](const std::string& damaged) {
      auto s = scenario::load_scenario_text(damaged, file);
      if (!s) {
        ++errors;
        CHECK(s.error().where.file == file);
        CHECK_FALSE(s.error().message.empty());
      }
    };
    for (std::size_t cut = 0; cut < full.size(); cut += 7) load(full.substr(0, cut));
    std::size_t start = 0;
    while (start < full.size()) {
      const std::size_t end = full.find('\n', start);
      const std::size_t stop = end == std::string::npos ? full.size() : end + 1;
      load(full.substr(0, start) + full.substr(stop));
      start = stop;
    }
  }
  CHECK(errors > 100);
}

TEST_CASE("scenario: policy_file errors name the policy file's own line, or the scenario's line when unreadable") {
  test::TempDir dir;
  std::string text = kHead;
  const std::string inline_policy = "policy:\n  profiles: [{id: default, types: [device-bound, synced]}]\n";
  text.replace(text.find(inline_policy), inline_policy.size(), "policy_file: entra.json\n");
  text += "steps:\n  - {action: register, user: alice@example.com, authenticator: key, expect: accepted}\n";
  const std::string scenario_file = dir.path() + "/s.yaml";
  auto missing = scenario::load_scenario_text(text, scenario_file);
  REQUIRE_FALSE(missing);
  test::check_load_error(missing.error(), scenario_file.c_str(), {7, "policy_file", "cannot read policy file"});
  {
    std::ofstream out(dir.path() + "/entra.json");
    out << "{\"passkeyProfiles\": [\n  {\"id\": \"p\", \"passkeyTypes\": \"synced\", \"attestationEnforcement\": \"always\"}]}\n";
  }
  auto bad = scenario::load_scenario_text(text, scenario_file);
  REQUIRE_FALSE(bad);
  test::check_load_error(bad.error(), (dir.path() + "/entra.json").c_str(),
                         {2, "passkeyProfiles[0].attestationEnforcement", "\"always\" is not one of disabled, registrationOnly"});
  {
    std::ofstream out(dir.path() + "/entra.json");
    out << "{\"passkeyProfiles\": [{\"id\": \"p\", \"passkeyTypes\": \"synced\"}],\n \"excludeTargets\": [{\"id\": \"ghosts\"}]}\n";
  }
  auto unknown_group = scenario::load_scenario_text(text, scenario_file);
  REQUIRE_FALSE(unknown_group);
  CHECK(unknown_group.error().to_string().find("s.yaml:7:14: policy_file: excluded group \"ghosts\" is not in the directory") != std::string::npos);
  {
    std::ofstream out(dir.path() + "/entra.json");
    out << "{\"passkeyProfiles\": [{\"id\": \"p\", \"passkeyTypes\": \"synced\"}]}\n";
  }
  auto good = scenario::load_scenario_text(text, scenario_file);
  INFO((good ? "" : good.error().to_string()));
  REQUIRE(good);
  CHECK(good->policy.profiles.front().types.synced);
}
