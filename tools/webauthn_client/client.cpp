// Client: the checks shared by create() and get() (create.cpp, get.cpp hold the ceremonies).
#include "tools/webauthn_client/client_data.h"
#include "tools/webauthn_client/rp_id.h"
#include "tools/webauthn_client/webauthn_client.h"

namespace vfido::webauthn {

tl::expected<std::string, ClientError> Client::check_rp_id(const CallerContext& caller,
                                                           const std::optional<std::string>& rp_id) const {
  return determine_rp_id(profile_, caller, rp_id, psl_, fetcher_);
}

std::string Client::client_data_json(std::string_view type, const CallerContext& caller, ByteSpan challenge) const {
  CollectedClientData c;
  c.type = std::string(type);
  c.challenge = Bytes(challenge.begin(), challenge.end());
  // WebAuthn §5.1.3 step 13 / §5.1.4.1 step 12: origin, crossOrigin = !sameOriginWithAncestors,
  // topOrigin only for cross-origin callers. The extension profile speaks for the top-level page.
  c.origin = ceremony_origin(profile_, caller).serialize();
  c.cross_origin = !profile_.origin_from_top_level && !caller.same_origin_with_ancestors();
  if (c.cross_origin) c.top_origin = caller.top_level().serialize();
  return serialize_client_data(c);
}

}  // namespace vfido::webauthn
