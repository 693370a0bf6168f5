// Scenario files: what the loader reads, and malformed files reported with file, line and field.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/temp_dir.h"
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
  };
  for (const auto& c : cases) {
    CAPTURE(c.tail);
    auto s = scenario::load_scenario_text(kHead + c.tail, "bad.yaml");
    REQUIRE_FALSE(s);
    CAPTURE(s.error().to_string());
    CHECK(s.error().where.file == "bad.yaml");
    CHECK(s.error().where.line == c.line);
    CHECK(s.error().field == c.field);
    CHECK(s.error().message.find(c.message) != std::string::npos);
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
