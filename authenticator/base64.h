// Base64 (RFC 4648 §4) and base64url (RFC 4648 §5), the one implementation vfido has (stores,
// control API, hybrid contact IDs, WebAuthn). WebAuthn uses base64url without '=' padding for
// challenges, credential IDs and the JSON forms of credentials (WebAuthn L3 §3
// "Base64url Encoding"), standard base64 with padding for the DER certificates of FIDO metadata
// statements (FIDO MDS 3.0 §3.1 attestationRootCertificates).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "authenticator/bytes.h"

namespace vfido {

// RFC 4648 §5 alphabet, no padding, no line breaks (WebAuthn L3 §3).
std::string base64url_encode(ByteSpan bytes);
// Strict: only the base64url alphabet, no padding, no whitespace, and the unused low bits of
// the last character must be zero (RFC 4648 §3.5 canonical encoding). nullopt otherwise.
std::optional<Bytes> base64url_decode(std::string_view text);

// RFC 4648 §4 with '=' padding.
std::string base64_encode(ByteSpan bytes);
// Standard alphabet; the padding may be present (then it must be right) or left out.
std::optional<Bytes> base64_decode(std::string_view text);

}  // namespace vfido
