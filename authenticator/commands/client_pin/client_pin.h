// authenticatorClientPIN (0x06), CTAP 2.1 §6.5: the request, the response and the dispatcher.
// One file per subcommand in this folder; pin_check.h holds the steps they share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "authenticator/cbor/value.h"
#include "authenticator/commands/context.h"

namespace vfido {

// CTAP 2.1 §6.5.5 subCommand values.
enum class ClientPinSubcommand : std::uint8_t {
  kGetPinRetries = 0x01,
  kGetKeyAgreement = 0x02,
  kSetPin = 0x03,
  kChangePin = 0x04,
  kGetPinToken = 0x05,
  kGetPinUvAuthTokenUsingUvWithPermissions = 0x06,
  kGetUvRetries = 0x07,
  kGetPinUvAuthTokenUsingPinWithPermissions = 0x09,
};

// CTAP 2.1 §6.5.5 request map. Which members a subcommand needs is checked by its handler
// (step 1 of each: CTAP2_ERR_MISSING_PARAMETER); types are checked here.
struct ClientPinRequest {
  std::optional<std::uint64_t> pin_uv_auth_protocol;  // 0x01
  std::uint64_t sub_command = 0;                      // 0x02 (required)
  std::optional<cbor::Value> key_agreement;           // 0x03 platform COSE_Key (a map)
  std::optional<Bytes> pin_uv_auth_param;             // 0x04
  std::optional<Bytes> new_pin_enc;                   // 0x05
  std::optional<Bytes> pin_hash_enc;                  // 0x06
  std::optional<std::uint64_t> permissions;           // 0x09
  std::optional<std::string> rp_id;                   // 0x0A

  static Result<ClientPinRequest> parse(const cbor::Value& v);
};

// CTAP 2.1 §6.5.5 response map; an empty one is sent as the status byte alone.
struct ClientPinResponse {
  std::optional<cbor::Value> key_agreement;     // 0x01
  std::optional<Bytes> pin_uv_auth_token;       // 0x02 (encrypted)
  std::optional<std::uint64_t> pin_retries;     // 0x03
  std::optional<bool> power_cycle_state;        // 0x04
  std::optional<std::uint64_t> uv_retries;      // 0x05

  cbor::Value encode() const;
};

// Dispatches on subCommand; an unknown one is CTAP2_ERR_INVALID_SUBCOMMAND. Only
// getPinUvAuthTokenUsingUvWithPermissions waits for the user (built-in UV).
Result<Step<ClientPinResponse>> client_pin(Ctx& ctx, const ClientPinRequest& req);

}  // namespace vfido
