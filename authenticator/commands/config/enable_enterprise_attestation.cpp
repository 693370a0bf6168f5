// enableEnterpriseAttestation (0x01), CTAP 2.1 §6.11.1.
#include "authenticator/commands/config/subcommands.h"

namespace vfido::authnrcfg {

Result<ConfigResponse> enable_enterprise_attestation(Ctx& ctx, const ConfigRequest&) {
  // Offered only by an enterprise-attestation-capable model (config.cpp). Enabling it twice is
  // not an error.
  VFIDO_TRY(persist(ctx, ctx.device.enterprise_attestation, true));
  ctx.env.log.write(LogLevel::kInfo, "authenticatorConfig: enterprise attestation enabled");
  return ConfigResponse{};
}

}  // namespace vfido::authnrcfg
