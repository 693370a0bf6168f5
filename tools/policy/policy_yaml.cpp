#include "tools/policy/policy_yaml.h"

#include <fstream>
#include <set>
#include <sstream>

#include "tools/policy/graph_policy.h"
#include "tools/relying_party/metadata.h"

namespace vfido::policy {

Aaguid read_aaguid(const YamlNode& node, const AaguidResolver& resolve) {
  const std::string text = node.nonempty_str();
  if (auto a = rp::parse_aaguid(text)) return *a;
  if (resolve) {
    if (auto a = resolve(text)) return *a;
    node.fail("\"" + text + "\" is neither an AAGUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx) nor a known profile id");
  }
  node.fail("\"" + text + "\" is not an AAGUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
}

namespace {

std::vector<Aaguid> read_aaguids(const YamlNode& node, const AaguidResolver& resolve) {
  std::vector<Aaguid> out;
  for (const auto& item : node.items()) out.push_back(read_aaguid(item, resolve));
  return out;
}

PasskeyTypes read_types(const YamlNode& node) {
  PasskeyTypes t{false, false};
  const auto items = node.items();
  if (items.empty()) node.fail("name at least one passkey type (device-bound, synced)");
  for (const auto& item : items) {
    if (item.one_of({"device-bound", "synced"}) == "synced") {
      t.synced = true;
    } else {
      t.device_bound = true;
    }
  }
  return t;
}

PasskeyProfile read_profile(const YamlNode& node, const AaguidResolver& resolve) {
  YamlMap m(node, {"id", "name", "types", "enforce_attestation", "key_restrictions"});
  PasskeyProfile p;
  p.where = node.where();
  p.id = m.require("id").nonempty_str();
  p.name = m.str("name").value_or("");
  if (auto t = m.get("types")) p.types = read_types(*t);
  p.enforce_attestation = m.boolean("enforce_attestation").value_or(false);
  if (auto k = m.get("key_restrictions")) {
    YamlMap km(*k, {"enforce", "aaguids"});
    p.keys.enforced = true;
    p.keys.type = km.require("enforce").one_of({"allow", "block"}) == "allow" ? KeyEnforcement::kAllow : KeyEnforcement::kBlock;
    p.keys.aaguids = read_aaguids(km.require("aaguids"), resolve);
    if (p.keys.type == KeyEnforcement::kAllow && p.keys.aaguids.empty()) {
      km.require("aaguids").fail("an allow list must name at least one AAGUID (an empty one admits nothing)");
    }
  }
  return p;
}

AuthenticationStrength read_strength(const YamlNode& node, const AaguidResolver& resolve) {
  YamlMap m(node, {"name", "allowed_aaguids", "require_device_bound"});
  AuthenticationStrength s;
  s.where = node.where();
  s.name = m.require("name").nonempty_str();
  if (auto a = m.get("allowed_aaguids")) s.allowed_aaguids = read_aaguids(*a, resolve);
  s.require_device_bound = m.boolean("require_device_bound").value_or(false);
  return s;
}

}  // namespace

PasskeyPolicy read_policy(const YamlNode& node, const AaguidResolver& resolve) {
  YamlMap m(node, {"enabled", "self_service_registration", "default_profile", "profiles", "targets", "exclude", "strengths"});
  PasskeyPolicy policy;
  policy.enabled = m.boolean("enabled").value_or(true);
  policy.self_service_registration = m.boolean("self_service_registration").value_or(true);
  const YamlNode profiles = m.require("profiles");
  const auto items = profiles.items();
  if (items.empty()) profiles.fail("a policy needs at least its default passkey profile");
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i >= PasskeyPolicy::kMaxProfiles) {
      items[i].fail("at most " + std::to_string(PasskeyPolicy::kMaxProfiles) + " passkey profiles (the default and two more)");
    }
    PasskeyProfile p = read_profile(items[i], resolve);
    if (policy.profile(p.id) != nullptr) items[i].member("id").fail("passkey profile id \"" + p.id + "\" is used twice");
    policy.profiles.push_back(std::move(p));
  }
  if (auto d = m.get("default_profile")) {
    policy.default_profile = d->nonempty_str();
    if (policy.profile(policy.default_profile) == nullptr) d->fail("\"" + policy.default_profile + "\" is not the id of one of the profiles");
  } else {
    policy.default_profile = policy.profiles.front().id;
  }
  if (auto t = m.get("targets")) {
    for (const auto& item : t->items()) {
      YamlMap tm(item, {"group", "profiles"});
      IncludeTarget target;
      target.where = item.where();
      target.group = tm.require("group").nonempty_str();
      if (auto ps = tm.get("profiles")) {
        for (const auto& pid : ps->items()) {
          std::string id = pid.nonempty_str();
          if (policy.profile(id) == nullptr) pid.fail("no passkey profile \"" + id + "\" in this policy");
          target.profiles.push_back(id);
        }
      }
      policy.include.push_back(std::move(target));
    }
  } else {
    policy.include.push_back(IncludeTarget{std::string(kAllUsers), {policy.default_profile}, node.where()});
  }
  if (auto e = m.get("exclude")) policy.exclude = e->strings();
  if (auto s = m.get("strengths")) {
    for (const auto& item : s->items()) {
      AuthenticationStrength strength = read_strength(item, resolve);
      if (policy.strength(strength.name) != nullptr) item.fail("authentication strength \"" + strength.name + "\" is defined twice");
      policy.strengths.push_back(std::move(strength));
    }
  }
  if (auto ok = policy.validate(); !ok) node.fail(ok.error());
  return policy;
}

