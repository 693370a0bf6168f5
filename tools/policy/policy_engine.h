// What an Entra-style passkey policy (passkey_policy.h) decides about one passkey of one user,
// from the facts the relying-party emulator verified (tools/relying_party): the AAGUID, the BE
// flag (device-bound or synced) and whether the attestation reached a trust anchor.
//
// Registration and every sign-in (as Entra documents for passkey profiles):
//  1. the method is enabled; the user exists and is in no excluded group (exclusion wins);
//  2. registration only: self-service registration is allowed;
//  3. the profiles of every include target the user belongs to apply; none: not in scope;
//  4. the passkey passes if it satisfies ANY of them (profiles add up, like Conditional Access):
//     - its type (BE=1 synced, BE=0 device-bound) is one the profile targets, where enforced
//       attestation leaves device-bound only;
//     - registration only: with enforced attestation, the attestation chained to a trust anchor
//       of the metadata (attestationEnforcement "registrationOnly": not checked at sign-in);
//     - key restrictions: the AAGUID is on the allow list / not on the block list.
// Authentication strengths (Conditional Access) are checked at sign-in on top of that.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tools/policy/directory.h"
#include "tools/policy/passkey_policy.h"

namespace vfido::policy {

enum class PolicyCeremony : std::uint8_t { kRegistration, kSignIn };

// What the RP knows about the passkey.
struct PasskeyFacts {
  Aaguid aaguid{};
  bool backup_eligible = false;       // BE: synced when set
  bool attestation_trusted = false;   // the x5c chain reached a metadata root (§7.1 step 23)
  std::string attestation;            // in words, for reasons: "none", "packed self", "packed x5c (trusted)"
};

struct PolicyDecision {
  bool allowed = false;
  std::string reason;   // why, in one sentence
  std::string profile;  // the profile that admitted the passkey, when allowed
};

PolicyDecision evaluate(const PasskeyPolicy& policy, const Directory& directory, std::string_view upn,
                        const PasskeyFacts& passkey, PolicyCeremony ceremony);

// The ids of the profiles that apply to `upn` (empty when excluded or not targeted).
std::vector<std::string> profiles_for(const PasskeyPolicy& policy, const Directory& directory, std::string_view upn);

// Whether a sign-in with this passkey satisfies the authentication strength.
PolicyDecision check_strength(const AuthenticationStrength& strength, const PasskeyFacts& passkey);

// Lockout analysis: a passkey, and whether the place it lives in (a synced vault such as a
// password manager) can only be opened after signing in with SSO to this same tenant.
struct HeldPasskey {
  std::string label;         // "keeper (Keeper vault)"
  bool sso_gated = false;
};
struct LockoutFinding {
  std::string upn;
  bool locked_out = false;
  std::string reason;
};
// One finding per user of the directory, in its order. A user is flagged when every passkey
// they hold lives in an SSO-gated vault: to open the vault they must sign in, and to sign in
// they need the vault (a user without passkeys is not flagged: other methods apply).
std::vector<LockoutFinding> analyse_lockout(const Directory& directory,
                                            const std::map<std::string, std::vector<HeldPasskey>>& passkeys_by_upn);

std::string aaguid_text(const Aaguid& a);

}  // namespace vfido::policy
