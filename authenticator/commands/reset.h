// authenticatorReset (0x07), CTAP 2.1 §6.6: back to the state of a new authenticator of this
// model, after a touch, and only shortly after power-up.
//
// What is wiped: every credential (CredentialStore::reset, which also makes the IDs of
// non-discoverable credentials unusable), the PIN and both retry counters, the minimum PIN
// length and its RP ID list, forcePINChange, alwaysUv (back to the profile's first-power-up
// value), enterprise attestation (disabled), the large-blob array (the empty one again), the
// pinUvAuthTokens, the key-agreement keys, the PIN mismatch count, the loaded keys (KeyCache)
// and the session (pending getNextAssertion, large-blob write). The power-up time stays: a reset
// does not reopen the reset window.
#pragma once

#include "authenticator/cbor/value.h"
#include "authenticator/commands/context.h"

namespace vfido {

// No parameters (CTAP 2.1 §6.6); any bytes after the command byte are ignored.
struct ResetRequest {
  static Result<ResetRequest> parse(ByteSpan params);
};

// Success carries no members: the reply is the status byte alone.
struct ResetResponse {
  cbor::Value encode() const { return cbor::Value::map(); }
};

// CTAP 2.1 §6.6: more than profile.reset_window_ms after power-up (Authenticator::power_cycle()
// restarts it) -> CTAP2_ERR_NOT_ALLOWED; otherwise waits for a touch: declined ->
// OPERATION_DENIED, timed out -> USER_ACTION_TIMEOUT, CTAPHID_CANCEL -> KEEPALIVE_CANCEL.
Result<Step<ResetResponse>> reset(Ctx& ctx, const ResetRequest& req);

}  // namespace vfido
