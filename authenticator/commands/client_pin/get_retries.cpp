// getPINRetries (0x01, CTAP 2.1 §6.5.5.2) and getUVRetries (0x07, §6.5.5.3).
#include "authenticator/commands/client_pin/subcommands.h"

namespace vfido::clientpin {

Result<ClientPinResponse> get_pin_retries(Ctx& ctx, const ClientPinRequest&) {
  ClientPinResponse r;
  r.pin_retries = ctx.device.pin_retries;
  // powerCycleState: true when PIN operations are blocked until the next power cycle.
  r.power_cycle_state = ctx.vol.pin_mismatches >= 3;
  return r;
}

Result<ClientPinResponse> get_uv_retries(Ctx& ctx, const ClientPinRequest&) {
  ClientPinResponse r;
  r.uv_retries = ctx.device.uv_retries;
  return r;
}

}  // namespace vfido::clientpin
