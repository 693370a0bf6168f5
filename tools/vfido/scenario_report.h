// Printing scenario results, shared by `vfido scenario run` (scenario.cpp) and `vfido demo`
// (demo_scenarios.cpp).
#pragma once

#include <string>
#include <vector>

#include "tools/scenario/scenario_runner.h"

namespace vfido::cli {

// "  ok    register alice@... with alice-gpm   expected accepted   got accepted", then the reason.
void print_step_line(const scenario::StepResult& r);
// Writes JUnit XML to `path`; false (after a message on stderr) when it cannot.
bool write_junit(const std::string& path, const std::vector<scenario::ScenarioResult>& results);

}  // namespace vfido::cli
