#include "tools/relying_party/verdict_json.h"

namespace vfido::rp {

nlohmann::json registration_verdict_json(const tl::expected<RegistrationResult, RpError>& v, bool with_trust) {
  if (!v) return {{"verified", false}, {"reason", v.error().to_string()}};
  const auto& c = v->credential;
  nlohmann::json j = {{"verified", true},
                      {"fmt", c.attestation_format},
                      {"aaguid", format_aaguid(c.aaguid)},
                      {"counter", c.sign_count},
                      {"userVerified", (v->flags & flags::kUv) != 0},
                      {"credentialDeviceType", c.credential_device_type()},
                      {"backedUp", c.backed_up()}};
  if (with_trust) j["trusted"] = c.trust == TrustResult::kTrusted;
  return j;
}

nlohmann::json authentication_verdict_json(const tl::expected<AuthenticationResult, RpError>& v) {
  if (!v) return {{"verified", false}, {"reason", v.error().to_string()}};
  return {{"verified", true},
          {"newCounter", v->credential.sign_count},
          {"userVerified", v->user_verified},
          {"credentialDeviceType", v->credential.credential_device_type()},
          {"backedUp", v->credential.backed_up()}};
}

}  // namespace vfido::rp
