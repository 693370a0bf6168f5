#include <fstream>

#include "tools/scenario/shipped_scenarios.h"

namespace vfido::scenario {

tl::expected<std::vector<Scenario>, LoadError> load_shipped_scenarios(const std::string& dir) {
  for (const auto& [name, text] : shipped_scenario_files()) {
    std::ofstream out(dir + "/" + std::string(name), std::ios::binary);
    out << text;
    if (!out) return tl::unexpected(LoadError{SourceLocation{dir + "/" + std::string(name), 0, 0}, "", "cannot write the file"});
  }
  std::vector<Scenario> out;
  for (const auto& [name, text] : shipped_scenario_files()) {
    if (!name.ends_with(".yaml")) continue;
    auto s = load_scenario_file(dir + "/" + std::string(name));
    if (!s) return tl::unexpected(s.error());
    s->file = "tools/scenarios/" + std::string(name);
    out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace vfido::scenario
