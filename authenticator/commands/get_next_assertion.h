// authenticatorGetNextAssertion (0x08), CTAP 2.1 §6.3: the next credential of the last
// getAssertion that found several discoverable credentials.
//
// Signature counter (ctap-reference §8.4 and §15 item 12): OpenSK reuses the original authData,
// counter included, for every credential. vfido keeps one counter per credential, so each
// response advances the counter of the credential it returns and carries that value: reusing
// another credential's value could present an RP with a counter lower than one it has already
// seen for this credential. Flags (UP) are those of the original getAssertion.
#pragma once

#include "authenticator/commands/context.h"
#include "authenticator/commands/get_assertion.h"

namespace vfido {

// No parameters (CTAP 2.1 §6.3); any bytes after the command byte are ignored.
struct GetNextAssertionRequest {
  static Result<GetNextAssertionRequest> parse(ByteSpan params);
};

// CTAP 2.1 §6.3: CTAP2_ERR_NOT_ALLOWED without remembered state, once every credential was
// returned, or when more than profile.next_assertion_timeout_ms passed since the last
// getAssertion/getNextAssertion.
Result<GetAssertionResponse> get_next_assertion(Ctx& ctx, const GetNextAssertionRequest& req);

}  // namespace vfido
