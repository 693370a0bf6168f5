// The steps the credentialManagement subcommands share (subcommands.h). Step numbers follow the
// subcommands of CTAP 2.1 §6.8.2-§6.8.6, which open alike.
#include <algorithm>

#include "authenticator/commands/credential_management/subcommands.h"
#include "authenticator/commands/pin_uv_auth_param.h"

namespace vfido::credman {

Result<std::optional<std::string>> authorize_cm(Ctx& ctx, const Request& req, bool params_present,
                                                std::string_view step) {
  std::string at(step);
  // Step 1: pinUvAuthParam absent -> CTAP2_ERR_PUAT_REQUIRED (whether or not a PIN is set).
  if (!req.pin_uv_auth_param) return ctx.reject(CtapStatus::kPuatRequired, at + " step 1: no pinUvAuthParam");
  // Step 2: a mandatory subCommandParams member is absent -> MISSING_PARAMETER.
  if (!params_present) return ctx.reject(CtapStatus::kMissingParameter, at + " step 2: missing subCommandParams member");
  // Steps 2-3: pinUvAuthProtocol absent -> MISSING_PARAMETER; not supported -> INVALID_PARAMETER.
  auto protocol = param_protocol(ctx, req.pin_uv_auth_param, req.pin_uv_auth_protocol, at + " steps 2-3");
  if (!protocol) return fail(protocol.error());
  // Steps 4-5: verify(pinUvAuthToken, subCommand || subCommandParams, pinUvAuthParam), and the
  // token must have the cm permission; either failing -> PIN_AUTH_INVALID. The permissions RP
  // ID is the subcommand's business.
  ByteWriter message(1 + req.sub_command_params_cbor.size());
  message.u8(static_cast<std::uint8_t>(req.sub_command)).bytes(req.sub_command_params_cbor);
  VFIDO_TRY(authorize(ctx, **protocol, message.view(), *req.pin_uv_auth_param, pin_uv_auth::permission::kCm,
                      std::nullopt, at + " steps 4-5"));
  return ctx.vol.token_state().rp_id();
}

Result<std::vector<CredentialRecord>> authorize_for_all_rps(Ctx& ctx, const Request& req, std::string_view step) {
  auto bound = authorize_cm(ctx, req, true, step);
  if (!bound) return fail(bound.error());
  if (*bound) return ctx.reject(CtapStatus::kPinAuthInvalid, std::string(step) + ": the pinUvAuthToken is bound to an RP ID");
  auto all = ctx.env.store.list_discoverable();
  if (!all) return ctx.reject(to_ctap_status(all.error()), std::string(step) + ": store listing failed");
  return std::move(*all);
}

Result<std::optional<CredentialRecord>> find_discoverable_by_id(Ctx& ctx, ByteSpan id, std::string_view step) {
  auto all = ctx.env.store.list_discoverable();
  if (!all) return ctx.reject(to_ctap_status(all.error()), std::string(step) + ": store listing failed");
  auto it = std::find_if(all->begin(), all->end(),
                         [&](const CredentialRecord& c) { return std::equal(c.id.begin(), c.id.end(), id.begin(), id.end()); });
  if (it == all->end()) return std::optional<CredentialRecord>();
  return std::optional<CredentialRecord>(std::move(*it));
}

Result<CredentialRecord> credential_for_update(Ctx& ctx, const Request& req, const std::optional<std::string>& bound_rp,
                                               std::string_view step) {
  std::string at(step);
  // Only PublicKeyCredentialDescriptors of type "public-key" name credentials (WebAuthn §5.8.3).
  std::optional<CredentialRecord> cred;
  if (req.credential_id->is_public_key()) {
    auto found = find_discoverable_by_id(ctx, req.credential_id->id, step);
    if (!found) return fail(found.error());
    cred = std::move(*found);
  }
  // Step 6: a token with a permissions RP ID only for credentials of that RP.
  if (bound_rp && (!cred || cred->rp_id != *bound_rp)) {
    return ctx.reject(CtapStatus::kPinAuthInvalid, at + " step 6: the pinUvAuthToken is bound to another RP ID");
  }
  // Step 7: no such discoverable credential -> NO_CREDENTIALS.
  if (!cred) return ctx.reject(CtapStatus::kNoCredentials, at + " step 7: no such credential");
  return std::move(*cred);
}

bool enumeration_alive(Ctx& ctx, std::uint64_t last_ms) {
  auto& token = ctx.vol.token_state();
  token.observe(ctx.now_ms());
  const std::uint64_t now = ctx.now_ms();
  return token.in_use() && !(now >= last_ms && now - last_ms > kEnumerationTimeoutMs);
}

}  // namespace vfido::credman
