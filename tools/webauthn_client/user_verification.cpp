#include "tools/webauthn_client/user_verification.h"

namespace vfido::webauthn {

bool effective_uv(UserVerification uv, const AuthenticatorInfo& info) {
  switch (uv) {
    case UserVerification::kRequired: return true;
    case UserVerification::kPreferred: return info.uv.value_or(false) || info.client_pin.value_or(false);
    case UserVerification::kDiscouraged: return false;
  }
  return false;
}

tl::expected<UvPlan, ClientError> plan_user_verification(bool wanted, bool required, const AuthenticatorInfo& info,
                                                         const std::optional<std::string>& pin) {
  UvPlan plan;
  plan.how = "no UV";
  if (!wanted && !required) return plan;
  if (info.uv.value_or(false)) {
    plan.uv = true;
    plan.built_in = true;
    plan.how = "built-in UV";
    return plan;
  }
  if (info.client_pin.value_or(false)) {
    if (!pin) {
      return tl::unexpected(ClientError{DomExceptionName::kNotAllowedError,
                                        "the authenticator wants its PIN for user verification and the user entered none", {}});
    }
    plan.uv = true;
    plan.pin = pin;
    plan.how = "PIN";
    return plan;
  }
  if (required) {
    const char* why = info.client_pin.has_value()
                          ? "user verification is required and the authenticator has no PIN set and no built-in UV "
                            "enrolled (a browser would ask the user to set a PIN first)"
                          : "user verification is required and the authenticator can do neither a PIN nor built-in UV";
    return tl::unexpected(ClientError{DomExceptionName::kNotAllowedError, why, {}});
  }
  return plan;
}

}  // namespace vfido::webauthn
