// authenticatorSelection (0x0B), CTAP 2.1 §6.9: the platform asks every connected key for a
// touch and uses the one the user touches.
#pragma once

#include "authenticator/cbor/value.h"
#include "authenticator/commands/context.h"

namespace vfido {

// No parameters (CTAP 2.1 §6.9); any bytes after the command byte are ignored.
struct SelectionRequest {
  static Result<SelectionRequest> parse(ByteSpan params);
};

// Success carries no members: the reply is the status byte alone.
struct SelectionResponse {
  cbor::Value encode() const { return cbor::Value::map(); }
};

// Waits for a touch: touched -> CTAP2_OK, declined -> OPERATION_DENIED, timed out ->
// USER_ACTION_TIMEOUT, CTAPHID_CANCEL -> KEEPALIVE_CANCEL. Changes no state.
Result<Step<SelectionResponse>> selection(Ctx& ctx, const SelectionRequest& req);

}  // namespace vfido
