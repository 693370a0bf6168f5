// getKeyAgreement (0x02), CTAP 2.1 §6.5.5.4: the authenticator's key-agreement public key for
// the selected protocol.
#include "authenticator/commands/client_pin/pin_check.h"
#include "authenticator/commands/client_pin/subcommands.h"

namespace vfido::clientpin {

Result<ClientPinResponse> get_key_agreement(Ctx& ctx, const ClientPinRequest& req) {
  // Steps 3-4: pinUvAuthProtocol missing -> MISSING_PARAMETER, unsupported -> INVALID_PARAMETER.
  auto p = selected_protocol(ctx, req, "getKeyAgreement");
  if (!p) return fail(p.error());
  auto key = ctx.vol.key_agreement(*p, ctx.env.rng);
  if (!key) return ctx.reject(CtapStatus::kOther, "getKeyAgreement: key generation failed");
  // Step 5: keyAgreement = getPublicKey().
  ClientPinResponse r;
  r.key_agreement = pin_uv_auth::key_agreement_cose(**key);
  return r;
}

}  // namespace vfido::clientpin
