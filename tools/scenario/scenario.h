// A passkey-policy scenario (`vfido scenario run FILE`): a directory of users and groups, a
// passkey policy, a relying party, authenticators (vfido keys of a profile, in a store), a
// client, and steps with the outcome each must have. Read from YAML by load_scenario_*; run by
// scenario_runner.h. The format, field by field, is in README.md ("Passkey policies and
// scenarios").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "authenticator/profile.h"
#include "tools/policy/directory.h"
#include "tools/policy/load_error.h"
#include "tools/policy/passkey_policy.h"

namespace vfido::scenario {

using policy::Aaguid;
using policy::LoadError;
using policy::SourceLocation;

struct AuthenticatorSpec {
  std::string id;
  std::string profile_id;          // built-in or user profile, or a profile file
  AuthenticatorProfile model;      // the profile as read (the runner adds attestation material)
  std::string claimed_aaguid;      // `aaguid:` reports another model's AAGUID (UUID text)
  // `attestation:` none | self | packed overrides the profile's; "" keeps it. Packed
  // attestation signs under the profile's CA (tools/host/attestation_files.h).
  std::string attestation;
  // Where its passkeys live: "" for the key's own memory store, or the name of a synced vault
  // (a SQLite vault file made for the run) that several authenticators may share.
  std::string vault;
  // The place its passkeys live opens only after SSO sign-in to this tenant (lockout analysis).
  bool sso_gated = false;
  SourceLocation where;

  std::string label() const { return id + " (" + model.name + ")"; }
};

struct RelyingPartySpec {
  std::string rp_id;
  std::vector<std::string> origins;                          // default: https://<rp_id>
  std::map<std::string, std::vector<std::string>> related_origins;  // rp_id -> origins in its /.well-known/webauthn
  // Trust anchors for attestation: MDS3 files (resolved paths) and profile ids, whose
  // statement is what `vfido metadata export --profile ID` writes (with the profile CA's root).
  std::vector<std::string> metadata_files;
  std::vector<std::string> metadata_profiles;
};

enum class StepAction : std::uint8_t {
  kRegister,
  kSignIn,
  kLockoutAnalysis,
  kChangePolicy,  // the administrator replaces the policy; later steps run under the new one
};

struct Step {
  StepAction action = StepAction::kRegister;
  std::string name;
  SourceLocation where;
  std::string user;           // UPN; for a sign-in, the account typed first (or the one expected)
  std::string authenticator;  // an AuthenticatorSpec id
  std::string client;         // client profile; "" = the scenario's
  std::string origin;         // the calling page; "" = https://<rp_id>
  std::string rp_id;          // rp.id / rpId; "" = the RP's
  bool username_first = false;  // sign-in: the UPN is typed first, so allowCredentials is filled
  std::string strength;       // sign-in: an authentication strength of the policy that applies
  // Expected outcome: "accepted", "refused" (by the RP or the policy), or the name of the
  // exception the page sees ("SecurityError", "NotAllowedError", ...).
  std::string expect;
  std::string reason;         // optional: a piece of text the reason must contain
  // Lockout analysis: the users that must be flagged, and those that must not be.
  std::vector<std::string> flagged;
  std::vector<std::string> not_flagged;
  // Change-policy: the policy from here on.
  std::optional<policy::PasskeyPolicy> policy;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  RelyingPartySpec rp;
  std::string client = "browser";
  policy::Directory directory;
  policy::PasskeyPolicy policy;
  std::vector<AuthenticatorSpec> authenticators;
  std::vector<Step> steps;

  const AuthenticatorSpec* authenticator(const std::string& id) const;
};

// Reads and checks a scenario. Errors name the file, line, column and field. `file` is how the
// file is named in messages; relative paths inside (policy_file, metadata) are relative to it.
tl::expected<Scenario, LoadError> load_scenario_text(const std::string& text, const std::string& file);
tl::expected<Scenario, LoadError> load_scenario_file(const std::string& path);

std::string_view action_name(StepAction a);  // "register", "sign-in", "lockout-analysis", "change-policy"

}  // namespace vfido::scenario
