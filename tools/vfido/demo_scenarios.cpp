// `vfido demo` (the default; `vfido demo --ctap` is the libfido2 walk-through in demo.cpp): runs
// the scenarios shipped in tools/scenarios/ (compiled in) against real vfido keys and prints one
// table: each step, the outcome it must have, the outcome it had, and why. Exits 0 only when
// every step came out as expected.
#include <cstdio>
#include <vector>

#include "tools/host/scratch_dir.h"
#include "tools/scenario/shipped_scenarios.h"
#include "tools/vfido/commands.h"
#include "tools/vfido/scenario_report.h"

namespace vfido::cli {

namespace {

std::string clip(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n - 3) + "..."; }

}  // namespace

int run_scenario_demo(bool verbose, const std::string& junit) {
  host::ScratchDir dir("vfido-demo");
  if (dir.path().empty()) {
    std::perror("vfido demo: mkdtemp");
    return 1;
  }
  auto scenarios = scenario::load_shipped_scenarios(dir.path());
  if (!scenarios) {
    std::fprintf(stderr, "vfido demo: %s\n", scenarios.error().to_string().c_str());
    return 1;
  }
  std::printf("vfido demo: passkey policies put to the test. Each scenario starts real vfido keys (profiles from\n"
              "`vfido profile list`) on Unix sockets, drives them through libfido2 with the WebAuthn client\n"
              "emulator, verifies the answers with the relying-party emulator and applies an Entra-style policy.\n"
              "(`vfido demo --ctap` shows the CTAP exchange itself.)\n\n");
  std::printf("%-4s %-58s %-16s %-16s %s\n", "", "step", "expected", "got", "");
  std::vector<scenario::ScenarioResult> results;
  int n = 0;
  for (const auto& s : *scenarios) {
    std::printf("\n[%d] %s  (%s)\n", ++n, s.name.c_str(), s.file.c_str());
    scenario::RunOptions ro;
    ro.verbose_keys = verbose;
    ro.on_step = [](const scenario::StepResult& r) {
      std::printf("     %-58s %-16s %-16s %s\n", clip(r.name, 58).c_str(), clip(r.expected, 16).c_str(), clip(r.got, 16).c_str(),
                  r.passed ? "ok" : "UNEXPECTED");
      if (!r.reason.empty()) std::printf("       why: %s\n", r.reason.c_str());
      if (!r.passed) std::printf("       %s (%s)\n", r.mismatch.c_str(), r.where.c_str());
      std::fflush(stdout);
    };
    results.push_back(scenario::run_scenario(s, ro));
    if (!results.back().error.empty()) std::printf("     ERROR: %s\n", results.back().error.c_str());
  }
  std::size_t steps = 0, bad = 0;
  for (const auto& r : results) {
    steps += r.steps.size();
    bad += r.failures() + (r.error.empty() ? 0U : 1U);
  }
  std::printf("\n%zu scenarios, %zu steps: %s\n", results.size(), steps,
              bad == 0 ? "every outcome as expected" : (std::to_string(bad) + " UNEXPECTED").c_str());
  if (!junit.empty() && !write_junit(junit, results)) return 1;
  return bad == 0 ? 0 : 1;
}

}  // namespace vfido::cli
