#include "authenticator/commands/pin_uv_auth_param.h"

#include <algorithm>

namespace vfido {
namespace {

std::string at(std::string_view step, std::string_view what) {
  std::string s(step);
  s.append(": ").append(what);
  return s;
}

}  // namespace

bool is_probe(const Ctx& ctx, const std::optional<Bytes>& param) {
  return param && param->empty() && (ctx.profile.client_pin || ctx.profile.pin_uv_auth_token);
}

Result<std::optional<pin_uv_auth::ProtocolId>> param_protocol(const Ctx& ctx, const std::optional<Bytes>& param,
                                                             std::optional<std::uint64_t> protocol,
                                                             std::string_view step) {
  if (!param) return std::optional<pin_uv_auth::ProtocolId>();
  if (!protocol) return ctx.reject(CtapStatus::kMissingParameter, at(step, "pinUvAuthParam without pinUvAuthProtocol"));
  const auto& supported = ctx.profile.pin_uv_auth_protocols;
  auto p = pin_uv_auth::protocol_id(*protocol);
  const bool offered = ctx.profile.client_pin || ctx.profile.built_in_uv.has_value();
  if (!p || !offered || std::find(supported.begin(), supported.end(), *protocol) == supported.end()) {
    return ctx.reject(CtapStatus::kInvalidParameter, at(step, "pinUvAuthProtocol not supported"));
  }
  return std::optional<pin_uv_auth::ProtocolId>(*p);
}

Result<void> verify_token_param(Ctx& ctx, pin_uv_auth::ProtocolId p, ByteSpan message, ByteSpan param,
                                std::string_view step) {
  auto& state = ctx.vol.token_state();
  state.observe(ctx.now_ms());
  if (!state.in_use()) return ctx.reject(CtapStatus::kPinAuthInvalid, at(step, "no pinUvAuthToken in use"));
  if (!pin_uv_auth::verify(p, ctx.vol.token(p), message, param)) {
    return ctx.reject(CtapStatus::kPinAuthInvalid, at(step, "pinUvAuthParam does not verify"));
  }
  return {};
}

Result<void> authorize(Ctx& ctx, pin_uv_auth::ProtocolId p, ByteSpan message, ByteSpan param, std::uint8_t permission,
                       std::optional<std::string_view> rp_id, std::string_view step) {
  VFIDO_TRY(verify_token_param(ctx, p, message, param, step));
  auto& state = ctx.vol.token_state();
  if (!state.has_permission(permission)) {
    return ctx.reject(CtapStatus::kPinAuthInvalid, at(step, "the pinUvAuthToken lacks the permission"));
  }
  if (rp_id && state.rp_id() && *state.rp_id() != *rp_id) {
    return ctx.reject(CtapStatus::kPinAuthInvalid, at(step, "the pinUvAuthToken is bound to another RP ID"));
  }
  state.mark_used();
  return {};
}

}  // namespace vfido
