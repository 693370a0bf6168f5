#include "authenticator/commands/config/config.h"

#include "authenticator/cbor/codec.h"
#include "authenticator/cbor/map_reader.h"
#include "authenticator/commands/config/subcommands.h"
#include "authenticator/commands/pin_uv_auth_param.h"
#include "authenticator/pin_uv_auth/token_state.h"

namespace vfido {
namespace {

// CTAP 2.1 §6.11 request keys.
constexpr int kSubCommand = 0x01;
constexpr int kSubCommandParams = 0x02;
constexpr int kPinUvAuthProtocol = 0x03;
constexpr int kPinUvAuthParam = 0x04;
constexpr std::uint8_t kConfigCommand = 0x0D;

// Whether this model implements `sub` (§6.11: enableEnterpriseAttestation only with the
// enterprise attestation feature, setMinPINLength only with the setMinPINLength option;
// toggleAlwaysUv comes with authnrCfg itself).
bool offered(const AuthenticatorProfile& p, std::uint64_t sub) {
  using Sub = ConfigSubcommand;
  switch (sub) {
    case static_cast<std::uint64_t>(Sub::kEnableEnterpriseAttestation): return p.enterprise_attestation.has_value();
    case static_cast<std::uint64_t>(Sub::kToggleAlwaysUv): return true;
    case static_cast<std::uint64_t>(Sub::kSetMinPinLength): return p.set_min_pin_length;
    default: return false;
  }
}

// §6.11 steps 3-4: the pinUvAuthParam, required when the device is protected by a PIN or
// built-in UV, or when alwaysUv is on; toggleAlwaysUv is exempt from the alwaysUv condition, so
// that an unprotected device can switch alwaysUv off again (OpenSK does the same).
Result<void> authorize_config(Ctx& ctx, const ConfigRequest& req) {
  const bool toggle = req.sub_command == static_cast<std::uint64_t>(ConfigSubcommand::kToggleAlwaysUv);
  if (!ctx.is_protected() && (toggle || !ctx.device.always_uv)) return {};
  if (!req.pin_uv_auth_param) {
    return ctx.reject(CtapStatus::kPuatRequired, "authenticatorConfig step 4.1: no pinUvAuthParam");
  }
  auto p = param_protocol(ctx, req.pin_uv_auth_param, req.pin_uv_auth_protocol, "authenticatorConfig step 4.2-4.3");
  if (!p) return fail(p.error());
  // 32 x 0xff || 0x0d || uint8(subCommand) || subCommandParams. The request was strict
  // canonical CBOR, so encoding the decoded map again gives the bytes the platform sent.
  ByteWriter msg(64);
  for (int i = 0; i < 32; ++i) msg.u8(0xFF);
  msg.u8(kConfigCommand).u8(static_cast<std::uint8_t>(req.sub_command));
  if (req.sub_command_params) {
    auto params = cbor::encode(*req.sub_command_params);
    if (!params) return ctx.reject(CtapStatus::kOther, "authenticatorConfig: subCommandParams do not encode");
    msg.bytes(*params);
  }
  return authorize(ctx, **p, msg.view(), *req.pin_uv_auth_param, pin_uv_auth::permission::kAcfg, std::nullopt,
                   "authenticatorConfig step 4.4-4.5");
}

}  // namespace

Result<SetMinPinLengthParams> SetMinPinLengthParams::parse(const cbor::Value& v) {
  auto m = cbor::MapReader::from(v);
  if (!m) return fail(m.error());
  SetMinPinLengthParams r;
  auto length = m->optional_uint(0x01);
  if (!length) return fail(length.error());
  r.new_min_pin_length = *length;
  auto ids = m->optional_array(0x02);
  if (!ids) return fail(ids.error());
  if (*ids != nullptr) {
    std::vector<std::string> list;
    for (const auto& id : **ids) {
      if (!id.is_text()) return fail(CtapStatus::kCborUnexpectedType);
      list.push_back(id.as_text());
    }
    r.min_pin_length_rp_ids = std::move(list);
  }
  auto force = m->optional_bool(0x03);
  if (!force) return fail(force.error());
  r.force_change_pin = *force;
  return r;
}

Result<ConfigRequest> ConfigRequest::parse(const cbor::Value& v) {
  auto m = cbor::MapReader::from(v);
  if (!m) return fail(m.error());
  ConfigRequest r;
  auto sub = m->required_uint(kSubCommand);
  if (!sub) return fail(sub.error());
  r.sub_command = *sub;
  auto params = m->optional_map(kSubCommandParams);
  if (!params) return fail(params.error());
  if (*params != nullptr) r.sub_command_params = **params;
  auto protocol = m->optional_uint(kPinUvAuthProtocol);
  if (!protocol) return fail(protocol.error());
  r.pin_uv_auth_protocol = *protocol;
  auto param = m->optional_bytes(kPinUvAuthParam);
  if (!param) return fail(param.error());
  r.pin_uv_auth_param = std::move(*param);
  if (r.sub_command == static_cast<std::uint64_t>(ConfigSubcommand::kSetMinPinLength) && r.sub_command_params) {
    auto p = SetMinPinLengthParams::parse(*r.sub_command_params);
    if (!p) return fail(p.error());
    r.set_min_pin_length = std::move(*p);
  }
  return r;
}

Result<ConfigResponse> authenticator_config(Ctx& ctx, const ConfigRequest& req) {
  using Sub = ConfigSubcommand;
  // Step 2: a subCommand this model does not implement is CTAP1_ERR_INVALID_PARAMETER (OpenSK
  // answers unsupported enterprise attestation and vendorPrototype so; a CTAP 2.2
  // implementation cites §6.11 step 2 for unknown values too).
  if (!offered(ctx.profile, req.sub_command)) {
    return ctx.reject(CtapStatus::kInvalidParameter, "authenticatorConfig step 2: subCommand not offered");
  }
  if (req.sub_command == static_cast<std::uint64_t>(Sub::kSetMinPinLength) && !req.set_min_pin_length) {
    return ctx.reject(CtapStatus::kMissingParameter, "setMinPINLength: no subCommandParams");
  }
  VFIDO_TRY(authorize_config(ctx, req));
  switch (static_cast<Sub>(req.sub_command)) {
    case Sub::kEnableEnterpriseAttestation: return authnrcfg::enable_enterprise_attestation(ctx, req);
    case Sub::kToggleAlwaysUv: return authnrcfg::toggle_always_uv(ctx, req);
    case Sub::kSetMinPinLength: return authnrcfg::set_min_pin_length(ctx, req);
    case Sub::kVendorPrototype: break;
  }
  return ctx.reject(CtapStatus::kInvalidParameter, "authenticatorConfig: subCommand not offered");
}

}  // namespace vfido
