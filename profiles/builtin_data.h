// The built-in profile files, compiled in by CMake from profiles/builtin/*.json
// (builtin_data.cpp is generated into the build tree).
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace vfido::profiles {

// (file name, JSON text) of every file in profiles/builtin/.
const std::vector<std::pair<std::string_view, std::string_view>>& builtin_profile_files();

}  // namespace vfido::profiles
