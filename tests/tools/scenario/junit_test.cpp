// JUnit XML of scenario results.
#include <doctest/doctest.h>

#include "tools/scenario/scenario_runner.h"

using namespace vfido;

TEST_CASE("junit: suites, cases, failures and errors, escaped") {
  scenario::ScenarioResult ok;
  ok.name = "A & B <quoted \"x\">";
  ok.file = "a.yaml";
  ok.steps.push_back({"step 'one'", "register", "accepted", "accepted", "fine", true, "", 0.5, "a.yaml:3:5"});
  ok.steps.push_back({"step two", "sign-in", "SecurityError", "accepted", "why\x01", false, "expected SecurityError, got accepted", 0.25, "a.yaml:9:5"});
  scenario::ScenarioResult broken;
  broken.name = "b.yaml";
  broken.file = "b.yaml";
  broken.error = "b.yaml:2:1: name: required field is missing";
  const std::string x = scenario::junit_xml({ok, broken});
  CHECK(x.find("<testsuites name=\"vfido scenarios\" tests=\"3\" failures=\"1\" errors=\"1\"") != std::string::npos);
  CHECK(x.find("<testsuite name=\"A &amp; B &lt;quoted &quot;x&quot;&gt;\" file=\"a.yaml\" tests=\"2\" failures=\"1\" errors=\"0\" time=\"0.000\">") != std::string::npos);
  CHECK(x.find("name=\"step &apos;one&apos;\" file=\"a.yaml:3:5\" time=\"0.500\"") != std::string::npos);
  CHECK(x.find("<failure message=\"expected SecurityError, got accepted\" type=\"unexpected-outcome\">expected: SecurityError\ngot: accepted\nreason: why </failure>") !=
        std::string::npos);
  CHECK(x.find("<error message=\"b.yaml:2:1: name: required field is missing\"/>") != std::string::npos);
  // One failure element in all.
  CHECK(x.find("<failure", x.find("<failure") + 1) == std::string::npos);
}
