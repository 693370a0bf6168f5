#include "tools/webauthn_client/authenticator_info.h"

#include <algorithm>
#include <memory>

namespace vfido::webauthn {
namespace {

struct InfoFree {
  void operator()(fido_cbor_info_t* p) const { fido_cbor_info_free(&p); }
};

std::vector<std::string> strings(char** p, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.emplace_back(p[i]);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

bool AuthenticatorInfo::has_extension(const std::string& id) const { return contains(extensions, id); }

bool AuthenticatorInfo::supports_alg(std::int64_t alg) const {
  if (algorithms.empty()) return alg == -7;  // CTAP 2.1 §6.4: absent algorithms means ES256 only
  return std::find(algorithms.begin(), algorithms.end(), alg) != algorithms.end();
}

bool AuthenticatorInfo::is_platform() const {
  if (transports.empty()) return false;
  return std::all_of(transports.begin(), transports.end(), [](const std::string& t) { return t == "internal" || t == "hybrid"; }) &&
         contains(transports, "internal");
}

bool AuthenticatorInfo::is_roaming() const {
  if (transports.empty()) return true;
  return !contains(transports, "internal") && !contains(transports, "hybrid");
}

tl::expected<AuthenticatorInfo, int> read_authenticator_info(fido_dev_t* dev) {
  AuthenticatorInfo info;
  if (!fido_dev_is_fido2(dev)) {
    info.fido2 = false;
    info.versions = {"U2F_V2"};
    info.algorithms = {-7};
    return info;
  }
  std::unique_ptr<fido_cbor_info_t, InfoFree> ci(fido_cbor_info_new());
  if (!ci) return tl::unexpected(FIDO_ERR_INTERNAL);
  const int r = fido_dev_get_cbor_info(dev, ci.get());
  if (r != FIDO_OK) return tl::unexpected(r);
  info.versions = strings(fido_cbor_info_versions_ptr(ci.get()), fido_cbor_info_versions_len(ci.get()));
  info.extensions = strings(fido_cbor_info_extensions_ptr(ci.get()), fido_cbor_info_extensions_len(ci.get()));
  info.transports = strings(fido_cbor_info_transports_ptr(ci.get()), fido_cbor_info_transports_len(ci.get()));
  for (std::size_t i = 0; i < fido_cbor_info_algorithm_count(ci.get()); ++i) {
    info.algorithms.push_back(fido_cbor_info_algorithm_cose(ci.get(), i));
  }
  const unsigned char* aaguid = fido_cbor_info_aaguid_ptr(ci.get());
  static const char* hex = "0123456789abcdef";
  for (std::size_t i = 0; i < fido_cbor_info_aaguid_len(ci.get()); ++i) {
    info.aaguid_hex.push_back(hex[aaguid[i] >> 4]);
    info.aaguid_hex.push_back(hex[aaguid[i] & 15]);
  }
  char** names = fido_cbor_info_options_name_ptr(ci.get());
  const bool* values = fido_cbor_info_options_value_ptr(ci.get());
  for (std::size_t i = 0; i < fido_cbor_info_options_len(ci.get()); ++i) {
    const std::string n = names[i];
    const bool v = values[i];
    if (n == "rk") info.rk = v;
    else if (n == "up") info.up = v;
    else if (n == "uv") info.uv = v;
    else if (n == "clientPin") info.client_pin = v;
    else if (n == "pinUvAuthToken") info.pin_uv_auth_token = v;
    else if (n == "makeCredUvNotRqd") info.make_cred_uv_not_rqd = v;
    else if (n == "alwaysUv") info.always_uv = v;
    else if (n == "largeBlobs") info.large_blobs = v;
    else if (n == "credMgmt") info.cred_mgmt = v;
  }
  info.max_cred_blob_length = fido_cbor_info_maxcredbloblen(ci.get());
  return info;
}

std::string summarize(const AuthenticatorInfo& info) {
  std::string out;
  for (const auto& v : info.versions) out += (out.empty() ? "" : ",") + v;
  auto opt = [&](const char* n, const std::optional<bool>& v) {
    if (v) out += std::string(" ") + n + "=" + (*v ? "true" : "false");
  };
  opt("rk", info.rk);
  opt("uv", info.uv);
  opt("clientPin", info.client_pin);
  opt("pinUvAuthToken", info.pin_uv_auth_token);
  opt("makeCredUvNotRqd", info.make_cred_uv_not_rqd);
  opt("alwaysUv", info.always_uv);
  opt("largeBlobs", info.large_blobs);
  if (!info.transports.empty()) {
    out += " transports=";
    for (std::size_t i = 0; i < info.transports.size(); ++i) out += (i ? "," : "") + info.transports[i];
  }
  if (!info.extensions.empty()) {
    out += " extensions=";
    for (std::size_t i = 0; i < info.extensions.size(); ++i) out += (i ? "," : "") + info.extensions[i];
  }
  return out;
}

}  // namespace vfido::webauthn
