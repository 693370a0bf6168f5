// The scenarios shipped in tools/scenarios/ (and the policy files they name), compiled into
// vfido by CMake for `vfido demo`; shipped_scenarios.cpp is generated into the build tree.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "tools/scenario/scenario.h"

namespace vfido::scenario {

// (file name, text) of every file in tools/scenarios/, sorted by name.
const std::vector<std::pair<std::string_view, std::string_view>>& shipped_scenario_files();

// Writes the shipped files into `dir` and loads every *.yaml among them, in name order; each
// Scenario's `file` reads "tools/scenarios/NAME".
tl::expected<std::vector<Scenario>, LoadError> load_shipped_scenarios(const std::string& dir);

}  // namespace vfido::scenario
