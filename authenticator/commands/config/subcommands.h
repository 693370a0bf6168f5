// The authenticatorConfig subcommand handlers (one .cpp each), called by config.cpp once the
// request is authorized.
#pragma once

#include <utility>

#include "authenticator/commands/config/config.h"

namespace vfido::authnrcfg {

// §6.11.1: enterprise attestation enabled (it stays enabled until authenticatorReset).
Result<ConfigResponse> enable_enterprise_attestation(Ctx& ctx, const ConfigRequest& req);  // 0x01
// §6.11.2: alwaysUv switched on or off.
Result<ConfigResponse> toggle_always_uv(Ctx& ctx, const ConfigRequest& req);               // 0x02
// §6.11.4: see set_min_pin_length.cpp.
Result<ConfigResponse> set_min_pin_length(Ctx& ctx, const ConfigRequest& req);             // 0x03

// Sets `field` to `value` and saves the device state; on a failed save the old value is back.
template <typename T>
Result<void> persist(Ctx& ctx, T& field, T value) {
  T old = std::exchange(field, std::move(value));
  auto saved = ctx.save_device();
  if (!saved) field = std::move(old);
  return saved;
}

}  // namespace vfido::authnrcfg
