#include "authenticator/commands/get_info.h"

#include "authenticator/commands/entities.h"

namespace vfido {
namespace {

cbor::Value text_array(const std::vector<std::string>& v) {
  cbor::Array a;
  a.reserve(v.size());
  for (const auto& s : v) a.push_back(cbor::Value::text(s));
  return cbor::Value::array(std::move(a));
}

}  // namespace

Result<GetInfoRequest> GetInfoRequest::parse(ByteSpan) { return GetInfoRequest{}; }

cbor::Value GetInfoResponse::encode() const {
  cbor::Value m = cbor::Value::map();
  m.set(0x01, text_array(versions));
  if (!extensions.empty()) m.set(0x02, text_array(extensions));
  m.set(0x03, cbor::Value::bytes(ByteSpan(aaguid)));
  cbor::Value opts = cbor::Value::map();
  for (const auto& [key, value] : options) opts.set(key, cbor::Value::boolean(value));
  m.set(0x04, std::move(opts));
  m.set(0x05, cbor::Value::uint(max_msg_size));
  m.set(0x07, cbor::Value::uint(max_credential_count_in_list));
  m.set(0x08, cbor::Value::uint(max_credential_id_length));
  m.set(0x09, text_array(transports));
  cbor::Array algs;
  for (auto alg : algorithms) {
    cbor::Value entry = cbor::Value::map();
    entry.set("alg", cbor::Value::integer(alg));
    entry.set("type", cbor::Value::text(kPublicKeyType));
    algs.push_back(std::move(entry));
  }
  m.set(0x0A, cbor::Value::array(std::move(algs)));
  if (firmware_version) m.set(0x0E, cbor::Value::uint(*firmware_version));
  return m;
}

Result<GetInfoResponse> get_info(Ctx& ctx, const GetInfoRequest&) {
  const AuthenticatorProfile& p = ctx.profile;
  GetInfoResponse r;
  r.versions = p.versions;
  // 0x02 extensions: none are implemented yet, so the key is omitted.
  r.aaguid = p.aaguid;
  // CTAP 2.1 §6.4 options: "plat" false (removable), "rk" per profile, "up" true. No "uv"
  // (no built-in UV) and no "clientPin" (absent = not supported).
  r.options = {{"rk", p.resident_keys}, {"up", true}, {"plat", false}};
  r.max_msg_size = p.max_msg_size;
  r.max_credential_count_in_list = p.max_credential_count_in_list;
  r.max_credential_id_length = p.max_credential_id_length;
  r.transports = p.transports;
  r.algorithms = p.algorithms;
  r.firmware_version = p.firmware_version;
  return r;
}

}  // namespace vfido
