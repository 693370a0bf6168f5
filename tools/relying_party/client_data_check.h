// §7.1 steps 5-12 / §7.2 steps 8-15: parsing clientDataJSON and checking type, challenge,
// origin, crossOrigin and topOrigin against what the relying party expects.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "tools/relying_party/relying_party.h"

namespace vfido::rp {

struct CheckedClientData {
  std::string origin;
  bool cross_origin = false;
  std::string top_origin;
};

tl::expected<CheckedClientData, RpError> check_client_data(ByteSpan client_data_json, std::string_view type,
                                                           ByteSpan challenge, const RelyingPartyConfig& rp);

}  // namespace vfido::rp
