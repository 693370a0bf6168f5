// changePIN (0x04), CTAP 2.1 §6.5.5.6.
#include "authenticator/commands/client_pin/pin_check.h"
#include "authenticator/crypto/hash.h"
#include "authenticator/commands/client_pin/subcommands.h"

namespace vfido::clientpin {

Result<ClientPinResponse> change_pin(Ctx& ctx, const ClientPinRequest& req) {
  // Step 1: keyAgreement, pinHashEnc, newPinEnc, pinUvAuthParam are mandatory.
  if (!req.key_agreement || !req.pin_uv_auth_param || !req.new_pin_enc || !req.pin_hash_enc) {
    return ctx.reject(CtapStatus::kMissingParameter, "changePIN step 1: missing parameter");
  }
  // Step 2: pinUvAuthProtocol supported.
  auto p = selected_protocol(ctx, req, "changePIN step 2");
  if (!p) return fail(p.error());
  if (!ctx.device.pin) return ctx.reject(CtapStatus::kPinNotSet, "changePIN: no PIN is set");
  // Step 3: pinRetries 0 -> PIN_BLOCKED (and blocked until power cycle -> PIN_AUTH_BLOCKED).
  VFIDO_TRY(check_not_blocked(ctx, "changePIN step 3"));
  // Step 4: decapsulate.
  auto ss = shared_secret(ctx, *p, *req.key_agreement);
  if (!ss) return fail(ss.error());
  // Step 5: verify(shared secret, newPinEnc || pinHashEnc, pinUvAuthParam).
  ByteWriter msg(req.new_pin_enc->size() + req.pin_hash_enc->size());
  msg.bytes(*req.new_pin_enc).bytes(*req.pin_hash_enc);
  if (!pin_uv_auth::verify(*p, ss->expose(), msg.view(), *req.pin_uv_auth_param)) {
    return ctx.reject(CtapStatus::kPinAuthInvalid, "changePIN step 5: pinUvAuthParam does not verify");
  }
  // Steps 6-8: decrement, compare the current PIN, reset the counter.
  VFIDO_TRY(check_pin_hash(ctx, *p, *ss, *req.pin_hash_enc));
  // Steps 9-12, 14: the new PIN.
  auto pin = decrypt_new_pin(ctx, *p, *ss, *req.new_pin_enc);
  if (!pin) return fail(pin.error());
  // Step 13: forcePINChange and the same PIN again -> PIN_POLICY_VIOLATION.
  if (ctx.device.force_pin_change &&
      crypto::equal_ct(pin_hash(pin->utf8.expose()).expose(), ctx.device.pin->hash.expose())) {
    return ctx.reject(CtapStatus::kPinPolicyViolation, "changePIN step 13: forcePINChange and the PIN is unchanged");
  }
  // Steps 15-18: store it, clear forcePINChange, pinRetries to maximum.
  VFIDO_TRY(store_pin(ctx, *pin));
  // Step 19: every existing pinUvAuthToken is invalidated.
  ctx.vol.reset_pin_uv_auth_tokens(ctx.env.rng);
  return ClientPinResponse{};
}

}  // namespace vfido::clientpin
