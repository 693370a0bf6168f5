// Extension inputs of makeCredential and getAssertion (CTAP 2.1 §12), parsed from the request's
// extensions map. Only extensions the profile lists are read; the rest are ignored (§6.1.2 step
// 15). Processing lives in extensions.h; this header has no dependency on the command context,
// so the session state can hold parsed inputs for getNextAssertion.
#pragma once

#include <cstdint>
#include <optional>

#include "authenticator/cbor/value.h"
#include "authenticator/extensions/hmac_secret.h"
#include "authenticator/profile.h"

namespace vfido {

// CTAP 2.1 §12.1 credProtect levels.
namespace cred_protect {
inline constexpr std::uint8_t kUvOptional = 1;
inline constexpr std::uint8_t kUvOptionalWithCredentialIdList = 2;
inline constexpr std::uint8_t kUvRequired = 3;
}  // namespace cred_protect

struct MakeCredentialExtensions {
  std::optional<std::uint8_t> cred_protect;
  bool hmac_secret = false;
  std::optional<Bytes> cred_blob;
  bool large_blob_key = false;
  bool min_pin_length = false;

  // Wrong types are CBOR_UNEXPECTED_TYPE; a credProtect level outside 1..3 and largeBlobKey
  // false are CTAP2_ERR_INVALID_OPTION (⚠ the spec text available to us names no status for
  // these; OpenSK-like behaviour).
  static Result<MakeCredentialExtensions> parse(const AuthenticatorProfile& profile, const std::optional<cbor::Value>& map);
};

struct GetAssertionExtensions {
  std::optional<HmacSecretInput> hmac_secret;
  bool cred_blob = false;
  bool large_blob_key = false;

  static Result<GetAssertionExtensions> parse(const AuthenticatorProfile& profile, const std::optional<cbor::Value>& map);
};

}  // namespace vfido
