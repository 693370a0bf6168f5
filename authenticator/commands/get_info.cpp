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

void set_uint(cbor::Value& m, int key, const std::optional<std::uint64_t>& v) {
  if (v) m.set(key, cbor::Value::uint(*v));
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
  if (!pin_uv_auth_protocols.empty()) {
    cbor::Array protocols;
    for (auto p : pin_uv_auth_protocols) protocols.push_back(cbor::Value::uint(p));
    m.set(0x06, cbor::Value::array(std::move(protocols)));
  }
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
  set_uint(m, 0x0B, max_serialized_large_blob_array);
  if (force_pin_change) m.set(0x0C, cbor::Value::boolean(*force_pin_change));
  set_uint(m, 0x0D, min_pin_length);
  set_uint(m, 0x0E, firmware_version);
  set_uint(m, 0x0F, max_cred_blob_length);
  set_uint(m, 0x10, max_rp_ids_for_set_min_pin_length);
  set_uint(m, 0x11, preferred_platform_uv_attempts);
  set_uint(m, 0x12, uv_modality);
  set_uint(m, 0x14, remaining_discoverable_credentials);
  return m;
}

Result<GetInfoResponse> get_info(Ctx& ctx, const GetInfoRequest&) {
  const AuthenticatorProfile& p = ctx.profile;
  const DeviceState& d = ctx.device;
  GetInfoResponse r;
  r.versions = p.versions;
  // CTAP 2.1 §6.4: alwaysUv disables CTAP1/U2F, so "U2F_V2" is not offered while it is on.
  if (d.always_uv) std::erase(r.versions, std::string("U2F_V2"));
  r.extensions = p.extensions;
  r.aaguid = p.aaguid;

  // CTAP 2.1 §6.4 options. Absent means "not supported"; for the stateful ones false means
  // "supported, not set up / off".
  auto& o = r.options;
  o.emplace_back("rk", p.resident_keys);
  o.emplace_back("up", true);
  o.emplace_back("plat", false);
  if (p.built_in_uv) o.emplace_back("uv", *p.built_in_uv);
  if (p.client_pin) o.emplace_back("clientPin", d.pin.has_value());
  if (p.pin_uv_auth_token) o.emplace_back("pinUvAuthToken", true);
  if (p.no_mc_ga_permissions_with_client_pin) o.emplace_back("noMcGaPermissionsWithClientPin", true);
  // CTAP 2.1 §6.4: makeCredUvNotRqd is false while alwaysUv is on.
  if (p.make_cred_uv_not_rqd) o.emplace_back("makeCredUvNotRqd", !d.always_uv);
  if (p.authnr_cfg || d.always_uv) o.emplace_back("alwaysUv", d.always_uv);
  // credentialManagement: the final command 0x0A with FIDO_2_1, the prototype 0x41 always (libfido2
  // up to 1.13 sends only 0x41).
  if (p.cred_mgmt && p.has_version("FIDO_2_1")) o.emplace_back("credMgmt", true);
  if (p.cred_mgmt) o.emplace_back("credentialMgmtPreview", true);
  if (p.large_blobs) o.emplace_back("largeBlobs", true);
  if (p.authnr_cfg) o.emplace_back("authnrCfg", true);
  if (p.set_min_pin_length) o.emplace_back("setMinPINLength", true);
  if (p.enterprise_attestation) o.emplace_back("ep", d.enterprise_attestation);

  r.max_msg_size = p.max_msg_size;
  if (p.client_pin || p.built_in_uv) r.pin_uv_auth_protocols = p.pin_uv_auth_protocols;
  r.max_credential_count_in_list = p.max_credential_count_in_list;
  r.max_credential_id_length = p.max_credential_id_length;
  r.transports = p.transports;
  r.algorithms = p.algorithms;
  if (p.large_blobs) r.max_serialized_large_blob_array = p.max_serialized_large_blob_array;
  if (p.client_pin) {
    r.force_pin_change = d.force_pin_change;
    r.min_pin_length = d.min_pin_length;
  }
  r.firmware_version = p.firmware_version;
  if (p.has_extension("credBlob")) r.max_cred_blob_length = p.max_cred_blob_length;
  if (p.set_min_pin_length) r.max_rp_ids_for_set_min_pin_length = p.max_rp_ids_for_set_min_pin_length;
  if (p.built_in_uv) {
    r.preferred_platform_uv_attempts = p.preferred_platform_uv_attempts;
    r.uv_modality = p.uv_modality;
  }
  if (p.resident_keys) {
    auto remaining = ctx.env.store.remaining_discoverable();
    if (remaining) r.remaining_discoverable_credentials = *remaining;
  }
  return r;
}

}  // namespace vfido
