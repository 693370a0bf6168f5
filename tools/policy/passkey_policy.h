// An Entra-style passkey (FIDO2) authentication method policy, as data: the shape of Microsoft
// Graph's fido2AuthenticationMethodConfiguration with passkey profiles (graph_policy.h reads
// that JSON; policy_yaml.h reads vfido's YAML form). What it means is policy_engine.h's.
//
//  - up to three passkey profiles (kMaxProfiles), one of them the default, which cannot be
//    deleted (remove_profile refuses it);
//  - each profile targets device-bound and/or synced passkeys (told apart by the BE flag), may
//    enforce attestation (which leaves device-bound passkeys only: synced ones carry none), and
//    may restrict keys by AAGUID (allow list or block list);
//  - include targets name a group (or "all_users") and the profiles that apply to it; exclude
//    targets name groups that the method does not apply to at all (they override includes);
//  - authentication strengths (Conditional Access): allowed AAGUIDs, and beyond Entra a
//    device-bound requirement read from the BE flag.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/ctap_constants.h"
#include "tools/policy/load_error.h"

namespace vfido::policy {

using Aaguid = ByteArray<kAaguidLen>;

// Graph's all-users pseudo group ("id": "all_users" in includeTargets).
inline constexpr std::string_view kAllUsers = "all_users";

// Graph passkeyTypes: "deviceBound", "synced" (a flags enum).
struct PasskeyTypes {
  bool device_bound = true;
  bool synced = false;
};
std::string to_string(const PasskeyTypes& t);  // "device-bound, synced"

// Graph fido2KeyRestrictions.
enum class KeyEnforcement : std::uint8_t { kAllow, kBlock };
struct KeyRestrictions {
  bool enforced = false;  // isEnforced
  KeyEnforcement type = KeyEnforcement::kAllow;
  std::vector<Aaguid> aaguids;
};

// Graph passkeyProfile.
struct PasskeyProfile {
  std::string id;
  std::string name;
  PasskeyTypes types;
  bool enforce_attestation = false;  // attestationEnforcement "registrationOnly"
  KeyRestrictions keys;
  SourceLocation where;  // where it was defined, for messages

  // Enforced attestation leaves device-bound passkeys only.
  PasskeyTypes effective_types() const { return {types.device_bound, types.synced && !enforce_attestation}; }
  std::string label() const { return name.empty() ? id : name; }
};

// Graph passkeyAuthenticationMethodTarget: a group (or all_users) and its profiles.
struct IncludeTarget {
  std::string group;
  std::vector<std::string> profiles;  // profile ids; empty means the default profile
  SourceLocation where;
};

// Conditional Access authentication strength, restricted to passkeys (FIDO2).
struct AuthenticationStrength {
  std::string name;
  std::vector<Aaguid> allowed_aaguids;  // empty: any passkey
  // Not in Entra: the passkey must be device-bound (BE = 0 in authenticatorData), which a
  // synced passkey cannot fake the way it can claim any AAGUID.
  bool require_device_bound = false;
  SourceLocation where;
};

struct PasskeyPolicy {
  static constexpr std::size_t kMaxProfiles = 3;

  bool enabled = true;                    // state "enabled"
  bool self_service_registration = true;  // isSelfServiceRegistrationAllowed
  std::vector<PasskeyProfile> profiles;
  std::string default_profile;            // defaultPasskeyProfile: a profile id
  std::vector<IncludeTarget> include;
  std::vector<std::string> exclude;       // group ids
  std::vector<AuthenticationStrength> strengths;

  const PasskeyProfile* profile(std::string_view id) const;
  const AuthenticationStrength* strength(std::string_view name) const;

  // The invariants above: 1..3 profiles with distinct ids, the default among them, targets that
  // name existing profiles. The message names what is wrong (the loaders add file and line).
  tl::expected<void, std::string> validate() const;
  // Adds a profile, refusing a fourth one or a duplicate id.
  tl::expected<void, std::string> add_profile(PasskeyProfile p);
  // Removes a profile (and drops it from the targets), refusing the default one.
  tl::expected<void, std::string> remove_profile(std::string_view id);
};

}  // namespace vfido::policy
