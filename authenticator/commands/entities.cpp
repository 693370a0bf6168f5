#include "authenticator/commands/entities.h"

#include "authenticator/cbor/map_reader.h"

namespace vfido {

Result<RpEntity> RpEntity::parse(const cbor::Value& v) {
  auto m = cbor::MapReader::from(v);
  if (!m) return fail(m.error());
  RpEntity rp;
  // CTAP 2.1 §6.1 rp: "id" is required text; "name" optional; "icon" deprecated and ignored.
  auto id = m->required_text("id");
  if (!id) return fail(id.error());
  rp.id = std::move(*id);
  auto name = m->optional_text("name");
  if (!name) return fail(name.error());
  rp.name = std::move(*name);
  return rp;
}

Result<UserEntity> parse_user_entity(const cbor::Value& v) {
  auto m = cbor::MapReader::from(v);
  if (!m) return fail(m.error());
  UserEntity user;
  auto id = m->required_bytes("id");
  if (!id) return fail(id.error());
  // WebAuthn §5.4.3: the user handle is 1..64 bytes. CTAP names no status for a bad length; we
  // answer CTAP1_ERR_INVALID_LENGTH ("invalid message or item length", CTAP 2.1 §8.2), as for
  // a clientDataHash of the wrong length.
  if (id->empty() || id->size() > kMaxUserIdLen) return fail(CtapStatus::kInvalidLength);
  user.id = std::move(*id);
  auto name = m->optional_text("name");
  if (!name) return fail(name.error());
  user.name = std::move(*name);
  auto display = m->optional_text("displayName");
  if (!display) return fail(display.error());
  user.display_name = std::move(*display);
  auto icon = m->optional_text("icon");
  if (!icon) return fail(icon.error());
  user.icon = std::move(*icon);
  return user;
}

cbor::Value encode_user_entity(const UserEntity& user) {
  cbor::Value m = cbor::Value::map();
  m.set("id", cbor::Value::bytes(user.id));
  if (user.name) m.set("name", cbor::Value::text(*user.name));
  if (user.display_name) m.set("displayName", cbor::Value::text(*user.display_name));
  if (user.icon) m.set("icon", cbor::Value::text(*user.icon));
  return m;
}

Result<CredentialDescriptor> CredentialDescriptor::parse(const cbor::Value& v) {
  auto m = cbor::MapReader::from(v);
  if (!m) return fail(m.error());
  CredentialDescriptor d;
  // WebAuthn §5.8.3: "type" and "id" are required; "transports" optional.
  auto type = m->required_text("type");
  if (!type) return fail(type.error());
  d.type = std::move(*type);
  auto id = m->required_bytes("id");
  if (!id) return fail(id.error());
  d.id = std::move(*id);
  auto transports = m->optional_array("transports");
  if (!transports) return fail(transports.error());
  if (*transports != nullptr) {
    for (const auto& t : **transports) {
      if (!t.is_text()) return fail(CtapStatus::kCborUnexpectedType);
      d.transports.push_back(t.as_text());
    }
  }
  return d;
}

cbor::Value CredentialDescriptor::encode() const {
  cbor::Value m = cbor::Value::map();
  m.set("id", cbor::Value::bytes(id));
  m.set("type", cbor::Value::text(type));
  if (!transports.empty()) {
    cbor::Array a;
    for (const auto& t : transports) a.push_back(cbor::Value::text(t));
    m.set("transports", cbor::Value::array(std::move(a)));
  }
  return m;
}

Result<std::vector<CredentialDescriptor>> parse_descriptor_list(const cbor::Array& list) {
  std::vector<CredentialDescriptor> out;
  out.reserve(list.size());
  for (const auto& entry : list) {
    auto d = CredentialDescriptor::parse(entry);
    if (!d) return fail(d.error());
    out.push_back(std::move(*d));
  }
  return out;
}

Result<RequestOptions> RequestOptions::parse(const cbor::Value* map) {
  RequestOptions o;
  if (map == nullptr) return o;
  auto m = cbor::MapReader::from(*map);
  if (!m) return fail(m.error());
  auto rk = m->optional_bool("rk");
  if (!rk) return fail(rk.error());
  auto up = m->optional_bool("up");
  if (!up) return fail(up.error());
  auto uv = m->optional_bool("uv");
  if (!uv) return fail(uv.error());
  o.rk = *rk;
  o.up = *up;
  o.uv = *uv;
  return o;
}

}  // namespace vfido
