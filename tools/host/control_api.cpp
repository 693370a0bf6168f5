#include "tools/host/control_api.h"

#include <unistd.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <utility>

#include "authenticator/env/rng.h"
#include "profiles/registry.h"
#include "tools/host/daemon_instance.h"
#include "tools/host/profile_choice.h"

namespace vfido::host {
namespace {

using E = tl::unexpected<ApiError>;

ApiError unsupported(std::string message) { return ApiError{ApiErrorCode::kUnsupportedOperation, std::move(message)}; }

std::string hex4(std::uint16_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s(4, '0');
  for (int i = 3; i >= 0; --i) {
    s[static_cast<std::size_t>(i)] = kDigits[v & 0xF];
    v = static_cast<std::uint16_t>(v >> 4);
  }
  return s;
}

json request_json(const PendingRequest& r) {
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - r.since);
  return json{{"requestId", r.id},
              {"authenticatorId", r.key_id},
              {"purpose", purpose_id(r.request.purpose)},
              {"description", describe_request(r.request)},
              {"rpId", r.request.rp_id},
              {"userName", r.request.user_name},
              {"userVerification", r.request.verification},
              {"via", presence_mode_name(r.via)},
              {"waitingMs", waited.count()}};
}

// A presence mode parameter: one of the four names.
std::optional<PresenceMode> mode_param(Params& p, std::string_view name, bool prompt_available,
                                       std::optional<ApiError>& error) {
  auto text = p.opt_string(name);
  if (!text) return std::nullopt;
  auto mode = parse_presence_mode(*text);
  if (!mode) {
    error = invalid_argument("\"" + std::string(name) + "\" must be approve, deny, prompt or api, not \"" + *text + "\"");
    return std::nullopt;
  }
  if (*mode == PresenceMode::kPrompt && !prompt_available) {
    error = unsupported("this daemon has no terminal to prompt on: start `vfido up` in a terminal with --presence prompt "
                        "or --uv prompt, or use api");
    return std::nullopt;
  }
  return mode;
}

}  // namespace

ControlApi::ControlApi(KeyRegistry& keys, DaemonInfo info) : keys_(keys), info_(std::move(info)) {}

std::vector<std::string_view> ControlApi::methods() {
  return {"status",          "listAuthenticators",   "getInfo",        "addVirtualAuthenticator",
          "removeVirtualAuthenticator", "addCredential", "getCredentials", "removeCredential",
          "removeAllCredentials", "setUserVerified", "setCredentialProperties", "setPresenceMode",
          "setBackupState",  "getPending",           "answerPending",  "powerCycle"};
}

