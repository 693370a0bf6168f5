// The model a key runs, as a user picks it on the command line: a profile (id or JSON file), an
// optional AAGUID override, an optional attestation override, with its attestation material
// provided (tools/host/attestation_files.h). Shared by `vfido serve`, `up`, `metadata` and the
// scenario runner.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "profiles/profile_json.h"

namespace vfido {
class Rng;
}

namespace vfido::host {

struct ProfileChoice {
  std::string profile = "vfido";  // id or file
  std::string aaguid;             // overrides the profile's AAGUID when set
  std::string attestation;        // "none" | "self" | "packed" overrides the profile's when set
  std::string data_dir;           // attestation files; default: default_store_dir()
};

// Resolves, applies the overrides, provides attestation material and validates. Errors name
// the option, file or member.
tl::expected<profiles::Profile, std::string> load_profile(const ProfileChoice& choice, Rng& rng);

}  // namespace vfido::host
