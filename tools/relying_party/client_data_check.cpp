#include "tools/relying_party/client_data_check.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "authenticator/base64.h"

namespace vfido::rp {

tl::expected<CheckedClientData, RpError> check_client_data(ByteSpan client_data_json, std::string_view type,
                                                           ByteSpan challenge, const RelyingPartyConfig& rp) {
  using Fail = tl::unexpected<RpError>;
  // Steps 5-6: UTF-8 decode (a leading BOM stripped) and parse.
  std::string text(client_data_json.begin(), client_data_json.end());
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  nlohmann::json c = nlohmann::json::parse(text, nullptr, false);
  if (c.is_discarded() || !c.is_object()) {
    return Fail(RpError{RpErrorCode::kMalformedClientData, "clientDataJSON is not a UTF-8 JSON object"});
  }
  auto str = [&](const char* k) -> std::optional<std::string> {
    auto it = c.find(k);
    if (it == c.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto t = str("type");
  auto ch = str("challenge");
  auto origin = str("origin");
  if (!t || !ch || !origin) {
    return Fail(RpError{RpErrorCode::kMalformedClientData, "clientDataJSON lacks type, challenge or origin strings"});
  }
  // Step 7: the type.
  if (*t != type) {
    return Fail(RpError{RpErrorCode::kWrongType, "clientDataJSON.type is \"" + *t + "\", expected \"" + std::string(type) + "\""});
  }
  // Step 8: the challenge, compared as base64url text.
  const std::string expected = vfido::base64url_encode(challenge);
  if (*ch != expected) {
    return Fail(RpError{RpErrorCode::kChallengeMismatch, "clientDataJSON.challenge " + *ch + " is not the issued challenge " + expected});
  }
  // Step 9: the origin.
  if (std::find(rp.origins.begin(), rp.origins.end(), *origin) == rp.origins.end()) {
    std::string allowed;
    for (const auto& o : rp.origins) allowed += (allowed.empty() ? "" : ", ") + o;
    return Fail(RpError{RpErrorCode::kOriginNotAllowed, "origin " + *origin + " is not one of the RP's origins (" + allowed + ")"});
  }
  CheckedClientData out;
  out.origin = *origin;
  // Steps 10-11: crossOrigin and topOrigin.
  if (auto it = c.find("crossOrigin"); it != c.end()) {
    if (!it->is_boolean()) return Fail(RpError{RpErrorCode::kMalformedClientData, "clientDataJSON.crossOrigin is not a boolean"});
    out.cross_origin = it->get<bool>();
  }
  if (out.cross_origin && !rp.allow_cross_origin) {
    return Fail(RpError{RpErrorCode::kCrossOriginNotAllowed, "the ceremony ran in a cross-origin frame and the RP expects none"});
  }
  if (auto it = c.find("topOrigin"); it != c.end()) {
    if (!it->is_string()) return Fail(RpError{RpErrorCode::kMalformedClientData, "clientDataJSON.topOrigin is not a string"});
    out.top_origin = it->get<std::string>();
    if (!rp.allow_cross_origin) {
      return Fail(RpError{RpErrorCode::kCrossOriginNotAllowed, "topOrigin " + out.top_origin + " present and the RP expects no frames"});
    }
    if (std::find(rp.top_origins.begin(), rp.top_origins.end(), out.top_origin) == rp.top_origins.end()) {
      return Fail(RpError{RpErrorCode::kCrossOriginNotAllowed, "topOrigin " + out.top_origin + " is not a page the RP expects to be framed in"});
    }
  }
  return out;
}

}  // namespace vfido::rp
