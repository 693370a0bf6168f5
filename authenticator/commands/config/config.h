// authenticatorConfig (0x0D), CTAP 2.1 §6.11: the request, the response and the dispatcher.
// One file per subcommand in this folder: enableEnterpriseAttestation (§6.11.1), toggleAlwaysUv
// (§6.11.2), setMinPINLength (§6.11.4). Every change is saved through ctx.save_device() and
// left undone in memory when the save fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "authenticator/cbor/value.h"
#include "authenticator/commands/context.h"

namespace vfido {

// CTAP 2.1 §6.11 subCommand values.
enum class ConfigSubcommand : std::uint8_t {
  kEnableEnterpriseAttestation = 0x01,
  kToggleAlwaysUv = 0x02,
  kSetMinPinLength = 0x03,
  kVendorPrototype = 0xFF,  // never offered
};

// CTAP 2.1 §6.11.4 subCommandParams of setMinPINLength; every member is optional.
struct SetMinPinLengthParams {
  std::optional<std::uint64_t> new_min_pin_length;                // 0x01
  std::optional<std::vector<std::string>> min_pin_length_rp_ids;  // 0x02
  std::optional<bool> force_change_pin;                           // 0x03

  static Result<SetMinPinLengthParams> parse(const cbor::Value& v);
};

// CTAP 2.1 §6.11 request map. Types are checked here (for setMinPINLength its parameters too);
// which members a subcommand needs is checked by the dispatcher.
struct ConfigRequest {
  std::uint64_t sub_command = 0;                         // 0x01 (required)
  std::optional<cbor::Value> sub_command_params;         // 0x02 (a map), as sent: it is authenticated
  std::optional<std::uint64_t> pin_uv_auth_protocol;     // 0x03
  std::optional<Bytes> pin_uv_auth_param;                // 0x04
  std::optional<SetMinPinLengthParams> set_min_pin_length;  // 0x02 decoded, for subCommand 0x03

  static Result<ConfigRequest> parse(const cbor::Value& v);
};

// Success carries no members: the reply is the status byte alone.
struct ConfigResponse {
  cbor::Value encode() const { return cbor::Value::map(); }
};

// CTAP 2.1 §6.11:
//   a subCommand this model does not offer (enterprise attestation without the ep capability,
//   setMinPINLength without the option, vendorPrototype, unknown values) -> INVALID_PARAMETER
//   setMinPINLength without subCommandParams                             -> MISSING_PARAMETER
//   a PIN is set (or built-in UV is enrolled), or alwaysUv is on and the subCommand is not
//   toggleAlwaysUv: no pinUvAuthParam -> PUAT_REQUIRED; no/unsupported pinUvAuthProtocol ->
//   MISSING_PARAMETER/INVALID_PARAMETER; the parameter does not verify over
//   32x0xff || 0x0d || uint8(subCommand) || subCommandParams, or the token lacks acfg ->
//   PIN_AUTH_INVALID
//   then the subcommand's own rules (subcommands.h).
Result<ConfigResponse> authenticator_config(Ctx& ctx, const ConfigRequest& req);

}  // namespace vfido
