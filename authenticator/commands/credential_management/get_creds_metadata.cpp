// getCredsMetadata (0x01, CTAP 2.1 §6.8.2): how many discoverable credentials exist and how
// many more fit.
#include "authenticator/commands/credential_management/subcommands.h"

namespace vfido::credman {

Result<Response> get_creds_metadata(Ctx& ctx, const Request& req) {
  // Steps 1-6; the counts cover every RP, so the token must have no permissions RP ID.
  auto all = authorize_for_all_rps(ctx, req, "getCredsMetadata");
  if (!all) return fail(all.error());
  auto remaining = ctx.env.store.remaining_discoverable();
  if (!remaining) return ctx.reject(to_ctap_status(remaining.error()), "getCredsMetadata: store capacity unknown");
  Response r;
  r.existing_resident_credentials_count = all->size();
  r.max_possible_remaining_resident_credentials_count = *remaining;
  return r;
}

}  // namespace vfido::credman
