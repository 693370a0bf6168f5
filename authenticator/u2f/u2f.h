// CTAP1/U2F over CTAPHID_MSG (FIDO U2F Raw Message Formats v1.2; CTAP 2.1 §10, §11.2.9.1.1;
// ctap-reference §11): U2F_VERSION, U2F_REGISTER and U2F_AUTHENTICATE (check-only,
// enforce-user-presence-and-sign, dont-enforce-user-presence-and-sign).
//
// U2F has no keepalive: a register or enforce-authenticate without a recent touch answers
// SW_CONDITIONS_NOT_SATISFIED at once and asks the user; the host retries, and the touch, once
// given, is good for one operation within kTouchValidityMs. U2F credentials are ES256 and
// non-discoverable; the store keeps them under the RP ID "u2f:" + hex(application parameter),
// since U2F never tells the authenticator the RP ID itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "authenticator/attestation.h"
#include "authenticator/bytes.h"
#include "authenticator/commands/context.h"

namespace vfido::u2f {

// How long a touch given for U2F stays usable (the host polls every ~100-200 ms).
inline constexpr std::uint64_t kTouchValidityMs = 10000;

// The RP ID under which a U2F credential for `application` is stored.
std::string u2f_rp_id(ByteSpan application);

struct Outcome {
  Outcome(Bytes r) : response(std::move(r)) {}  // NOLINT: a plain answer converts implicitly
  Outcome(Bytes r, PresenceRequest a) : response(std::move(r)), ask(std::move(a)) {}

  Bytes response;                      // the response APDU (data || SW)
  std::optional<PresenceRequest> ask;  // a touch is needed: ask the user, the host will retry
};

// One U2F command. `attestation` signs registrations (an ES256 attestation key with a P-256
// certificate). Never throws; every failure is a status word.
Outcome handle(Ctx& ctx, ByteSpan apdu, const AttestationMaterial& attestation);

}  // namespace vfido::u2f
