// authenticatorGetInfo (0x04), CTAP 2.1 §6.4: what this authenticator supports. It advertises
// exactly what the core implements: no extensions, no clientPin/uv/pinUvAuthToken options.
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
  std::uint64_t max_credential_count_in_list = 0;           // 0x07
  std::uint64_t max_credential_id_length = 0;               // 0x08
  std::vector<std::string> transports;                      // 0x09
  std::vector<std::int64_t> algorithms;                     // 0x0A, as {"alg", "type"} maps
  std::optional<std::uint64_t> firmware_version;            // 0x0E

  cbor::Value encode() const;
};

Result<GetInfoResponse> get_info(Ctx& ctx, const GetInfoRequest& req);

}  // namespace vfido
