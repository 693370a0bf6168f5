// authenticatorGetInfo (0x04), CTAP 2.1 §6.4: what this authenticator supports. It advertises
// exactly what the profile turns on and the core implements, with the live state of the
// stateful options (clientPin set or not, alwaysUv, ep).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "authenticator/cbor/value.h"
#include "authenticator/commands/context.h"

namespace vfido {

// No parameters (CTAP 2.1 §6.4); any bytes after the command byte are ignored.
struct GetInfoRequest {
  static Result<GetInfoRequest> parse(ByteSpan params);
};

struct GetInfoResponse {
  std::vector<std::string> versions;                        // 0x01
  std::vector<std::string> extensions;                      // 0x02, omitted when empty
  ByteArray<kAaguidLen> aaguid{};                           // 0x03
  std::vector<std::pair<std::string, bool>> options;        // 0x04
  std::uint64_t max_msg_size = 0;                           // 0x05
  std::vector<std::uint64_t> pin_uv_auth_protocols;         // 0x06, omitted when empty
  std::uint64_t max_credential_count_in_list = 0;           // 0x07
  std::uint64_t max_credential_id_length = 0;               // 0x08
  std::vector<std::string> transports;                      // 0x09
  std::vector<std::int64_t> algorithms;                     // 0x0A, as {"alg", "type"} maps
  std::optional<std::uint64_t> max_serialized_large_blob_array;  // 0x0B
  std::optional<bool> force_pin_change;                     // 0x0C
  std::optional<std::uint64_t> min_pin_length;              // 0x0D
  std::optional<std::uint64_t> firmware_version;            // 0x0E
  std::optional<std::uint64_t> max_cred_blob_length;        // 0x0F
  std::optional<std::uint64_t> max_rp_ids_for_set_min_pin_length;  // 0x10
  std::optional<std::uint64_t> preferred_platform_uv_attempts;     // 0x11
  std::optional<std::uint64_t> uv_modality;                 // 0x12
  std::optional<std::uint64_t> remaining_discoverable_credentials;  // 0x14

  cbor::Value encode() const;
};

Result<GetInfoResponse> get_info(Ctx& ctx, const GetInfoRequest& req);

}  // namespace vfido
