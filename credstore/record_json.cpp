#include "credstore/record_json.h"

#include <limits>
#include <optional>
#include <type_traits>

#include "authenticator/base64.h"
#include "credstore/record_fields.h"

namespace vfido::credstore {
namespace {

using json = nlohmann::json;
using Error = tl::unexpected<std::string>;

// ---- writing ------------------------------------------------------------------------------

json to_json_value(const UserEntity& u);

void put(json& out, std::string_view name, const std::string& v) { out[std::string(name)] = v; }
void put(json& out, std::string_view name, const std::optional<std::string>& v) {
  if (v) out[std::string(name)] = *v;
}
void put(json& out, std::string_view name, const Bytes& v) {
  if (!v.empty()) out[std::string(name)] = base64url_encode(v);
}
void put(json& out, std::string_view name, const crypto::SecretBytes& v) {
  if (!v.empty()) out[std::string(name)] = base64url_encode(v.expose());
}
void put(json& out, std::string_view name, bool v) { out[std::string(name)] = v; }
void put(json& out, std::string_view name, std::int64_t v) { out[std::string(name)] = v; }
template <typename U>
  requires(std::is_unsigned_v<U> && !std::is_same_v<U, bool>)
void put(json& out, std::string_view name, U v) {
  out[std::string(name)] = static_cast<std::uint64_t>(v);
}
void put(json& out, std::string_view name, const UserEntity& u) {
  if (!u.id.empty()) out[std::string(name)] = to_json_value(u);
}

json to_json_value(const UserEntity& u) {
  json out = json::object();
  visit_user_fields(u, [&](const Field& f, const auto& member) {
    if ((f.places & kExported) != 0) put(out, f.name, member);
  });
  return out;
}

// ---- reading ------------------------------------------------------------------------------

tl::expected<void, std::string> take(const json& v, std::string_view name, std::string& out) {
  if (!v.is_string()) return Error(std::string(name) + ": expected a string");
  out = v.get<std::string>();
  return {};
}
tl::expected<void, std::string> take(const json& v, std::string_view name, std::optional<std::string>& out) {
  if (!v.is_string()) return Error(std::string(name) + ": expected a string");
  out = v.get<std::string>();
  return {};
}
tl::expected<Bytes, std::string> take_b64(const json& v, std::string_view name) {
  if (!v.is_string()) return Error(std::string(name) + ": expected a base64url string");
  auto b = base64url_decode(v.get_ref<const std::string&>());
  if (!b) return Error(std::string(name) + ": not valid base64url");
  return std::move(*b);
}
tl::expected<void, std::string> take(const json& v, std::string_view name, Bytes& out) {
  auto b = take_b64(v, name);
  if (!b) return Error(b.error());
  out = std::move(*b);
  return {};
}
tl::expected<void, std::string> take(const json& v, std::string_view name, crypto::SecretBytes& out) {
  auto b = take_b64(v, name);
  if (!b) return Error(b.error());
  out = crypto::SecretBytes(ByteSpan(*b));
  crypto::cleanse(b->data(), b->size());
  return {};
}
tl::expected<void, std::string> take(const json& v, std::string_view name, bool& out) {
  if (!v.is_boolean()) return Error(std::string(name) + ": expected true or false");
  out = v.get<bool>();
  return {};
}
tl::expected<void, std::string> take(const json& v, std::string_view name, std::int64_t& out) {
  if (!v.is_number_integer()) return Error(std::string(name) + ": expected an integer");
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return Error(std::string(name) + ": out of range");
  }
  out = v.get<std::int64_t>();
  return {};
}
template <typename U>
  requires(std::is_unsigned_v<U> && !std::is_same_v<U, bool>)
tl::expected<void, std::string> take(const json& v, std::string_view name, U& out) {
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > std::numeric_limits<U>::max()) {
    return Error(std::string(name) + ": expected an unsigned integer up to " +
                 std::to_string(std::numeric_limits<U>::max()));
  }
  out = static_cast<U>(v.get<std::uint64_t>());
  return {};
}
tl::expected<void, std::string> take(const json& v, std::string_view name, UserEntity& out);

// Reads the object `j` into `obj` through `visit`, refusing unknown members.
template <typename Obj, typename Visit>
tl::expected<void, std::string> take_object(const json& j, std::string_view what, Obj& obj, Visit visit) {
  if (!j.is_object()) return Error(std::string(what) + ": expected an object");
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    tl::expected<void, std::string> r;
    visit(obj, [&](const Field& f, auto& member) {
      if (f.name != key || (f.places & kExported) == 0) return;
      known = true;
      // Exported-only members (createdSeq) are accepted and ignored: the store assigns them.
      if ((f.places & kImported) != 0) r = take(value, f.name, member);
    });
    if (!known) return Error(std::string(what) + ": unknown member \"" + key + "\"");
    if (!r) return Error(std::string(what) + "." + r.error());
  }
  std::string missing;
  visit(obj, [&](const Field& f, auto&) {
    if ((f.places & kRequired) != 0 && (f.places & kImported) != 0 && !j.contains(std::string(f.name))) {
      missing = std::string(f.name);
    }
  });
  if (!missing.empty()) {
    if (missing == "privateKey") {
      return Error(std::string(what) + ": no privateKey (was it exported without --include-private-keys?)");
    }
    return Error(std::string(what) + ": required member \"" + missing + "\" is missing");
  }
  return {};
}

tl::expected<void, std::string> take(const json& v, std::string_view name, UserEntity& out) {
  return take_object(v, name, out, [](UserEntity& u, auto&& f) { visit_user_fields(u, f); });
}

}  // namespace

json record_to_json(const CredentialRecord& rec, bool include_secrets) {
  json out = json::object();
  visit_record_fields(rec, [&](const Field& f, const auto& member) {
    if ((f.places & kExported) == 0) return;
    if ((f.places & kSecret) != 0 && !include_secrets) return;
    put(out, f.name, member);
  });
  return out;
}

tl::expected<CredentialRecord, std::string> record_from_json(const json& j) {
  CredentialRecord rec;
  auto r = take_object(j, "credential", rec, [](CredentialRecord& c, auto&& f) { visit_record_fields(c, f); });
  if (!r) return Error(r.error());
  return rec;
}

}  // namespace vfido::credstore
