// getPinToken (0x05, superseded; CTAP 2.1 §6.5.5.7.1) and
// getPinUvAuthTokenUsingPinWithPermissions (0x09, §6.5.5.7.2): a pinUvAuthToken for the PIN.
#include "authenticator/commands/client_pin/pin_check.h"
#include "authenticator/commands/client_pin/subcommands.h"

namespace vfido::clientpin {
namespace {

// The steps both share once their parameters are screened: PIN_BLOCKED, decapsulate, the PIN
// check with its retry counters.
Result<crypto::SecretBytes> verify_pin(Ctx& ctx, pin_uv_auth::ProtocolId p, const ClientPinRequest& req,
                                       std::string_view step) {
  if (!ctx.device.pin) return ctx.reject(CtapStatus::kPinNotSet, std::string(step) + ": no PIN is set");
  VFIDO_TRY(check_not_blocked(ctx, step));
  auto ss = shared_secret(ctx, p, *req.key_agreement);
  if (!ss) return fail(ss.error());
  VFIDO_TRY(check_pin_hash(ctx, p, *ss, *req.pin_hash_enc));
  return ss;
}

}  // namespace

Result<ClientPinResponse> get_pin_token(Ctx& ctx, const ClientPinRequest& req) {
  // Step 1: keyAgreement and pinHashEnc are mandatory.
  if (!req.key_agreement || !req.pin_hash_enc) {
    return ctx.reject(CtapStatus::kMissingParameter, "getPinToken step 1: missing parameter");
  }
  // Step 2: pinUvAuthProtocol supported.
  auto p = selected_protocol(ctx, req, "getPinToken step 2");
  if (!p) return fail(p.error());
  // Steps 3-4: permissions or rpId present -> INVALID_PARAMETER.
  if (req.permissions || req.rp_id) {
    return ctx.reject(CtapStatus::kInvalidParameter, "getPinToken steps 3-4: permissions/rpId not allowed");
  }
  // Steps 5-10.
  auto ss = verify_pin(ctx, *p, req, "getPinToken");
  if (!ss) return fail(ss.error());
  // Step 11: forcePINChange -> PIN_INVALID.
  if (ctx.device.force_pin_change) return ctx.reject(CtapStatus::kPinInvalid, "getPinToken step 11: forcePINChange");
  // Steps 12-15: default permissions mc and ga unless noMcGaPermissionsWithClientPin, no RP ID.
  namespace perm = pin_uv_auth::permission;
  std::uint8_t defaults = ctx.profile.no_mc_ga_permissions_with_client_pin ? 0 : perm::kMc | perm::kGa;
  // A model without the pinUvAuthToken feature (CTAP 2.0, FIDO_2_1_PRE) has no permissions to
  // ask for: its platforms (libfido2, python-fido2) authenticate the prototype
  // credentialManagement command with this token, so it carries cm as well.
  if (!ctx.profile.pin_uv_auth_token && ctx.profile.cred_mgmt) defaults |= perm::kCm;
  return issue_token(ctx, *p, *ss, defaults, std::nullopt, false);
}

Result<ClientPinResponse> get_pin_uv_auth_token_using_pin(Ctx& ctx, const ClientPinRequest& req) {
  // Step 1: keyAgreement, pinHashEnc and permissions are mandatory.
  if (!req.key_agreement || !req.pin_hash_enc || !req.permissions) {
    return ctx.reject(CtapStatus::kMissingParameter, "getPinUvAuthTokenUsingPinWithPermissions step 1: missing parameter");
  }
  // Step 2: pinUvAuthProtocol supported.
  auto p = selected_protocol(ctx, req, "getPinUvAuthTokenUsingPinWithPermissions step 2");
  if (!p) return fail(p.error());
  // Steps 3-4: the permissions.
  auto perms = screen_permissions(ctx, *req.permissions, false, "getPinUvAuthTokenUsingPinWithPermissions step 4");
  if (!perms) return fail(perms.error());
  // Steps 5-10.
  auto ss = verify_pin(ctx, *p, req, "getPinUvAuthTokenUsingPinWithPermissions");
  if (!ss) return fail(ss.error());
  // Step 11: forcePINChange -> PIN_POLICY_VIOLATION (the platform should have the PIN changed).
  if (ctx.device.force_pin_change) {
    return ctx.reject(CtapStatus::kPinPolicyViolation, "getPinUvAuthTokenUsingPinWithPermissions step 11: forcePINChange");
  }
  // Steps 13-17.
  return issue_token(ctx, *p, *ss, *perms, req.rp_id, false);
}

}  // namespace vfido::clientpin