Directory read_directory(const YamlNode& node) {
  YamlMap m(node, {"users", "groups"});
  Directory d;
  for (const auto& item : m.require("users").items()) {
    YamlMap um(item, {"upn", "name"});
    User u;
    const YamlNode upn = um.require("upn");
    u.upn = upn.nonempty_str();
    if (u.upn.find('@') == std::string::npos) upn.fail("a UPN looks like user@domain");
    if (d.user(u.upn) != nullptr) upn.fail("user " + u.upn + " is listed twice");
    u.display_name = um.str("name").value_or("");
    d.users.push_back(std::move(u));
  }
  if (auto groups = m.get("groups")) {
    for (const auto& item : groups->items()) {
      YamlMap gm(item, {"id", "name", "members", "rule"});
      Group g;
      g.where = item.where();
      const YamlNode id = gm.require("id");
      g.id = id.nonempty_str();
      if (g.id == kAllUsers) id.fail("all_users is built in (every user)");
      if (d.group(g.id) != nullptr) id.fail("group " + g.id + " is defined twice");
      g.name = gm.str("name").value_or("");
      auto members = gm.get("members");
      auto rule = gm.get("rule");
      if (members && rule) rule->fail("a group has either static members or a dynamic rule, not both");
      if (!members && !rule) item.fail("a group needs members (static) or a rule (dynamic)");
      if (members) {
        for (const auto& mitem : members->items()) {
          std::string upn = mitem.nonempty_str();
          if (d.user(upn) == nullptr) mitem.fail("no user " + upn + " in directory.users");
          g.members.push_back(upn);
        }
      }
      if (rule) {
        auto r = MembershipRule::parse(rule->nonempty_str());
        if (!r) rule->fail("membership rule: " + r.error());
        g.rule = std::move(*r);
      }
      d.groups.push_back(std::move(g));
    }
  }
  return d;
}

void check_policy_against(const PasskeyPolicy& policy, const Directory& directory, const YamlNode& at) {
  if (auto ok = policy.validate(); !ok) at.fail(ok.error());
  auto known = [&](const std::string& g) { return g == kAllUsers || directory.group(g) != nullptr; };
  for (std::size_t i = 0; i < policy.include.size(); ++i) {
    if (!known(policy.include[i].group)) {
      throw LoadFailure{LoadError{policy.include[i].where, item_path(at.path() + ".targets", i) + ".group",
                                  "no group \"" + policy.include[i].group + "\" in the directory"}};
    }
  }
  for (const auto& g : policy.exclude) {
    if (!known(g)) at.fail("excluded group \"" + g + "\" is not in the directory");
  }
}

bool is_graph_policy(const YamlNode& root) {
  if (!root.is_map()) return false;
  for (const char* key : {"@odata.type", "passkeyProfiles", "includeTargets", "isAttestationEnforced", "defaultPasskeyProfile"}) {
    if (root.raw()[key].IsDefined()) return true;
  }
  return false;
}

tl::expected<std::string, LoadError> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(LoadError{SourceLocation{path, 0, 0}, "", "cannot read the file"});
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

tl::expected<PasskeyPolicy, LoadError> load_policy_text(const std::string& text, const std::string& file,
                                                        const AaguidResolver& resolve, std::vector<LoadError>* warnings) {
  try {
    auto context = std::make_shared<ReadContext>();
    context->file = file;
    YamlNode root = parse_yaml_document(text, context);
    if (is_graph_policy(root)) {
      context->unknown_keys_are_errors = false;
      PasskeyPolicy p = read_graph_policy(root);
      if (warnings != nullptr) *warnings = context->warnings;
      return p;
    }
    if (root.is_map() && root.raw()["policy"].IsDefined()) return read_policy(YamlMap(root, {"policy"}).require("policy"), resolve);
    return read_policy(root, resolve);
  } catch (const LoadFailure& f) {
    return tl::unexpected(f.error);
  }
}

tl::expected<PasskeyPolicy, LoadError> load_policy_file(const std::string& path, const AaguidResolver& resolve,
                                                        std::vector<LoadError>* warnings) {
  auto text = read_text_file(path);
  if (!text) return tl::unexpected(text.error());
  return load_policy_text(*text, path, resolve, warnings);
}

}  // namespace vfido::policy
