// Microsoft Graph's passkey (FIDO2) authentication method policy as an administrator exports it
// (GET /policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2), read into
// a PasskeyPolicy. The members read (Graph v1.0 and beta resource pages:
// fido2AuthenticationMethodConfiguration, passkeyProfile, fido2KeyRestrictions,
// passkeyAuthenticationMethodTarget, excludeTarget):
//
//   state                               "enabled" | "disabled"
//   isSelfServiceRegistrationAllowed    bool
//   defaultPasskeyProfile               the id of the non-deletable profile
//   passkeyProfiles[]                   id, name, passkeyTypes ("deviceBound,synced"),
//                                       attestationEnforcement ("disabled" | "registrationOnly")
//                                       (or the beta isAttestationEnforced), keyRestrictions
//   keyRestrictions                     isEnforced, enforcementType ("allow" | "block"), aaGuids
//   includeTargets[]                    id (a group object id or "all_users"), targetType
//                                       ("group"), isRegistrationRequired, allowedPasskeyProfiles
//   excludeTargets[]                    id, targetType
//
// A policy from before passkey profiles (no passkeyProfiles) becomes one default profile made
// of the top-level isAttestationEnforced and keyRestrictions, targeting device-bound passkeys
// (synced passkeys came with profiles). Members vfido does not model are reported as warnings
// (ReadContext::warnings) and skipped; OData annotations are skipped silently. Group ids must
// match the ids of the scenario's directory.
#pragma once

#include "tools/policy/passkey_policy.h"
#include "tools/policy/yaml_reader.h"

namespace vfido::policy {

// Throws LoadFailure with file, line and field.
PasskeyPolicy read_graph_policy(const YamlNode& root);

}  // namespace vfido::policy
