#include "profiles/profile_json.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>

namespace vfido::profiles {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using Error = tl::unexpected<std::string>;

// One member of the file: how to read it into the profile and write it back out.
struct Member {
  std::string name;
  std::function<tl::expected<void, std::string>(const json&, Profile&)> read;
  std::function<ojson(const Profile&)> write;
};

tl::expected<void, std::string> expect_type(const json& v, json::value_t t, const char* what) {
  if (v.type() == t) return {};
  return Error(std::string("expected ") + what + ", got " + v.dump());
}

template <typename T>
tl::expected<T, std::string> read_uint(const json& v) {
  // nlohmann keeps non-negative integers as number_unsigned; negative ones, floats and the rest
  // are refused.
  if (!v.is_number_unsigned()) return Error(std::string("expected a non-negative integer, got ") + v.dump());
  const std::uint64_t u = v.get<std::uint64_t>();
  if (u > std::numeric_limits<T>::max()) return Error("value " + std::to_string(u) + " is too large");
  return static_cast<T>(u);
}

tl::expected<std::vector<std::string>, std::string> read_strings(const json& v) {
  if (!v.is_array()) return Error(std::string("expected an array of strings, got ") + v.type_name());
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) return Error(std::string("expected an array of strings, found ") + e.type_name());
    out.push_back(e.get<std::string>());
  }
  return out;
}

// COSE algorithm names vfido knows, for readable files.
const std::map<std::string, std::int64_t, std::less<>>& algorithm_names() {
  static const std::map<std::string, std::int64_t, std::less<>> names = {
      {"ES256", cose::kAlgEs256}, {"EdDSA", cose::kAlgEdDsa}, {"RS256", cose::kAlgRs256}};
  return names;
}

ojson algorithm_json(std::int64_t alg) {
  for (const auto& [name, value] : algorithm_names()) {
    if (value == alg) return name;
  }
  return alg;
}

template <typename T>
Member uint_member(std::string name, T AuthenticatorProfile::*field) {
  return Member{name,
                [field](const json& v, Profile& p) -> tl::expected<void, std::string> {
                  auto u = read_uint<T>(v);
                  if (!u) return Error(u.error());
                  p.model.*field = *u;
                  return {};
                },
                [field](const Profile& p) { return ojson(p.model.*field); }};
}

Member bool_member(std::string name, bool AuthenticatorProfile::*field) {
  return Member{name,
                [field](const json& v, Profile& p) -> tl::expected<void, std::string> {
                  auto ok = expect_type(v, json::value_t::boolean, "true or false");
                  if (!ok) return ok;
                  p.model.*field = v.get<bool>();
                  return {};
                },
                [field](const Profile& p) { return ojson(p.model.*field); }};
}

// A member that may be null (meaning absent), e.g. "built_in_uv": null | true | false.
Member optional_bool_member(std::string name, std::optional<bool> AuthenticatorProfile::*field) {
  return Member{name,
                [field](const json& v, Profile& p) -> tl::expected<void, std::string> {
                  if (v.is_null()) {
                    p.model.*field = std::nullopt;
                    return {};
                  }
                  auto ok = expect_type(v, json::value_t::boolean, "true, false or null");
                  if (!ok) return ok;
                  p.model.*field = v.get<bool>();
                  return {};
                },
                [field](const Profile& p) { return (p.model.*field) ? ojson(*(p.model.*field)) : ojson(nullptr); }};
}

Member strings_member(std::string name, std::vector<std::string> AuthenticatorProfile::*field) {
  return Member{name,
                [field](const json& v, Profile& p) -> tl::expected<void, std::string> {
                  auto s = read_strings(v);
                  if (!s) return Error(s.error());
                  p.model.*field = std::move(*s);
                  return {};
                },
                [field](const Profile& p) { return ojson(p.model.*field); }};
}

