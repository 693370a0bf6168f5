// Authenticator models as JSON (issue 4): a profile file is one JSON object whose members are
// the fields of AuthenticatorProfile (authenticator/profile.h) under the same snake_case
// names, plus a few about the file itself. Every member is optional: what a file leaves out
// keeps the default of vfido's own key. Unknown members, wrong types and values that fail
// AuthenticatorProfile::validate() are errors that name the file and the member.
//
//   {
//     "id": "keeper",                         file identity, [a-z0-9-]+ (required)
//     "description": "Keeper vault ...",      free text
//     "aaguid": "0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6",
//     "name": "Keeper",
//     "attestation": "none",                  "none" | "self" | "packed"
//     "algorithms": ["ES256", "EdDSA"],       names or COSE numbers
//     "backup_eligible": true, ...
//   }
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "authenticator/profile.h"

namespace vfido::profiles {

struct Profile {
  std::string id;           // "yubikey-like", "google-password-manager", ...
  std::string description;  // one line for `vfido profile list`
  std::string source;       // "built-in" or the file it was read from
  AuthenticatorProfile model;
  // "attestation": "packed" signs with these PEM files (a private key; the certificates,
  // attestation certificate first) when given, relative to the profile file; otherwise with a
  // CA vfido generates once for the profile (tools/host/attestation_files.h).
  std::string attestation_key_file;
  std::string attestation_chain_file;

  // "synced" when credentials are backup eligible, else "device-bound".
  std::string kind() const { return model.backup_eligible ? "synced" : "device-bound"; }
};

// Parses one profile. `source` names the file in error messages ("keeper.json: ...").
tl::expected<Profile, std::string> parse_profile(std::string_view json_text, const std::string& source);

// The profile as a complete JSON object (every member, defaults included): what `vfido
// profile show` prints, and what parse_profile() reads back to the same profile.
nlohmann::ordered_json to_json(const Profile& profile);

// "3d92011f-b552-406d-b137-63434ee000d5" <-> 16 bytes. Upper- or lower-case hex; the four
// dashes are required.
tl::expected<ByteArray<kAaguidLen>, std::string> parse_uuid(std::string_view text);
std::string format_uuid(const ByteArray<kAaguidLen>& aaguid);

// The documented member names, in order (for help texts and tests).
std::vector<std::string> member_names();

}  // namespace vfido::profiles
