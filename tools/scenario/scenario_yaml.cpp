// Reading a scenario file (scenario.h); README.md ("Passkey policies and scenarios") describes
// the format.
#include <filesystem>

#include "profiles/registry.h"
#include "tools/policy/policy_engine.h"
#include "tools/policy/policy_yaml.h"
#include "tools/policy/yaml_reader.h"
#include "tools/scenario/scenario.h"
#include "tools/webauthn_client/client_profile.h"
#include "tools/webauthn_client/origin.h"

namespace vfido::scenario {

using policy::LoadFailure;
using policy::YamlMap;
using policy::YamlNode;

std::string_view action_name(StepAction a) {
  switch (a) {
    case StepAction::kRegister: return "register";
    case StepAction::kSignIn: return "sign-in";
    case StepAction::kLockoutAnalysis: return "lockout-analysis";
    case StepAction::kChangePolicy: return "change-policy";
  }
  return "?";
}

const AuthenticatorSpec* Scenario::authenticator(const std::string& id) const {
  for (const auto& a : authenticators) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

namespace {

// Profile ids stand for their AAGUIDs wherever an AAGUID is expected ("aaguids: [keeper]").
std::optional<Aaguid> profile_aaguid(std::string_view name) {
  if (name.find('/') != std::string_view::npos || name.ends_with(".json")) return std::nullopt;
  auto p = profiles::resolve(std::string(name));
  if (!p) return std::nullopt;
  return p->model.aaguid;
}

std::string relative_to(const std::string& file, const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty() || fs::path(path).is_absolute()) return path;
  return (fs::path(file).parent_path() / path).string();
}

void check_origin(const YamlNode& node) {
  auto o = webauthn::parse_origin(node.nonempty_str());
  if (!o) node.fail("not an origin: " + o.error());
}

std::string client_name(const YamlNode& node) { return node.one_of({"browser", "browser-legacy", "extension"}); }

RelyingPartySpec read_rp(const YamlNode& node, const std::string& file) {
  YamlMap m(node, {"rp_id", "origins", "related_origins", "metadata"});
  RelyingPartySpec rp;
  rp.rp_id = m.require("rp_id").nonempty_str();
  if (auto o = m.get("origins")) {
    for (const auto& item : o->items()) {
      check_origin(item);
      rp.origins.push_back(item.str());
    }
  }
  if (rp.origins.empty()) rp.origins.push_back("https://" + rp.rp_id);
  if (auto r = m.get("related_origins")) {
    if (!r->is_map()) r->fail("expected a mapping of RP ID -> list of origins");
    for (const auto& kv : r->raw()) {
      const std::string id = kv.first.Scalar();
      YamlNode list = r->member(id);
      std::vector<std::string> origins;
      for (const auto& item : list.items()) {
        check_origin(item);
        origins.push_back(item.str());
      }
      rp.related_origins[id] = origins;
    }
  }
  if (auto md = m.get("metadata")) {
    // A list (or one entry): MDS3 files, or profile ids standing for their exported statement.
    std::vector<YamlNode> entries = md->is_sequence() ? md->items() : std::vector<YamlNode>{*md};
    for (const auto& e : entries) {
      const std::string v = e.nonempty_str();
      if (v.find('/') != std::string::npos || v.ends_with(".json")) {
        rp.metadata_files.push_back(relative_to(file, v));
      } else {
        auto p = profiles::resolve(v);
        if (!p) e.fail(p.error());
        rp.metadata_profiles.push_back(v);
      }
    }
  }
  return rp;
}

AuthenticatorSpec read_authenticator(const YamlNode& node) {
  YamlMap m(node, {"id", "profile", "aaguid", "attestation", "store", "sso_gated"});
  AuthenticatorSpec a;
  a.where = node.where();
  a.id = m.require("id").nonempty_str();
  const YamlNode profile = m.require("profile");
  a.profile_id = profile.nonempty_str();
  auto p = profiles::resolve(a.profile_id);
  if (!p) profile.fail(p.error());
  a.model = p->model;
  if (auto aaguid = m.get("aaguid")) {
    a.model.aaguid = policy::read_aaguid(*aaguid, profile_aaguid);
    a.claimed_aaguid = policy::aaguid_text(a.model.aaguid);
  }
  if (auto att = m.get("attestation")) {
    a.attestation = att->one_of({"profile", "none", "self", "packed"});
    if (a.attestation == "profile") a.attestation.clear();
  }
  if (auto store = m.get("store")) {
    const std::string s = store->nonempty_str();
    if (s.rfind("vault:", 0) == 0 && s.size() > 6) {
      a.vault = s.substr(6);
    } else if (s != "memory") {
      store->fail("\"" + s + "\" is not a store: memory, or vault:NAME (a synced vault shared by the authenticators that name it)");
    }
  }
  a.sso_gated = m.boolean("sso_gated").value_or(false);
  return a;
}

// The `policy:` (inline) or `policy_file:` (YAML or Graph JSON) member of `m`, checked
// against the directory.
policy::PasskeyPolicy read_policy_of(const YamlMap& m, const policy::Directory& directory, const std::string& file) {
  auto inline_policy = m.get("policy");
  auto policy_file = m.get("policy_file");
  if (inline_policy && policy_file) policy_file->fail("give either policy or policy_file, not both");
  if (inline_policy) {
    policy::PasskeyPolicy p = policy::read_policy(*inline_policy, profile_aaguid);
    policy::check_policy_against(p, directory, *inline_policy);
    return p;
  }
  if (!policy_file) m.node().fail("needs a policy (inline) or a policy_file");
  const std::string path = relative_to(file, policy_file->nonempty_str());
  auto p = policy::load_policy_file(path, profile_aaguid);
  // A file that cannot be read is this line's problem; a malformed one names its own line.
  if (!p && !p.error().where.known()) policy_file->fail("cannot read policy file " + path);
  if (!p) throw LoadFailure{p.error()};
  policy::check_policy_against(*p, directory, *policy_file);
  return *p;
}

// `current` is the policy in force at this step (the scenario's, or the last change-policy's).
Step read_step(const YamlNode& node, const Scenario& s, const policy::PasskeyPolicy& current) {
  YamlMap m(node, {"name", "action", "user", "authenticator", "client", "origin", "rp_id", "username_first", "strength",
                   "expect", "reason", "flagged", "not_flagged", "policy", "policy_file"});
  Step step;
  step.where = node.where();
  const std::string action = m.require("action").one_of({"register", "sign-in", "lockout-analysis", "change-policy"});
  step.action = action == "register"           ? StepAction::kRegister
                : action == "sign-in"          ? StepAction::kSignIn
                : action == "lockout-analysis" ? StepAction::kLockoutAnalysis
                                               : StepAction::kChangePolicy;
  step.name = m.str("name").value_or("");
  if (step.action == StepAction::kChangePolicy) {
    for (const char* key : {"user", "authenticator", "client", "origin", "rp_id", "username_first", "strength", "expect", "reason",
                            "flagged", "not_flagged"}) {
      if (m.has(key)) m.require(key).fail("not used by a change-policy step");
    }
    step.policy = read_policy_of(m, s.directory, s.file);
    if (step.name.empty()) step.name = "the administrator changes the policy";
    return step;
  }
  for (const char* key : {"policy", "policy_file"}) {
    if (m.has(key)) m.require(key).fail("only a change-policy step has this");
  }
  auto known_user = [&](const YamlNode& n) {
    std::string upn = n.nonempty_str();
    if (s.directory.user(upn) == nullptr) n.fail("no user " + upn + " in directory.users");
    return upn;
  };
  if (step.action == StepAction::kLockoutAnalysis) {
    for (const char* key : {"user", "authenticator", "client", "origin", "rp_id", "username_first", "strength", "expect", "reason"}) {
      if (m.has(key)) m.require(key).fail("not used by a lockout-analysis step");
    }
    if (auto f = m.get("flagged")) {
      for (const auto& item : f->items()) step.flagged.push_back(known_user(item));
    }
    if (auto f = m.get("not_flagged")) {
      for (const auto& item : f->items()) step.not_flagged.push_back(known_user(item));
    }
    if (step.flagged.empty() && step.not_flagged.empty()) node.fail("a lockout-analysis step names users in flagged and/or not_flagged");
    if (step.name.empty()) step.name = "lockout analysis";
    return step;
  }
  for (const char* key : {"flagged", "not_flagged"}) {
    if (m.has(key)) m.require(key).fail("only a lockout-analysis step has this");
  }
  const YamlNode auth = m.require("authenticator");
  step.authenticator = auth.nonempty_str();
  if (s.authenticator(step.authenticator) == nullptr) auth.fail("no authenticator \"" + step.authenticator + "\" in authenticators");
  if (step.action == StepAction::kRegister) {
    step.user = known_user(m.require("user"));
  } else if (auto u = m.get("user")) {
    step.user = known_user(*u);
  }
  if (auto c = m.get("client")) step.client = client_name(*c);
  if (auto o = m.get("origin")) {
    check_origin(*o);
    step.origin = o->str();
  }
  if (auto r = m.get("rp_id")) step.rp_id = r->nonempty_str();
  if (auto uf = m.get("username_first")) {
    if (step.action != StepAction::kSignIn) uf->fail("only a sign-in step has this");
    step.username_first = uf->boolean();
    if (step.username_first && step.user.empty()) uf->fail("username_first needs the step's user");
  }
  if (auto st = m.get("strength")) {
    if (step.action != StepAction::kSignIn) st->fail("only a sign-in step has this");
    step.strength = st->nonempty_str();
    if (current.strength(step.strength) == nullptr) st->fail("no authentication strength \"" + step.strength + "\" in the policy's strengths");
  }
  step.expect = m.require("expect").one_of({"accepted", "refused", "SecurityError", "NotAllowedError", "InvalidStateError",
                                            "NotSupportedError", "ConstraintError", "AbortError", "TypeError", "SyntaxError",
                                            "EncodingError"});
  step.reason = m.str("reason").value_or("");
  if (step.name.empty()) {
    step.name = std::string(action_name(step.action)) + " " + (step.user.empty() ? "(no username)" : step.user) + " with " + step.authenticator;
  }
  return step;
}

Scenario read_scenario(const YamlNode& root, const std::string& file) {
  YamlMap m(root, {"name", "description", "relying_party", "client", "directory", "policy", "policy_file", "authenticators", "steps"});
  Scenario s;
  s.file = file;
  s.name = m.require("name").nonempty_str();
  s.description = m.str("description").value_or("");
  s.rp = read_rp(m.require("relying_party"), file);
  if (auto c = m.get("client")) s.client = client_name(*c);
  s.directory = policy::read_directory(m.require("directory"));
  s.policy = read_policy_of(m, s.directory, file);
  const YamlNode auths = m.require("authenticators");
  for (const auto& item : auths.items()) {
    AuthenticatorSpec a = read_authenticator(item);
    if (s.authenticator(a.id) != nullptr) item.member("id").fail("authenticator \"" + a.id + "\" is defined twice");
    s.authenticators.push_back(std::move(a));
  }
  const YamlNode steps = m.require("steps");
  policy::PasskeyPolicy current = s.policy;
  for (const auto& item : steps.items()) {
    s.steps.push_back(read_step(item, s, current));
    if (s.steps.back().policy) current = *s.steps.back().policy;
  }
  if (s.steps.empty()) steps.fail("a scenario needs at least one step");
  return s;
}

}  // namespace

tl::expected<Scenario, LoadError> load_scenario_text(const std::string& text, const std::string& file) {
  try {
    auto context = std::make_shared<policy::ReadContext>();
    context->file = file;
    return read_scenario(policy::parse_yaml_document(text, context), file);
  } catch (const LoadFailure& f) {
    return tl::unexpected(f.error);
  }
}

tl::expected<Scenario, LoadError> load_scenario_file(const std::string& path) {
  auto text = policy::read_text_file(path);
  if (!text) return tl::unexpected(text.error());
  return load_scenario_text(*text, path);
}

}  // namespace vfido::scenario