// A string member of the profile file itself (id, description).
Member string_member(std::string name, std::string Profile::*field) {
  return Member{name,
                [field](const json& v, Profile& p) -> tl::expected<void, std::string> {
                  auto ok = expect_type(v, json::value_t::string, "a string");
                  if (!ok) return ok;
                  p.*field = v.get<std::string>();
                  return {};
                },
                [field](const Profile& p) { return ojson(p.*field); }};
}

const std::vector<Member>& members() {
  using P = AuthenticatorProfile;
  static const std::vector<Member> all = [] {
    std::vector<Member> m;
    m.push_back(string_member("id", &Profile::id));
    m.push_back(string_member("description", &Profile::description));
    m.push_back(Member{"name",
                       [](const json& v, Profile& p) -> tl::expected<void, std::string> {
                         auto ok = expect_type(v, json::value_t::string, "a string");
                         if (!ok) return ok;
                         p.model.name = v.get<std::string>();
                         return {};
                       },
                       [](const Profile& p) { return ojson(p.model.name); }});
    m.push_back(Member{"aaguid",
                       [](const json& v, Profile& p) -> tl::expected<void, std::string> {
                         auto ok = expect_type(v, json::value_t::string, "a UUID string");
                         if (!ok) return ok;
                         auto u = parse_uuid(v.get<std::string>());
                         if (!u) return Error(u.error());
                         p.model.aaguid = *u;
                         return {};
                       },
                       [](const Profile& p) { return ojson(format_uuid(p.model.aaguid)); }});
    m.push_back(strings_member("versions", &P::versions));
    m.push_back(Member{"algorithms",
                       [](const json& v, Profile& p) -> tl::expected<void, std::string> {
                         if (!v.is_array()) return Error(std::string("expected an array, got ") + v.type_name());
                         std::vector<std::int64_t> algs;
                         for (const auto& e : v) {
                           if (e.is_number_integer()) {
                             algs.push_back(e.get<std::int64_t>());
                           } else if (e.is_string()) {
                             auto it = algorithm_names().find(e.get<std::string>());
                             if (it == algorithm_names().end()) {
                               return Error("unknown algorithm \"" + e.get<std::string>() + "\" (ES256, EdDSA, RS256 or a COSE number)");
                             }
                             algs.push_back(it->second);
                           } else {
                             return Error(std::string("expected algorithm names or COSE numbers, found ") + e.type_name());
                           }
                         }
                         p.model.algorithms = std::move(algs);
                         return {};
                       },
                       [](const Profile& p) {
                         ojson a = ojson::array();
                         for (auto alg : p.model.algorithms) a.push_back(algorithm_json(alg));
                         return a;
                       }});
    m.push_back(Member{"attestation",
                       [](const json& v, Profile& p) -> tl::expected<void, std::string> {
                         auto ok = expect_type(v, json::value_t::string, "\"none\", \"self\" or \"packed\"");
                         if (!ok) return ok;
                         const std::string s = v.get<std::string>();
                         if (s == "none") {
                           p.model.attestation = AttestationMode::kNone;
                         } else if (s == "self") {
                           p.model.attestation = AttestationMode::kSelf;
                         } else if (s == "packed") {
                           p.model.attestation = AttestationMode::kBasic;
                         } else {
                           return Error("unknown attestation \"" + s + "\" (none, self, packed)");
                         }
                         return {};
                       },
                       [](const Profile& p) {
                         switch (p.model.attestation) {
                           case AttestationMode::kNone: return ojson("none");
                           case AttestationMode::kSelf: return ojson("self");
                           case AttestationMode::kBasic: return ojson("packed");
                         }
                         return ojson("none");
                       }});
    m.push_back(string_member("attestation_key_file", &Profile::attestation_key_file));
    m.push_back(string_member("attestation_chain_file", &Profile::attestation_chain_file));
    m.push_back(uint_member("max_msg_size", &P::max_msg_size));
    m.push_back(uint_member("max_credential_count_in_list", &P::max_credential_count_in_list));
    m.push_back(uint_member("max_credential_id_length", &P::max_credential_id_length));
    m.push_back(strings_member("transports", &P::transports));
    m.push_back(bool_member("resident_keys", &P::resident_keys));
    m.push_back(Member{"firmware_version",
                       [](const json& v, Profile& p) -> tl::expected<void, std::string> {
                         if (v.is_null()) {
                           p.model.firmware_version = std::nullopt;
                           return {};
                         }
                         auto u = read_uint<std::uint64_t>(v);
                         if (!u) return Error(u.error());
                         p.model.firmware_version = *u;
                         return {};
                       },
                       [](const Profile& p) {
                         return p.model.firmware_version ? ojson(*p.model.firmware_version) : ojson(nullptr);
                       }});
    m.push_back(uint_member("up_timeout_ms", &P::up_timeout_ms));
    m.push_back(uint_member("next_assertion_timeout_ms", &P::next_assertion_timeout_ms));
    m.push_back(bool_member("backup_eligible", &P::backup_eligible));
    m.push_back(bool_member("backup_state", &P::backup_state));
    m.push_back(bool_member("always_discoverable", &P::always_discoverable));
    m.push_back(Member{"sign_counter",
                       [](const json& v, Profile& p) -> tl::expected<void, std::string> {
                         auto ok = expect_type(v, json::value_t::string, "\"per-credential\" or \"zero\"");
                         if (!ok) return ok;
                         const std::string s = v.get<std::string>();
                         if (s == "per-credential") {
                           p.model.sign_counter = SignCounter::kPerCredential;
                         } else if (s == "zero") {
                           p.model.sign_counter = SignCounter::kZero;
                         } else {
                           return Error("unknown sign_counter \"" + s + "\" (per-credential, zero)");
                         }
                         return {};
                       },
                       [](const Profile& p) {
                         return ojson(p.model.sign_counter == SignCounter::kZero ? "zero" : "per-credential");
                       }});
    m.push_back(bool_member("client_pin", &P::client_pin));
    m.push_back(Member{"pin_uv_auth_protocols",
                       [](const json& v, Profile& p) -> tl::expected<void, std::string> {
                         if (!v.is_array()) return Error(std::string("expected an array, got ") + v.type_name());
                         std::vector<std::uint64_t> out;
                         for (const auto& e : v) {
                           auto u = read_uint<std::uint64_t>(e);
                           if (!u) return Error(u.error());
                           out.push_back(*u);
                         }
                         p.model.pin_uv_auth_protocols = std::move(out);
                         return {};
                       },
                       [](const Profile& p) { return ojson(p.model.pin_uv_auth_protocols); }});
    m.push_back(bool_member("pin_uv_auth_token", &P::pin_uv_auth_token));
    m.push_back(optional_bool_member("built_in_uv", &P::built_in_uv));
    m.push_back(uint_member("uv_modality", &P::uv_modality));
    m.push_back(bool_member("no_mc_ga_permissions_with_client_pin", &P::no_mc_ga_permissions_with_client_pin));
    m.push_back(bool_member("make_cred_uv_not_rqd", &P::make_cred_uv_not_rqd));
    m.push_back(bool_member("always_uv", &P::always_uv));
    m.push_back(bool_member("cred_mgmt", &P::cred_mgmt));
    m.push_back(bool_member("large_blobs", &P::large_blobs));
    m.push_back(uint_member("max_serialized_large_blob_array", &P::max_serialized_large_blob_array));
    m.push_back(bool_member("authnr_cfg", &P::authnr_cfg));
    m.push_back(bool_member("set_min_pin_length", &P::set_min_pin_length));
    m.push_back(uint_member("max_rp_ids_for_set_min_pin_length", &P::max_rp_ids_for_set_min_pin_length));
    m.push_back(optional_bool_member("enterprise_attestation", &P::enterprise_attestation));
    m.push_back(strings_member("enterprise_attestation_rp_ids", &P::enterprise_attestation_rp_ids));
    m.push_back(bool_member("platform_managed_enterprise_attestation", &P::platform_managed_enterprise_attestation));
    m.push_back(strings_member("extensions", &P::extensions));
    m.push_back(uint_member("max_cred_blob_length", &P::max_cred_blob_length));
    m.push_back(uint_member("min_pin_length", &P::min_pin_length));
    m.push_back(uint_member("max_pin_retries", &P::max_pin_retries));
    m.push_back(uint_member("max_uv_retries", &P::max_uv_retries));
    m.push_back(uint_member("preferred_platform_uv_attempts", &P::preferred_platform_uv_attempts));
    m.push_back(uint_member("reset_window_ms", &P::reset_window_ms));
    m.push_back(uint_member("pin_token_initial_usage_ms", &P::pin_token_initial_usage_ms));
    m.push_back(uint_member("pin_token_max_usage_ms", &P::pin_token_max_usage_ms));
    return m;
  }();
  return all;
}

