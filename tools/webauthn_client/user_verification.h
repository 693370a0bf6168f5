// How the client obtains user verification for one request (ctap-reference.md §14.6; CTAP 2.1
// §6.1.2 step 7 and §6.2.2 step 6 from the client side): built-in UV when the authenticator
// has it enrolled (libfido2 then asks for a pinUvAuthToken with getPinUvAuthTokenUsingUv, or
// sets the uv option on a CTAP 2.0 device), otherwise the user's PIN (a token from
// getPinUvAuthTokenUsingPinWithPermissions), never both.
#pragma once

#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "tools/webauthn_client/authenticator_info.h"
#include "tools/webauthn_client/dom_exception.h"
#include "tools/webauthn_client/options.h"

namespace vfido::webauthn {

struct UvPlan {
  bool uv = false;                 // request UV at all
  bool built_in = false;           // by the authenticator's own UV (fido_*_set_uv)
  std::optional<std::string> pin;  // by the PIN (passed to fido_dev_make_cred/get_assert)
  std::string how;                 // for transcripts: "no UV", "built-in UV", "PIN"
};

// `wanted`: the effective user verification requirement is true (WebAuthn §5.1.3 step 22
// "userVerification"); `required`: the RP or the authenticator insists, so failing to get UV
// is an error rather than a fallback to no UV. Errors are NotAllowedError with the reason.
tl::expected<UvPlan, ClientError> plan_user_verification(bool wanted, bool required, const AuthenticatorInfo& info,
                                                         const std::optional<std::string>& pin);

// WebAuthn §5.1.3/§5.1.4 "effective user verification requirement".
bool effective_uv(UserVerification uv, const AuthenticatorInfo& info);

}  // namespace vfido::webauthn
