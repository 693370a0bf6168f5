// base64url without padding (RFC 4648 §5), the encoding WebAuthn uses for credential IDs and
// user handles in JSON; used by `vfido creds` export/import and listings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "authenticator/bytes.h"

namespace vfido::credstore {

std::string base64url_encode(ByteSpan bytes);
// Strict: only the base64url alphabet, no padding, no whitespace, no non-zero trailing bits.
std::optional<Bytes> base64url_decode(std::string_view text);

}  // namespace vfido::credstore
