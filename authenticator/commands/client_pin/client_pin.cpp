#include "authenticator/commands/client_pin/client_pin.h"

#include "authenticator/cbor/map_reader.h"
#include "authenticator/commands/client_pin/subcommands.h"

namespace vfido {
namespace {

// CTAP 2.1 §6.5.5 request keys.
constexpr int kPinUvAuthProtocol = 0x01;
constexpr int kSubCommand = 0x02;
constexpr int kKeyAgreement = 0x03;
constexpr int kPinUvAuthParam = 0x04;
constexpr int kNewPinEnc = 0x05;
constexpr int kPinHashEnc = 0x06;
constexpr int kPermissions = 0x09;
constexpr int kRpId = 0x0A;

template <typename R>
Result<Step<R>> now(Result<R> r) {
  if (!r) return fail(r.error());
  return Step<R>{std::move(*r)};
}

}  // namespace

Result<ClientPinRequest> ClientPinRequest::parse(const cbor::Value& v) {
  auto m = cbor::MapReader::from(v);
  if (!m) return fail(m.error());
  ClientPinRequest r;
  auto protocol = m->optional_uint(kPinUvAuthProtocol);
  if (!protocol) return fail(protocol.error());
  r.pin_uv_auth_protocol = *protocol;
  auto sub = m->required_uint(kSubCommand);
  if (!sub) return fail(sub.error());
  r.sub_command = *sub;
  auto ka = m->optional_map(kKeyAgreement);
  if (!ka) return fail(ka.error());
  if (*ka != nullptr) r.key_agreement = **ka;
  for (auto [key, field] : {std::pair{kPinUvAuthParam, &r.pin_uv_auth_param}, std::pair{kNewPinEnc, &r.new_pin_enc},
                            std::pair{kPinHashEnc, &r.pin_hash_enc}}) {
    auto b = m->optional_bytes(key);
    if (!b) return fail(b.error());
    *field = std::move(*b);
  }
  auto perms = m->optional_uint(kPermissions);
  if (!perms) return fail(perms.error());
  r.permissions = *perms;
  auto rp = m->optional_text(kRpId);
  if (!rp) return fail(rp.error());
  r.rp_id = std::move(*rp);
  return r;
}

cbor::Value ClientPinResponse::encode() const {
  cbor::Value m = cbor::Value::map();
  if (key_agreement) m.set(0x01, *key_agreement);
  if (pin_uv_auth_token) m.set(0x02, cbor::Value::bytes(*pin_uv_auth_token));
  if (pin_retries) m.set(0x03, cbor::Value::uint(*pin_retries));
  if (power_cycle_state) m.set(0x04, cbor::Value::boolean(*power_cycle_state));
  if (uv_retries) m.set(0x05, cbor::Value::uint(*uv_retries));
  return m;
}

// Whether the profile offers `sub` (CTAP 2.1 §6.5.5: 0x06/0x07 need built-in UV, 0x06/0x09 the
// pinUvAuthToken feature, the PIN subcommands clientPin).
static bool offered(const AuthenticatorProfile& p, std::uint64_t sub) {
  using Sub = ClientPinSubcommand;
  const bool uv = p.built_in_uv.has_value();
  switch (static_cast<Sub>(sub)) {
    case Sub::kGetPinRetries:
    case Sub::kSetPin:
    case Sub::kChangePin:
    case Sub::kGetPinToken: return p.client_pin;
    case Sub::kGetKeyAgreement: return p.client_pin || uv;
    case Sub::kGetPinUvAuthTokenUsingUvWithPermissions: return uv && p.pin_uv_auth_token;
    case Sub::kGetUvRetries: return uv;
    case Sub::kGetPinUvAuthTokenUsingPinWithPermissions: return p.client_pin && p.pin_uv_auth_token;
  }
  return false;
}

Result<Step<ClientPinResponse>> client_pin(Ctx& ctx, const ClientPinRequest& req) {
  using Sub = ClientPinSubcommand;
  // CTAP 2.1 §6.5.5: an unknown subCommand, or one this model lacks, is
  // CTAP2_ERR_INVALID_SUBCOMMAND (§8.2).
  if (!offered(ctx.profile, req.sub_command)) {
    return ctx.reject(CtapStatus::kInvalidSubcommand, "clientPIN: subCommand not offered by this model");
  }
  switch (static_cast<Sub>(req.sub_command)) {
    case Sub::kGetPinRetries: return now(clientpin::get_pin_retries(ctx, req));
    case Sub::kGetKeyAgreement: return now(clientpin::get_key_agreement(ctx, req));
    case Sub::kSetPin: return now(clientpin::set_pin(ctx, req));
    case Sub::kChangePin: return now(clientpin::change_pin(ctx, req));
    case Sub::kGetPinToken: return now(clientpin::get_pin_token(ctx, req));
    case Sub::kGetPinUvAuthTokenUsingUvWithPermissions: return clientpin::get_pin_uv_auth_token_using_uv(ctx, req);
    case Sub::kGetUvRetries: return now(clientpin::get_uv_retries(ctx, req));
    case Sub::kGetPinUvAuthTokenUsingPinWithPermissions: return now(clientpin::get_pin_uv_auth_token_using_pin(ctx, req));
  }
  return ctx.reject(CtapStatus::kInvalidSubcommand, "clientPIN: unknown subCommand");
}

}  // namespace vfido