bool valid_id(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

tl::expected<ByteArray<kAaguidLen>, std::string> parse_uuid(std::string_view text) {
  // 8-4-4-4-12 hex digits (RFC 9562 §4).
  constexpr std::size_t kLen = 36;
  if (text.size() != kLen) return Error("\"" + std::string(text) + "\" is not a UUID (8-4-4-4-12 hex digits)");
  ByteArray<kAaguidLen> out{};
  std::size_t n = 0;
  for (std::size_t i = 0; i < kLen; ++i) {
    const bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_here) {
      if (text[i] != '-') return Error("\"" + std::string(text) + "\" is not a UUID (8-4-4-4-12 hex digits)");
      continue;
    }
    const int hi = hex_value(text[i]);
    const int lo = i + 1 < kLen ? hex_value(text[i + 1]) : -1;
    if (hi < 0 || lo < 0) return Error("\"" + std::string(text) + "\" is not a UUID (8-4-4-4-12 hex digits)");
    out[n++] = static_cast<std::uint8_t>(hi * 16 + lo);
    ++i;
  }
  return out;
}

std::string format_uuid(const ByteArray<kAaguidLen>& a) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[a[i] >> 4]);
    s.push_back(kHex[a[i] & 0x0f]);
  }
  return s;
}

std::vector<std::string> member_names() {
  std::vector<std::string> out;
  for (const auto& m : members()) out.push_back(m.name);
  return out;
}

