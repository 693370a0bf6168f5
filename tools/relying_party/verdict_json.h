// The RP emulator's verdict on a registration or an assertion as JSON, in the vocabulary of
// @simplewebauthn/server (verified, fmt, aaguid, counter, userVerified, credentialDeviceType,
// backedUp), so that an independent verifier's result can be compared with it member by member
// (tests/interop/simplewebauthn/check.mjs). A refusal is {"verified": false, "reason": ...}.
#pragma once

#include <nlohmann/json.hpp>

#include "tools/relying_party/relying_party.h"

namespace vfido::rp {

// With `trusted` set, also "trusted": whether the x5c chain reached a metadata root.
nlohmann::json registration_verdict_json(const tl::expected<RegistrationResult, RpError>& v, bool with_trust);
nlohmann::json authentication_verdict_json(const tl::expected<AuthenticationResult, RpError>& v);

}  // namespace vfido::rp
