// deleteCredential (0x06, CTAP 2.1 §6.8.5): removes one discoverable credential.
#include "authenticator/commands/credential_management/subcommands.h"

namespace vfido::credman {

Result<Response> delete_credential(Ctx& ctx, const Request& req) {
  // Steps 1-5 (credentialID is mandatory).
  auto bound = authorize_cm(ctx, req, req.credential_id.has_value(), "deleteCredential");
  if (!bound) return fail(bound.error());
  // Steps 6-7: the RP binding, then NO_CREDENTIALS for an unknown ID.
  auto cred = credential_for_update(ctx, req, *bound, "deleteCredential");
  if (!cred) return fail(cred.error());
  // Step 8: delete it.
  auto removed = ctx.env.store.remove(cred->id);
  if (!removed) return ctx.reject(to_ctap_status(removed.error()), "deleteCredential step 8: store removal failed");
  ctx.debug("deleteCredential: removed a credential of " + cred->rp_id);
  return Response{};
}

}  // namespace vfido::credman