tl::expected<Profile, std::string> parse_profile(std::string_view json_text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::parse_error& e) {
    // nlohmann's message carries the line and column.
    return Error(source + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object()) return Error(source + ": a profile is a JSON object, got " + doc.type_name());
  Profile p;
  p.source = source;
  for (const auto& [key, value] : doc.items()) {
    auto m = std::find_if(members().begin(), members().end(), [&](const Member& x) { return x.name == key; });
    if (m == members().end()) return Error(source + ": unknown member \"" + key + "\"");
    auto ok = m->read(value, p);
    if (!ok) return Error(source + ": \"" + key + "\": " + ok.error());
  }
  if (!doc.contains("id")) return Error(source + ": \"id\" is required");
  if (!valid_id(p.id)) return Error(source + ": \"id\": \"" + p.id + "\" must be lower-case letters, digits and dashes");
  if (p.attestation_key_file.empty() != p.attestation_chain_file.empty()) {
    return Error(source + ": \"attestation_key_file\" and \"attestation_chain_file\" go together");
  }
  if (!p.attestation_key_file.empty() && p.model.attestation != AttestationMode::kBasic) {
    return Error(source + ": \"attestation_key_file\": only with \"attestation\": \"packed\"");
  }
  // Attestation material is provided after loading (tools/host/attestation_files.h).
  auto valid = p.model.validate(AuthenticatorProfile::Material::kLater);
  if (!valid) return Error(source + ": " + valid.error());
  return p;
}

nlohmann::ordered_json to_json(const Profile& profile) {
  ojson out = ojson::object();
  for (const auto& m : members()) out[m.name] = m.write(profile);
  return out;
}

}  // namespace vfido::profiles
