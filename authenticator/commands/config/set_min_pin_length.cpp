// setMinPINLength (0x03), CTAP 2.1 §6.11.4.
//
//   newMinPINLength absent                  -> the current minimum (nothing changes)
//   newMinPINLength above 63                -> CTAP1_ERR_INVALID_PARAMETER: no PIN could meet it
//                                              (a PIN is at most 63 bytes, §6.5.1)
//   newMinPINLength below the current one   -> CTAP2_ERR_PIN_POLICY_VIOLATION (it only rises)
//   more minPinLengthRPIDs than maxRPIDsForSetMinPINLength -> CTAP2_ERR_KEY_STORE_FULL (OpenSK's
//                                              status; ⚠ the 2.1 text was not at hand)
//   forceChangePin true and no PIN is set   -> CTAP2_ERR_PIN_NOT_SET
// Then: the minimum is stored; a given RP ID list replaces the old one (the minPinLength
// extension reports the minimum to those RPs); forcePINChange is set when asked for, or when
// the current PIN has fewer code points than the new minimum. A forceChangePin of false does
// not clear a pending forcePINChange. All checks come before any change.
#include "authenticator/commands/config/subcommands.h"

namespace vfido::authnrcfg {
namespace {

constexpr std::uint64_t kMaxPinBytes = 63;  // §6.5.1

}  // namespace

Result<ConfigResponse> set_min_pin_length(Ctx& ctx, const ConfigRequest& req) {
  const SetMinPinLengthParams& params = *req.set_min_pin_length;  // present: checked by config.cpp
  DeviceState& d = ctx.device;
  const std::uint64_t length = params.new_min_pin_length.value_or(d.min_pin_length);
  if (length > kMaxPinBytes) {
    return ctx.reject(CtapStatus::kInvalidParameter, "setMinPINLength: newMinPINLength above 63");
  }
  if (length < d.min_pin_length) {
    return ctx.reject(CtapStatus::kPinPolicyViolation, "setMinPINLength: newMinPINLength below the current minimum");
  }
  if (params.min_pin_length_rp_ids &&
      params.min_pin_length_rp_ids->size() > ctx.profile.max_rp_ids_for_set_min_pin_length) {
    return ctx.reject(CtapStatus::kKeyStoreFull, "setMinPINLength: more RP IDs than maxRPIDsForSetMinPINLength");
  }
  bool force = params.force_change_pin.value_or(false);
  if (force && !d.pin) return ctx.reject(CtapStatus::kPinNotSet, "setMinPINLength: forceChangePin without a PIN");
  if (d.pin && d.pin->code_points < length) force = true;

  const auto old_length = d.min_pin_length;
  const bool old_force = d.force_pin_change;
  std::vector<std::string> old_ids = d.min_pin_length_rp_ids;
  d.min_pin_length = static_cast<std::uint32_t>(length);
  if (params.min_pin_length_rp_ids) d.min_pin_length_rp_ids = *params.min_pin_length_rp_ids;
  if (force) d.force_pin_change = true;
  auto saved = ctx.save_device();
  if (!saved) {
    d.min_pin_length = old_length;
    d.force_pin_change = old_force;
    d.min_pin_length_rp_ids = std::move(old_ids);
    return fail(saved.error());
  }
  ctx.debug("setMinPINLength: minimum " + std::to_string(length) + (force ? ", forcePINChange set" : ""));
  return ConfigResponse{};
}

}  // namespace vfido::authnrcfg
