// setPIN (0x03), CTAP 2.1 §6.5.5.5.
#include "authenticator/commands/client_pin/pin_check.h"
#include "authenticator/commands/client_pin/subcommands.h"

namespace vfido::clientpin {

Result<ClientPinResponse> set_pin(Ctx& ctx, const ClientPinRequest& req) {
  // Step 1: keyAgreement, pinUvAuthParam, newPinEnc (and the protocol) are mandatory.
  if (!req.key_agreement || !req.pin_uv_auth_param || !req.new_pin_enc) {
    return ctx.reject(CtapStatus::kMissingParameter, "setPIN step 1: missing parameter");
  }
  // Step 2: pinUvAuthProtocol supported.
  auto p = selected_protocol(ctx, req, "setPIN step 2");
  if (!p) return fail(p.error());
  // Step 3: a PIN is already set -> PIN_AUTH_INVALID.
  if (ctx.device.pin) return ctx.reject(CtapStatus::kPinAuthInvalid, "setPIN step 3: a PIN is already set");
  // Step 4: decapsulate -> INVALID_PARAMETER on error.
  auto ss = shared_secret(ctx, *p, *req.key_agreement);
  if (!ss) return fail(ss.error());
  // Step 5: verify(shared secret, newPinEnc, pinUvAuthParam) -> PIN_AUTH_INVALID.
  if (!pin_uv_auth::verify(*p, ss->expose(), *req.new_pin_enc, *req.pin_uv_auth_param)) {
    return ctx.reject(CtapStatus::kPinAuthInvalid, "setPIN step 5: pinUvAuthParam does not verify");
  }
  // Steps 6-10: decrypt, 64 bytes, unpad, policy.
  auto pin = decrypt_new_pin(ctx, *p, *ss, *req.new_pin_enc);
  if (!pin) return fail(pin.error());
  // Steps 11-12: remember the length and LEFT(SHA-256(newPin), 16); pinRetries to maximum.
  VFIDO_TRY(store_pin(ctx, *pin));
  return ClientPinResponse{};
}

}  // namespace vfido::clientpin
