// authenticatorGetAssertion (0x02), CTAP 2.1 §6.2: request, handler, response, with
// pinUvAuthParam, built-in UV, alwaysUv and the extensions of extensions/extensions.h. With
// several discoverable credentials it remembers the rest for getNextAssertion
// (get_next_assertion.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "authenticator/cbor/value.h"
#include "authenticator/commands/context.h"
#include "authenticator/commands/entities.h"

namespace vfido {

// CTAP 2.1 §6.2 request map.
struct GetAssertionRequest {
  std::string rp_id;                                  // 0x01
  ByteArray<kClientDataHashLen> client_data_hash{};   // 0x02
  // 0x03. An empty allowList is treated as absent (CTAP 2.1 §6.2.2 step 7 looks at the
  // allowList only when it "is present and is non-empty").
  std::vector<CredentialDescriptor> allow_list;
  std::optional<cbor::Value> extensions;              // 0x04 (a map)
  RequestOptions options;                             // 0x05
  std::optional<Bytes> pin_uv_auth_param;             // 0x06
  std::optional<std::uint64_t> pin_uv_auth_protocol;  // 0x07

  static Result<GetAssertionRequest> parse(const cbor::Value& v);
};

// CTAP 2.1 §6.2 response map (getNextAssertion returns the same, without 0x05).
struct GetAssertionResponse {
  CredentialDescriptor credential;                     // 0x01, always included
  Bytes auth_data;                                     // 0x02
  Bytes signature;                                     // 0x03
  std::optional<UserEntity> user;                      // 0x04, discoverable credentials only
  std::optional<std::uint64_t> number_of_credentials;  // 0x05
  std::optional<Bytes> large_blob_key;                 // 0x07

  cbor::Value encode() const;
};

// CTAP 2.1 §6.2.2. Asks the user at most once (built-in UV, or a touch unless up=false or a
// pinUvAuthToken already carries the user's presence).
Result<Step<GetAssertionResponse>> get_assertion(Ctx& ctx, const GetAssertionRequest& req);

// One assertion with `cred` (CTAP 2.1 §6.2.2 steps 10-13, shared with getNextAssertion):
// advances the credential's signature counter, builds authData with the request's UP/UV flags,
// the credential's BE/BS and the extension outputs, signs authData || clientDataHash, and
// returns the user entity (name and displayName only with uv, §6.2.2 step 12).
Result<GetAssertionResponse> make_assertion(Ctx& ctx, const CredentialRecord& cred, const AssertionState& request);

}  // namespace vfido
