// toggleAlwaysUv (0x02), CTAP 2.1 §6.11.2.
#include "authenticator/commands/config/subcommands.h"

namespace vfido::authnrcfg {

Result<ConfigResponse> toggle_always_uv(Ctx& ctx, const ConfigRequest&) {
  // getInfo reports the new value (alwaysUv, makeCredUvNotRqd false while it is on, no U2F_V2).
  VFIDO_TRY(persist(ctx, ctx.device.always_uv, !ctx.device.always_uv));
  ctx.env.log.write(LogLevel::kInfo, ctx.device.always_uv ? "authenticatorConfig: alwaysUv on"
                                                           : "authenticatorConfig: alwaysUv off");
  return ConfigResponse{};
}

}  // namespace vfido::authnrcfg
