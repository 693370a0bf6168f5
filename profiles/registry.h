// Where profiles come from: the built-in ones (profiles/builtin/*.json, compiled into vfido),
// the user's own directory ($XDG_CONFIG_HOME/vfido/profiles/*.json, else
// ~/.config/vfido/profiles/), and any file named on the command line.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "profiles/profile_json.h"

namespace vfido::profiles {

// Every built-in profile, in a stable order ("vfido" first).
const std::vector<Profile>& builtin();

// The user's profile directory (may not exist).
std::string user_directory();

// Built-ins plus the readable *.json files of the user's directory. A user profile with a
// built-in's id replaces it. Files that fail to parse are reported in `errors` and skipped.
std::vector<Profile> all(std::vector<std::string>* errors = nullptr);

// `spec` is a profile id (built-in or user) or a path to a JSON file (anything containing a
// '/' or ending in ".json"). The error says which ids exist when the id is unknown.
tl::expected<Profile, std::string> resolve(const std::string& spec);

// Reads and parses one file; errors name the file.
tl::expected<Profile, std::string> load_file(const std::string& path);

}  // namespace vfido::profiles
