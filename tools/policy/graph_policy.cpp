#include "tools/policy/graph_policy.h"

#include <sstream>

#include "tools/policy/policy_yaml.h"

namespace vfido::policy {

namespace {

PasskeyTypes read_passkey_types(const YamlNode& node) {
  // A Graph flags enum: "deviceBound,synced" (a list is accepted too).
  std::vector<std::pair<std::string, const YamlNode*>> names;
  std::vector<YamlNode> items;
  if (node.is_sequence()) {
    items = node.items();
    for (const auto& i : items) names.emplace_back(i.str(), &i);
  } else {
    std::stringstream in(node.str());
    std::string part;
    while (std::getline(in, part, ',')) {
      const auto b = part.find_first_not_of(' ');
      const auto e = part.find_last_not_of(' ');
      names.emplace_back(b == std::string::npos ? "" : part.substr(b, e - b + 1), &node);
    }
  }
  PasskeyTypes t{false, false};
  for (const auto& [name, at] : names) {
    if (name == "deviceBound") {
      t.device_bound = true;
    } else if (name == "synced") {
      t.synced = true;
    } else {
      at->fail("unknown passkey type \"" + name + "\" (deviceBound, synced)");
    }
  }
  if (!t.device_bound && !t.synced) node.fail("names no passkey type (deviceBound, synced)");
  return t;
}

KeyRestrictions read_key_restrictions(const YamlNode& node) {
  YamlMap m(node, {"isEnforced", "enforcementType", "aaGuids"});
  KeyRestrictions k;
  k.enforced = m.boolean("isEnforced").value_or(false);
  if (auto t = m.get("enforcementType")) k.type = t->one_of({"allow", "block"}) == "allow" ? KeyEnforcement::kAllow : KeyEnforcement::kBlock;
  if (auto a = m.get("aaGuids")) {
    for (const auto& item : a->items()) k.aaguids.push_back(read_aaguid(item, {}));
  }
  return k;
}

PasskeyProfile read_graph_profile(const YamlNode& node) {
  YamlMap m(node, {"id", "name", "passkeyTypes", "attestationEnforcement", "isAttestationEnforced", "keyRestrictions"});
  PasskeyProfile p;
  p.where = node.where();
  p.id = m.require("id").nonempty_str();
  p.name = m.str("name").value_or("");
  p.types = read_passkey_types(m.require("passkeyTypes"));
  if (auto a = m.get("attestationEnforcement")) {
    p.enforce_attestation = a->one_of({"disabled", "registrationOnly"}) == "registrationOnly";
  } else if (auto b = m.get("isAttestationEnforced")) {
    p.enforce_attestation = b->boolean();
  }
  if (auto k = m.get("keyRestrictions")) p.keys = read_key_restrictions(*k);
  return p;
}

}  // namespace

PasskeyPolicy read_graph_policy(const YamlNode& root) {
  YamlMap m(root, {"id", "state", "isSelfServiceRegistrationAllowed", "isAttestationEnforced", "keyRestrictions",
                   "defaultPasskeyProfile", "passkeyProfiles", "includeTargets", "excludeTargets"});
  PasskeyPolicy policy;
  if (auto s = m.get("state")) policy.enabled = s->one_of({"enabled", "disabled"}) == "enabled";
  policy.self_service_registration = m.boolean("isSelfServiceRegistrationAllowed").value_or(true);

  if (auto profiles = m.get("passkeyProfiles")) {
    const auto items = profiles->items();
    if (items.empty()) profiles->fail("no passkey profiles (the default one cannot be deleted)");
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i >= PasskeyPolicy::kMaxProfiles) items[i].fail("at most " + std::to_string(PasskeyPolicy::kMaxProfiles) + " passkey profiles");
      PasskeyProfile p = read_graph_profile(items[i]);
      if (policy.profile(p.id) != nullptr) items[i].member("id").fail("passkey profile id \"" + p.id + "\" is used twice");
      policy.profiles.push_back(std::move(p));
    }
    if (auto d = m.get("defaultPasskeyProfile")) {
      policy.default_profile = d->nonempty_str();
      if (policy.profile(policy.default_profile) == nullptr) d->fail("\"" + policy.default_profile + "\" is not the id of one of passkeyProfiles");
    } else if (policy.profiles.size() == 1) {
      policy.default_profile = policy.profiles.front().id;
    } else {
      root.fail("defaultPasskeyProfile is missing and there are several passkeyProfiles");
    }
  } else {
    // Before passkey profiles: one tenant-wide configuration.
    PasskeyProfile p;
    p.id = "default";
    p.name = "Default passkey profile (from the tenant-wide settings)";
    p.where = root.where();
    p.types = {true, false};
    p.enforce_attestation = m.boolean("isAttestationEnforced").value_or(false);
    if (auto k = m.get("keyRestrictions")) p.keys = read_key_restrictions(*k);
    policy.default_profile = p.id;
    policy.profiles.push_back(std::move(p));
  }

  if (auto include = m.get("includeTargets")) {
    for (const auto& item : include->items()) {
      YamlMap tm(item, {"id", "targetType", "isRegistrationRequired", "allowedPasskeyProfiles"});
      IncludeTarget t;
      t.where = item.where();
      t.group = tm.require("id").nonempty_str();
      if (auto type = tm.get("targetType")) type->one_of({"group"});  // user targets are not modelled
      if (auto allowed = tm.get("allowedPasskeyProfiles")) {
        for (const auto& pid : allowed->items()) {
          std::string id = pid.nonempty_str();
          if (policy.profile(id) == nullptr) pid.fail("no passkey profile \"" + id + "\" in passkeyProfiles");
          t.profiles.push_back(id);
        }
      }
      policy.include.push_back(std::move(t));
    }
  }
  if (auto exclude = m.get("excludeTargets")) {
    for (const auto& item : exclude->items()) {
      YamlMap em(item, {"id", "targetType"});
      policy.exclude.push_back(em.require("id").nonempty_str());
    }
  }
  if (auto ok = policy.validate(); !ok) root.fail(ok.error());
  return policy;
}

}  // namespace vfido::policy
