#include "tools/policy/passkey_policy.h"

#include <algorithm>
#include <set>

namespace vfido::policy {

std::string to_string(const PasskeyTypes& t) {
  if (t.device_bound && t.synced) return "device-bound, synced";
  if (t.device_bound) return "device-bound";
  if (t.synced) return "synced";
  return "none";
}

const PasskeyProfile* PasskeyPolicy::profile(std::string_view id) const {
  for (const auto& p : profiles) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const AuthenticationStrength* PasskeyPolicy::strength(std::string_view name) const {
  for (const auto& s : strengths) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

tl::expected<void, std::string> PasskeyPolicy::validate() const {
  if (profiles.empty()) return tl::unexpected(std::string("a policy needs at least its default passkey profile"));
  if (profiles.size() > kMaxProfiles) {
    return tl::unexpected("at most " + std::to_string(kMaxProfiles) + " passkey profiles, found " + std::to_string(profiles.size()));
  }
  std::set<std::string> ids;
  for (const auto& p : profiles) {
    if (p.id.empty()) return tl::unexpected(std::string("a passkey profile has no id"));
    if (!ids.insert(p.id).second) return tl::unexpected("passkey profile id \"" + p.id + "\" is used twice");
    if (!p.types.device_bound && !p.types.synced) return tl::unexpected("passkey profile \"" + p.id + "\" targets no passkey type");
  }
  if (profile(default_profile) == nullptr) {
    return tl::unexpected("the default passkey profile \"" + default_profile + "\" is not one of the profiles");
  }
  for (const auto& t : include) {
    for (const auto& id : t.profiles) {
      if (profile(id) == nullptr) return tl::unexpected("target \"" + t.group + "\" names unknown passkey profile \"" + id + "\"");
    }
  }
  return {};
}

tl::expected<void, std::string> PasskeyPolicy::add_profile(PasskeyProfile p) {
  if (profiles.size() >= kMaxProfiles) {
    return tl::unexpected("at most " + std::to_string(kMaxProfiles) + " passkey profiles: cannot add \"" + p.id + "\"");
  }
  if (profile(p.id) != nullptr) return tl::unexpected("passkey profile id \"" + p.id + "\" is used twice");
  profiles.push_back(std::move(p));
  return {};
}

tl::expected<void, std::string> PasskeyPolicy::remove_profile(std::string_view id) {
  if (id == default_profile) return tl::unexpected("the default passkey profile \"" + std::string(id) + "\" cannot be deleted");
  auto it = std::find_if(profiles.begin(), profiles.end(), [&](const PasskeyProfile& p) { return p.id == id; });
  if (it == profiles.end()) return tl::unexpected("no passkey profile \"" + std::string(id) + "\"");
  profiles.erase(it);
  for (auto& t : include) std::erase(t.profiles, std::string(id));
  return {};
}

}  // namespace vfido::policy
