#include "tools/policy/policy_engine.h"

#include <algorithm>

#include "tools/relying_party/metadata.h"

namespace vfido::policy {

std::string aaguid_text(const Aaguid& a) { return rp::format_aaguid(a); }

namespace {

bool listed(const std::vector<Aaguid>& list, const Aaguid& a) { return std::find(list.begin(), list.end(), a) != list.end(); }

std::string type_of(const PasskeyFacts& p) { return p.backup_eligible ? "synced (BE=1)" : "device-bound (BE=0)"; }

// Why `profile` does not admit the passkey, or "" when it does.
std::string profile_refusal(const PasskeyProfile& profile, const PasskeyFacts& p, PolicyCeremony ceremony) {
  const PasskeyTypes types = profile.effective_types();
  if (p.backup_eligible && !types.synced) {
    if (profile.types.synced && profile.enforce_attestation) {
      return "the passkey is synced (BE=1) and enforced attestation leaves device-bound passkeys only (synced passkeys carry no attestation)";
    }
    return "the passkey is synced (BE=1); the profile targets " + to_string(types) + " passkeys only";
  }
  if (!p.backup_eligible && !types.device_bound) return "the passkey is device-bound (BE=0); the profile targets synced passkeys only";
  // attestationEnforcement "registrationOnly": checked when the passkey is registered.
  if (ceremony == PolicyCeremony::kRegistration && profile.enforce_attestation && !p.attestation_trusted) {
    return "attestation is enforced and the passkey's attestation (" + p.attestation + ") does not chain to a trusted metadata root";
  }
  if (profile.keys.enforced) {
    const bool on_list = listed(profile.keys.aaguids, p.aaguid);
    if (profile.keys.type == KeyEnforcement::kAllow && !on_list) return "AAGUID " + aaguid_text(p.aaguid) + " is not on the allow list";
    if (profile.keys.type == KeyEnforcement::kBlock && on_list) return "AAGUID " + aaguid_text(p.aaguid) + " is on the block list";
  }
  return {};
}

}  // namespace

std::vector<std::string> profiles_for(const PasskeyPolicy& policy, const Directory& directory, std::string_view upn) {
  std::vector<std::string> out;
  for (const auto& g : policy.exclude) {
    if (directory.is_member(upn, g)) return out;
  }
  for (const auto& t : policy.include) {
    if (!directory.is_member(upn, t.group)) continue;
    std::vector<std::string> ids = t.profiles.empty() ? std::vector<std::string>{policy.default_profile} : t.profiles;
    for (const auto& id : ids) {
      if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    }
  }
  return out;
}

PolicyDecision evaluate(const PasskeyPolicy& policy, const Directory& directory, std::string_view upn,
                        const PasskeyFacts& passkey, PolicyCeremony ceremony) {
  auto refuse = [](std::string why) { return PolicyDecision{false, std::move(why), {}}; };
  if (!policy.enabled) return refuse("the passkey (FIDO2) method is disabled in the policy");
  if (directory.user(upn) == nullptr) return refuse("no user " + std::string(upn) + " in the directory");
  for (const auto& g : policy.exclude) {
    if (directory.is_member(upn, g)) return refuse(std::string(upn) + " is in excluded group " + directory.describe_group(g));
  }
  if (ceremony == PolicyCeremony::kRegistration && !policy.self_service_registration) {
    return refuse("self-service registration of passkeys is not allowed");
  }
  const std::vector<std::string> ids = profiles_for(policy, directory, upn);
  if (ids.empty()) return refuse(std::string(upn) + " is not targeted by the passkey policy");
  std::string reasons;
  for (const auto& id : ids) {
    const PasskeyProfile* profile = policy.profile(id);
    if (profile == nullptr) continue;  // validate() rules this out
    std::string why = profile_refusal(*profile, passkey, ceremony);
    if (why.empty()) {
      return PolicyDecision{true,
                            "passkey profile \"" + profile->label() + "\" admits this " + type_of(passkey) + " passkey (AAGUID " +
                                aaguid_text(passkey.aaguid) + ", attestation " + passkey.attestation + ")",
                            profile->id};
    }
    reasons += (reasons.empty() ? "" : "; ") + std::string("profile \"") + profile->label() + "\": " + why;
  }
  return refuse(reasons);
}

PolicyDecision check_strength(const AuthenticationStrength& strength, const PasskeyFacts& passkey) {
  const std::string label = "authentication strength \"" + strength.name + "\"";
  if (!strength.allowed_aaguids.empty() && !listed(strength.allowed_aaguids, passkey.aaguid)) {
    return {false, label + ": AAGUID " + aaguid_text(passkey.aaguid) + " is not among the allowed AAGUIDs", {}};
  }
  if (strength.require_device_bound && passkey.backup_eligible) {
    return {false, label + " requires a device-bound passkey and this one is synced (BE=1), whatever AAGUID it claims", {}};
  }
  std::string ok = label + " satisfied";
  if (!strength.allowed_aaguids.empty()) ok += " (AAGUID " + aaguid_text(passkey.aaguid) + " allowed)";
  if (strength.require_device_bound) ok += " (device-bound: BE=0)";
  return {true, ok, {}};
}

std::vector<LockoutFinding> analyse_lockout(const Directory& directory,
                                            const std::map<std::string, std::vector<HeldPasskey>>& passkeys_by_upn) {
  std::vector<LockoutFinding> out;
  for (const auto& u : directory.users) {
    LockoutFinding f{u.upn, false, {}};
    const std::vector<HeldPasskey>* held = nullptr;
    for (const auto& [upn, list] : passkeys_by_upn) {
      if (same_upn(upn, u.upn)) held = &list;
    }
    if (held == nullptr || held->empty()) {
      f.reason = "no passkeys";
    } else {
      const auto free = std::find_if(held->begin(), held->end(), [](const HeldPasskey& p) { return !p.sso_gated; });
      if (free == held->end()) {
        f.locked_out = true;
        f.reason = "every passkey (" + std::to_string(held->size()) +
                   ") lives in a vault that needs SSO sign-in to this tenant to open: signing in needs the vault, opening the vault needs signing in";
      } else {
        f.reason = "can sign in with " + free->label + ", which needs no SSO";
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace vfido::policy
