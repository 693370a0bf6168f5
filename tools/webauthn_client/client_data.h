// CollectedClientData and its JSON-compatible serialization (WebAuthn L3 §5.8.1, §5.8.1.1): the
// exact bytes of clientDataJSON, whose SHA-256 is the CTAP clientDataHash.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "authenticator/bytes.h"
#include "authenticator/crypto/hash.h"

namespace vfido::webauthn {

struct CollectedClientData {
  std::string type;                      // "webauthn.create" or "webauthn.get"
  Bytes challenge;                       // serialized as base64url
  std::string origin;                    // the ASCII serialization of the caller's origin
  bool cross_origin = false;             // !sameOriginWithAncestors
  std::optional<std::string> top_origin;  // only when cross_origin
};

inline constexpr std::string_view kTypeCreate = "webauthn.create";
inline constexpr std::string_view kTypeGet = "webauthn.get";

// §5.8.1.1 CCDToString: a JSON string where U+0020, U+0021, U+0023-U+005B and U+005D-U+10FFFF
// stay as UTF-8, '"' and '\' are escaped with a backslash, and everything else is \u plus four
// lower-case hex digits.
std::string ccd_to_string(std::string_view s);

// §5.8.1.1 serialization: {"type":..,"challenge":..,"origin":..,"crossOrigin":..[,"topOrigin":..]}
// in that order, crossOrigin always written.
std::string serialize_client_data(const CollectedClientData& c);

// The CTAP clientDataHash.
inline crypto::Sha256Digest client_data_hash(std::string_view json) { return crypto::sha256(as_span(json)); }

}  // namespace vfido::webauthn