std::string ControlApi::error_line(ApiErrorCode code, const std::string& message) {
  json out = {{"id", nullptr}, {"error", {{"code", api_error_code_name(code)}, {"message", message}}}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string ControlApi::handle_line(std::string_view line) {
  json id = nullptr;
  auto respond_error = [&id](const ApiError& e) {
    json out = {{"id", id}, {"error", {{"code", api_error_code_name(e.code)}, {"message", e.message}}}};
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
  };
  try {
    auto request = parse_json_line(line);
    if (!request) return respond_error(ApiError{ApiErrorCode::kParseError, "malformed JSON: " + request.error()});
    if (!request->is_object()) {
      return respond_error(ApiError{ApiErrorCode::kInvalidRequest, "a request is a JSON object with a \"method\""});
    }
    for (const auto& [name, value] : request->items()) {
      if (name != "id" && name != "method" && name != "params") {
        return respond_error(ApiError{ApiErrorCode::kInvalidRequest,
                                      "unknown request member \"" + name + "\" (only id, method and params)"});
      }
    }
    if (auto it = request->find("id"); it != request->end()) {
      if (!it->is_null() && !it->is_string() && !it->is_number_integer()) {
        return respond_error(ApiError{ApiErrorCode::kInvalidRequest, "\"id\" must be a string, an integer or null"});
      }
      id = *it;
    }
    auto method = request->find("method");
    if (method == request->end() || !method->is_string()) {
      return respond_error(ApiError{ApiErrorCode::kInvalidRequest, "\"method\" (a string) is required"});
    }
    static const json kNoParams = json::object();
    auto params = request->find("params");
    if (params != request->end() && !params->is_object()) {
      return respond_error(ApiError{ApiErrorCode::kInvalidRequest, "\"params\" must be an object"});
    }
    Params p(params == request->end() ? kNoParams : *params, method->get<std::string>());
    Result result = dispatch(method->get<std::string>(), p);
    if (!result) return respond_error(result.error());
    json out = {{"id", id}, {"result", std::move(*result)}};
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (const std::exception& e) {
    return respond_error(ApiError{ApiErrorCode::kUnknownError, std::string("internal error: ") + e.what()});
  }
}

ControlApi::Result ControlApi::dispatch(const std::string& method, Params& p) {
  using Handler = Result (ControlApi::*)(Params&);
  static const std::vector<std::pair<std::string_view, Handler>> kTable = {
      {"status", &ControlApi::status},
      {"listAuthenticators", &ControlApi::list_authenticators},
      {"getInfo", &ControlApi::get_info},
      {"addVirtualAuthenticator", &ControlApi::add_virtual_authenticator},
      {"removeVirtualAuthenticator", &ControlApi::remove_virtual_authenticator},
      {"addCredential", &ControlApi::add_credential},
      {"getCredentials", &ControlApi::get_credentials},
      {"removeCredential", &ControlApi::remove_credential},
      {"removeAllCredentials", &ControlApi::remove_all_credentials},
      {"setUserVerified", &ControlApi::set_user_verified},
      {"setCredentialProperties", &ControlApi::set_credential_properties},
      {"setPresenceMode", &ControlApi::set_presence_mode},
      {"setBackupState", &ControlApi::set_backup_state},
      {"getPending", &ControlApi::get_pending},
      {"answerPending", &ControlApi::answer_pending},
      {"powerCycle", &ControlApi::power_cycle},
  };
  for (const auto& [name, handler] : kTable) {
    if (name == method) return (this->*handler)(p);
  }
  std::string known;
  for (std::string_view m : methods()) known += (known.empty() ? "" : ", ") + std::string(m);
  return E(ApiError{ApiErrorCode::kUnknownCommand, "unknown method \"" + method + "\"; the methods are " + known});
}

tl::expected<HostedKey*, ApiError> ControlApi::key_for(Params& p) {
  auto id = p.opt_string("authenticatorId");
  if (id) {
    if (HostedKey* k = keys_.find(*id)) return k;
    return E(invalid_argument("no authenticator \"" + *id + "\" (listAuthenticators lists them)"));
  }
  if (keys_.keys().size() == 1) return keys_.keys().front().get();
  if (keys_.keys().empty()) return E(invalid_argument("the daemon has no authenticator; add one with addVirtualAuthenticator"));
  return E(invalid_argument("the daemon has " + std::to_string(keys_.keys().size()) +
                            " authenticators: give \"authenticatorId\""));
}

json ControlApi::describe(HostedKey& hosted) {
  VirtualKey& key = *hosted.key;
  const AuthenticatorProfile& prof = key.authenticator().profile();
  const ControlledPresence& presence = key.presence();
  json uhid = nullptr;
  if (hosted.uhid) {
    const auto& u = *hosted.uhid;
    auto node = find_hidraw("/sys", u.vendor_id, u.product_id, u.serial);
    uhid = {{"name", u.name},
            {"vendorId", hex4(u.vendor_id)},
            {"productId", hex4(u.product_id)},
            {"serial", u.serial},
            {"hidraw", node ? json("/dev/" + *node) : json(nullptr)}};
  }
  auto stored = key.store().list_stored();
  std::size_t waiting = 0;
  for (const PendingRequest& r : keys_.broker().pending()) if (r.key_id == hosted.id) ++waiting;
  return json{{"authenticatorId", hosted.id},
              {"profile", hosted.profile_id},
              {"name", prof.name},
              {"aaguid", profiles::format_uuid(prof.aaguid)},
              {"protocol", prof.has_version("FIDO_2_1") ? "ctap2_1" : "ctap2"},
              {"transport", "usb"},
              {"versions", prof.versions},
              {"algorithms", prof.algorithms},
              {"extensions", prof.extensions},
              {"hasResidentKey", prof.resident_keys},
              {"hasUserVerification", prof.built_in_uv.has_value()},
              {"isUserConsenting", presence.presence() == PresenceMode::kApprove},
              {"isUserVerified", presence.verification() == PresenceMode::kApprove},
              {"presence", presence_mode_name(presence.presence())},
              {"userVerification", presence_mode_name(presence.verification())},
              {"defaultBackupEligibility", prof.backup_eligible},
              {"defaultBackupState", prof.backup_state},
              {"uhid", uhid},
              {"unix", hosted.unix_paths},
              {"udp", hosted.udp.empty() ? json(nullptr) : json(hosted.udp)},
              {"credentials", stored ? json(stored->size()) : json(nullptr)},
              {"pinSet", key.authenticator().device_state().pin.has_value()},
              {"pending", waiting}};
}

ControlApi::Result ControlApi::status(Params& p) {
  if (auto ok = p.finish(); !ok) return E(ok.error());
  const auto up = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - info_.started);
  json ids = json::array();
  for (const auto& k : keys_.keys()) ids.push_back(k->id);
  return json{{"instance", info_.instance},
              {"pid", ::getpid()},
              {"control", info_.control_path},
              {"uptimeSeconds", up.count()},
              {"authenticators", ids},
              {"pending", keys_.broker().size()},
              {"uhid", info_.uhid_template.has_value()},
              {"prompt", info_.prompt_available}};
}

ControlApi::Result ControlApi::list_authenticators(Params& p) {
  if (auto ok = p.finish(); !ok) return E(ok.error());
  json list = json::array();
  for (const auto& k : keys_.keys()) list.push_back(describe(*k));
  return json{{"authenticators", std::move(list)}};
}

ControlApi::Result ControlApi::get_info(Params& p) {
  auto key = key_for(p);
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (!key) return E(key.error());
  return describe(**key);
}

ControlApi::Result ControlApi::add_virtual_authenticator(Params& p) {
  const std::string profile_spec = p.opt_string("profile").value_or("vfido");
  auto aaguid = p.opt_string("aaguid");
  auto protocol = p.opt_string("protocol");
  auto transport = p.opt_string("transport");
  auto has_rk = p.opt_bool("hasResidentKey");
  auto has_uv = p.opt_bool("hasUserVerification");
  auto consenting = p.opt_bool("isUserConsenting");
  auto verified = p.opt_bool("isUserVerified");
  auto extensions = p.opt_string_array("extensions");
  auto default_be = p.opt_bool("defaultBackupEligibility");
  auto default_bs = p.opt_bool("defaultBackupState");
  std::optional<ApiError> mode_error;
  auto presence = mode_param(p, "presence", info_.prompt_available, mode_error);
  auto verification = mode_param(p, "userVerification", info_.prompt_available, mode_error);
  auto want_uhid = p.opt_bool("uhid");
  auto unix_socket = p.opt_string("unixSocket");
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (mode_error) return E(*mode_error);
  if (consenting && presence) return E(invalid_argument("give isUserConsenting or presence, not both"));
  if (verified && verification) return E(invalid_argument("give isUserVerified or userVerification, not both"));

  // The model with its attestation material, as `vfido up --profile --aaguid` loads it.
  ProfileChoice choice;
  choice.profile = profile_spec;
  if (aaguid) {
    if (auto parsed = profiles::parse_uuid(*aaguid); !parsed) return E(invalid_argument("aaguid: " + parsed.error()));
    choice.aaguid = *aaguid;
  }
  OpenSslRng rng;
  auto profile = load_profile(choice, rng);
  if (!profile) return E(invalid_argument("profile: " + profile.error()));
  KeySpec spec;
  spec.profile_id = profile->id;
  spec.profile = profile->model;
  AuthenticatorProfile& m = spec.profile;
  // WebAuthn L3 §11.3: protocol "ctap1/u2f", "ctap2" or "ctap2_1"; transport an
  // AuthenticatorTransport. A member left out keeps what the profile says (WebDriver's defaults
  // would turn a profile's features off).
  if (protocol) {
    if (*protocol == "ctap1/u2f") return E(unsupported("protocol ctap1/u2f: vfido keys speak U2F beside CTAP2 (profiles listing U2F_V2), not alone"));
    if (*protocol != "ctap2" && *protocol != "ctap2_1") {
      return E(invalid_argument("protocol must be \"ctap1/u2f\", \"ctap2\" or \"ctap2_1\""));
    }
    if (*protocol == "ctap2_1" && !m.has_version("FIDO_2_1")) {
      return E(invalid_argument("protocol ctap2_1: profile " + profile->id + " does not offer FIDO_2_1"));
    }
  }
  if (transport) {
    static const std::vector<std::string> kTransports = {"usb", "nfc", "ble", "smart-card", "hybrid", "internal"};
    if (std::find(kTransports.begin(), kTransports.end(), *transport) == kTransports.end()) {
      return E(invalid_argument("transport must be an AuthenticatorTransport (usb, nfc, ble, smart-card, hybrid, internal)"));
    }
    if (*transport != "usb") return E(unsupported("transport " + *transport + ": vfido's keys are USB HID devices"));
  }
  if (has_rk) m.resident_keys = *has_rk;
  if (has_uv) m.built_in_uv = *has_uv ? std::optional<bool>(true) : std::nullopt;
  if (extensions) m.extensions = *extensions;
  if (default_be) m.backup_eligible = *default_be;
  if (default_bs) m.backup_state = *default_bs;
  if (auto valid = m.validate(); !valid) return E(invalid_argument("the resulting model is invalid: " + valid.error()));
  spec.presence = presence.value_or(consenting ? presence_mode_of(*consenting) : PresenceMode::kApprove);
  spec.verification = verification.value_or(verified ? presence_mode_of(*verified) : PresenceMode::kApprove);

  const std::string id = keys_.next_id();
  const bool uhid = want_uhid.value_or(info_.uhid_template.has_value());
  if (uhid) {
    if (!info_.uhid_template) return E(unsupported("uhid: this daemon runs without uhid (--no-uhid)"));
    spec.uhid = info_.uhid_template;
    spec.uhid->serial = "vfido-" + info_.instance + "-" + id;
  }
  if (unix_socket) {
    spec.unix_paths.push_back(*unix_socket);
  } else if (!uhid) {
    spec.unix_paths.push_back(info_.socket_dir + "/" + info_.instance + "-" + id + ".sock");
  }
  auto added = keys_.add(std::move(spec));
  if (!added) return E(ApiError{ApiErrorCode::kUnknownError, added.error()});
  json out = describe(**added);
  return out;
}

ControlApi::Result ControlApi::remove_virtual_authenticator(Params& p) {
  const std::string id = p.req_string("authenticatorId");
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (!keys_.remove(id)) return E(invalid_argument("no authenticator \"" + id + "\""));
  return json(nullptr);
}

ControlApi::Result ControlApi::set_user_verified(Params& p) {
  auto key = key_for(p);
  const bool verified = p.req_bool("isUserVerified");
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (!key) return E(key.error());
  (*key)->key->presence().set_verification(presence_mode_of(verified));
  return json(nullptr);
}

ControlApi::Result ControlApi::set_presence_mode(Params& p) {
  auto key = key_for(p);
  std::optional<ApiError> mode_error;
  auto presence = mode_param(p, "presence", info_.prompt_available, mode_error);
  auto verification = mode_param(p, "userVerification", info_.prompt_available, mode_error);
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (mode_error) return E(*mode_error);
  if (!key) return E(key.error());
  if (!presence && !verification) return E(invalid_argument("setPresenceMode: give \"presence\" and/or \"userVerification\""));
  ControlledPresence& c = (*key)->key->presence();
  if (presence) c.set_presence(*presence);
  if (verification) c.set_verification(*verification);
  return json{{"presence", presence_mode_name(c.presence())}, {"userVerification", presence_mode_name(c.verification())}};
}

ControlApi::Result ControlApi::get_pending(Params& p) {
  auto id = p.opt_string("authenticatorId");
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (id && keys_.find(*id) == nullptr) return E(invalid_argument("no authenticator \"" + *id + "\""));
  json list = json::array();
  for (const PendingRequest& r : keys_.broker().pending()) {
    if (!id || r.key_id == *id) list.push_back(request_json(r));
  }
  return json{{"requests", std::move(list)}};
}

ControlApi::Result ControlApi::answer_pending(Params& p) {
  auto request_id = p.opt_uint("requestId", std::numeric_limits<std::uint64_t>::max());
  auto key_id = p.opt_string("authenticatorId");
  const bool approve = p.req_bool("approve");
  if (auto ok = p.finish(); !ok) return E(ok.error());
  PresenceBroker& broker = keys_.broker();
  std::uint64_t id = 0;
  if (request_id) {
    const PendingRequest* r = broker.find(*request_id);
    if (r == nullptr || (key_id && r->key_id != *key_id)) {
      return E(invalid_argument("no request " + std::to_string(*request_id) + " is waiting (answered, or withdrawn by "
                                "the host or a timeout)"));
    }
    id = *request_id;
  } else {
    std::vector<std::uint64_t> ids;
    for (const PendingRequest& r : broker.pending()) {
      if (!key_id || r.key_id == *key_id) ids.push_back(r.id);
    }
    if (ids.empty()) return E(invalid_argument("no request is waiting for an answer"));
    if (ids.size() > 1) {
      return E(invalid_argument(std::to_string(ids.size()) + " requests are waiting: give \"requestId\" (getPending lists them)"));
    }
    id = ids.front();
  }
  broker.answer(id, approve ? PresenceResult::kApproved : PresenceResult::kDenied);
  return json{{"requestId", id}, {"approved", approve}};
}

ControlApi::Result ControlApi::power_cycle(Params& p) {
  auto key = key_for(p);
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (!key) return E(key.error());
  (*key)->key->power_cycle();
  return json(nullptr);
}

}  // namespace vfido::host
