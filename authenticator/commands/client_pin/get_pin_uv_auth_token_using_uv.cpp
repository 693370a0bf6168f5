// getPinUvAuthTokenUsingUvWithPermissions (0x06), CTAP 2.1 §6.5.5.7.3: a pinUvAuthToken for
// built-in user verification, asked through the UserPresence port (PresenceRequest with
// verification set). A refusal counts as a failed verification.
#include <memory>

#include "authenticator/commands/client_pin/pin_check.h"
#include "authenticator/commands/client_pin/subcommands.h"

namespace vfido::clientpin {

Result<Step<ClientPinResponse>> get_pin_uv_auth_token_using_uv(Ctx& ctx, const ClientPinRequest& req) {
  // Step 1: keyAgreement and permissions are mandatory.
  if (!req.key_agreement || !req.permissions) {
    return ctx.reject(CtapStatus::kMissingParameter, "getPinUvAuthTokenUsingUvWithPermissions step 1: missing parameter");
  }
  // Step 2: pinUvAuthProtocol supported.
  auto p = selected_protocol(ctx, req, "getPinUvAuthTokenUsingUvWithPermissions step 2");
  if (!p) return fail(p.error());
  // Steps 3-4: the permissions (mc and ga always allowed).
  auto perms = screen_permissions(ctx, *req.permissions, true, "getPinUvAuthTokenUsingUvWithPermissions step 4");
  if (!perms) return fail(perms.error());
  // Step 5: built-in UV supported but not configured -> NOT_ALLOWED.
  if (!ctx.profile.built_in_uv.value_or(false)) {
    return ctx.reject(CtapStatus::kNotAllowed, "getPinUvAuthTokenUsingUvWithPermissions step 5: UV not enrolled");
  }
  // Step 7: uvRetries 0 -> UV_BLOCKED.
  if (ctx.device.uv_retries == 0) {
    return ctx.reject(CtapStatus::kUvBlocked, "getPinUvAuthTokenUsingUvWithPermissions step 7: uvRetries is 0");
  }
  auto ss = shared_secret(ctx, *p, *req.key_agreement);
  if (!ss) return fail(ss.error());
  // Step 9: performBuiltInUv.
  auto shared = std::make_shared<crypto::SecretBytes>(std::move(*ss));
  PresenceRequest ask{.purpose = PresenceRequest::Purpose::kOther, .rp_id = req.rp_id.value_or(""), .user_name = "",
                      .verification = true};
  return Step<ClientPinResponse>{NeedsPresence<ClientPinResponse>{
      std::move(ask),
      [&ctx, shared, protocol = *p, permissions = *perms, rp_id = req.rp_id](PresenceOutcome o) -> Result<ClientPinResponse> {
        // Step 10: timeout -> USER_ACTION_TIMEOUT; failure -> UV_BLOCKED at 0, else UV_INVALID.
        if (o == PresenceOutcome::kTimedOut) {
          return ctx.reject(CtapStatus::kUserActionTimeout, "getPinUvAuthTokenUsingUvWithPermissions step 10: timeout");
        }
        if (o == PresenceOutcome::kDenied) {
          ctx.device.uv_retries = static_cast<std::uint8_t>(ctx.device.uv_retries - 1);
          VFIDO_TRY(ctx.save_device());
          if (ctx.device.uv_retries == 0) {
            return ctx.reject(CtapStatus::kUvBlocked, "getPinUvAuthTokenUsingUvWithPermissions: UV failed, none left");
          }
          return ctx.reject(CtapStatus::kUvInvalid, "getPinUvAuthTokenUsingUvWithPermissions: UV failed");
        }
        ctx.device.uv_retries = ctx.profile.max_uv_retries;
        VFIDO_TRY(ctx.save_device());
        // Steps 13-16: the UV gesture was a touch too: userIsPresent true.
        return issue_token(ctx, protocol, *shared, permissions, rp_id, true);
      }}};
}

}  // namespace vfido::clientpin
