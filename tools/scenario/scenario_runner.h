// Runs a scenario (scenario.h) against real authenticators: each one a vfido key of its profile
// running in this process on its own thread, listening on a Unix socket in a temporary
// directory, reached through libfido2's custom I/O (64-byte CTAPHID reports) by the WebAuthn
// client emulator; what comes back is verified by the relying-party emulator and then judged by
// the passkey policy engine. Each step ends in an outcome ("accepted", "refused", or the
// DOMException the page sees) with its reason, compared with the step's expectation.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/scenario/scenario.h"

namespace vfido::scenario {

struct StepResult {
  std::string name;
  std::string action;
  std::string expected;  // "accepted", "refused", "SecurityError", or for lockout "flagged: ..."
  std::string got;
  std::string reason;    // why it came out as it did
  bool passed = false;
  std::string mismatch;  // when not passed: what differed
  double seconds = 0;
  std::string where;     // file:line of the step
};

struct ScenarioResult {
  std::string file;
  std::string name;
  std::string error;  // the scenario could not be set up (no step ran)
  std::vector<StepResult> steps;
  double seconds = 0;

  bool passed() const;
  std::size_t failures() const;
};

struct RunOptions {
  bool verbose_keys = false;  // the keys log to stderr
  // Where profiles' attestation CAs live (tools/host/attestation_files.h); empty: a temporary
  // directory for the run, so each run makes its CAs afresh.
  std::string data_dir;
  // How libfido2 reaches the keys: "unix" (a socket per key, custom I/O) or "hybrid" (caBLE v2:
  // each key is a phone; every ceremony is a new QR session through a tunnel server in this
  // process, with adverts on a loopback UDP channel).
  std::string transport = "unix";
  // Called after each step (for printing as the run goes).
  std::function<void(const StepResult&)> on_step;
  // When set, every registration and assertion the RP verified is appended here with the RP's
  // verdict, in the format of tests/interop/simplewebauthn/check.mjs (its "cases").
  nlohmann::json* crosscheck = nullptr;
};

ScenarioResult run_scenario(const Scenario& scenario, const RunOptions& options = {});

// JUnit XML: one <testsuite> per scenario, one <testcase> per step, <failure> for a step whose
// outcome was not the expected one, <error> for a scenario that could not be loaded or set up.
std::string junit_xml(const std::vector<ScenarioResult>& results);

}  // namespace vfido::scenario
