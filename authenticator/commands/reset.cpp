#include "authenticator/commands/reset.h"

#include "authenticator/commands/touch.h"
#include "authenticator/device_state.h"
#include "authenticator/pin_uv_auth/protocol.h"

namespace vfido {
namespace {

// Everything but the wait: the wipe itself, once the user touched the key.
Result<ResetResponse> wipe(Ctx& ctx) {
  // Credentials first: if the store cannot forget them, nothing else changes either.
  auto wiped = ctx.env.store.reset(ctx.env.rng);
  if (!wiped) return ctx.reject(to_ctap_status(wiped.error()), "reset: the credential store was not reset");
  ctx.keys.clear();

  // The persistent state of a new authenticator of this model, with enterprise attestation
  // disabled whatever the model ships with: after a reset only authenticatorConfig
  // enableEnterpriseAttestation turns it on (ctap-reference §3.10; OpenSK erases its flag).
  DeviceState fresh = DeviceState::initial(ctx.profile);
  fresh.enterprise_attestation = false;
  ctx.device = std::move(fresh);
  VFIDO_TRY(ctx.save_device());

  // The PIN/UV auth state of a new power-up (§6.5.5.1 initialize), but the power-up time.
  ctx.vol.reset_pin_uv_auth_tokens(ctx.env.rng);
  ctx.vol.regenerate(pin_uv_auth::ProtocolId::kOne);
  ctx.vol.regenerate(pin_uv_auth::ProtocolId::kTwo);
  ctx.vol.pin_mismatches = 0;
  ctx.session = SessionState{};
  ctx.env.log.write(LogLevel::kInfo, "reset: credentials, PIN, settings and large blobs wiped");
  return ResetResponse{};
}

}  // namespace

Result<ResetRequest> ResetRequest::parse(ByteSpan) { return ResetRequest{}; }

Result<Step<ResetResponse>> reset(Ctx& ctx, const ResetRequest&) {
  // CTAP 2.1 §6.6: a reset later than 10 seconds after power-up is CTAP2_ERR_NOT_ALLOWED (the
  // window is the profile's; 0 means no limit).
  const std::uint64_t window = ctx.profile.reset_window_ms;
  const std::uint64_t now = ctx.now_ms();
  const std::uint64_t up = ctx.vol.power_up_ms();
  if (window != 0 && (now < up || now - up > window)) {
    return ctx.reject(CtapStatus::kNotAllowed, "reset: outside the window after power-up");
  }
  // §6.6: user presence is required before anything is wiped.
  return Step<ResetResponse>{after_touch<ResetResponse>(ctx, PresenceRequest::Purpose::kReset, "reset",
                                                        [&ctx] { return wipe(ctx); })};
}

}  // namespace vfido
