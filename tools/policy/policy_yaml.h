// vfido's YAML form of a passkey policy and of a directory (the `policy:` and `directory:`
// sections of a scenario, or a policy file of their own), and the entry point that loads a
// policy file in either form: YAML, or Entra Graph JSON (graph_policy.h), told apart by content.
//
//   policy:
//     enabled: true                       # optional, default true
//     self_service_registration: true     # optional, default true
//     default_profile: default            # optional: the first profile
//     profiles:                           # 1 to 3
//       - id: default
//         name: Default passkey profile   # optional
//         types: [device-bound, synced]   # default [device-bound]
//         enforce_attestation: false
//         key_restrictions:               # optional: none enforced
//           enforce: allow                # allow | block
//           aaguids: [keeper, 6a8f6b4f-1d3c-4c55-9e0b-7a4f0d2c9b11]   # UUIDs or profile ids
//     targets:                            # default: all_users -> the default profile
//       - group: all_users                # a group id, or all_users
//         profiles: [default]             # optional: the default profile
//     exclude: [contractors]              # group ids
//     strengths:                          # authentication strengths
//       - name: phishing-resistant-hardware
//         allowed_aaguids: [yubikey-like]
//         require_device_bound: true      # vfido's addition: BE must be 0
//
//   directory:
//     users:  [{upn: alice@contoso.com, name: Alice}]
//     groups: [{id: admins, rule: 'user.userPrincipalName -startsWith "admin"'},
//              {id: staff, members: [alice@contoso.com]}]
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "tools/policy/directory.h"
#include "tools/policy/passkey_policy.h"
#include "tools/policy/yaml_reader.h"

namespace vfido::policy {

// Turns a name written where an AAGUID goes (a profile id such as "keeper") into its AAGUID;
// may be empty (then only UUIDs are accepted).
using AaguidResolver = std::function<std::optional<Aaguid>(std::string_view)>;

// Readers for a node of a larger document; they throw LoadFailure (yaml_reader.h).
PasskeyPolicy read_policy(const YamlNode& node, const AaguidResolver& resolve);
Directory read_directory(const YamlNode& node);
Aaguid read_aaguid(const YamlNode& node, const AaguidResolver& resolve);
// Checks a finished policy's invariants (PasskeyPolicy::validate) and that every group it names
// is in the directory; fails at `at`.
void check_policy_against(const PasskeyPolicy& policy, const Directory& directory, const YamlNode& at);

// A whole policy file: YAML as above (optionally under a top-level `policy:` key), or Graph JSON.
// Errors carry file, line, column and field.
tl::expected<PasskeyPolicy, LoadError> load_policy_text(const std::string& text, const std::string& file,
                                                        const AaguidResolver& resolve = {},
                                                        std::vector<LoadError>* warnings = nullptr);
tl::expected<PasskeyPolicy, LoadError> load_policy_file(const std::string& path, const AaguidResolver& resolve = {},
                                                        std::vector<LoadError>* warnings = nullptr);

// Whether a parsed document looks like Graph's fido2AuthenticationMethodConfiguration.
bool is_graph_policy(const YamlNode& root);

// Reads a whole file; the error is a LoadError naming it.
tl::expected<std::string, LoadError> read_text_file(const std::string& path);

}  // namespace vfido::policy
