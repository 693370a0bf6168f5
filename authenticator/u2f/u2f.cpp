#include "authenticator/u2f/u2f.h"

#include "authenticator/u2f/apdu.h"
#include "authenticator/u2f/messages.h"

namespace vfido::u2f {

std::string u2f_rp_id(ByteSpan application) { return "u2f:" + to_hex(application); }

Outcome handle(Ctx& ctx, ByteSpan apdu, const AttestationMaterial& attestation) {
  auto cmd = parse_apdu(apdu);
  // U2F Raw Message Formats §3: lengths that do not add up -> SW_WRONG_LENGTH.
  if (!cmd) return {response(StatusWord::kWrongLength)};
  // §3.1: CLA must be 0 -> SW_CLA_NOT_SUPPORTED.
  if (cmd->cla != 0) return {response(StatusWord::kClaNotSupported)};
  switch (cmd->ins) {
    case ins::kVersion:
      // §6.1: the version string "U2F_V2", no data in the request.
      if (!cmd->data.empty()) return {response(StatusWord::kWrongLength)};
      return {response(as_span("U2F_V2"), StatusWord::kNoError)};
    case ins::kRegister:
    case ins::kAuthenticate:
      // CTAP 2.1 §6.11.2: with alwaysUv on, CTAP1 is disabled (OpenSK: SW_COMMAND_NOT_ALLOWED).
      if (ctx.device.always_uv) return {response(StatusWord::kCommandNotAllowed)};
      return cmd->ins == ins::kRegister ? register_key(ctx, *cmd, attestation) : authenticate(ctx, *cmd);
    default:
      return {response(StatusWord::kInsNotSupported)};
  }
}

}  // namespace vfido::u2f
