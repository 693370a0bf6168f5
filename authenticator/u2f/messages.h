// U2F_REGISTER (U2F Raw Message Formats §4) and U2F_AUTHENTICATE (§5), called by u2f.cpp.
#pragma once

#include "authenticator/u2f/apdu.h"
#include "authenticator/u2f/u2f.h"

namespace vfido::u2f {

// Takes the pending touch if there is a fresh one (and clears it): true when the user is present.
bool take_touch(Ctx& ctx);

Outcome register_key(Ctx& ctx, const CommandApdu& cmd, const AttestationMaterial& attestation);
Outcome authenticate(Ctx& ctx, const CommandApdu& cmd);

}  // namespace vfido::u2f
