// The credentialManagement subcommand handlers (one .cpp each, called by
// credential_management.cpp) and the steps they share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authenticator/commands/credential_management/credential_management.h"

namespace vfido::credman {

using Response = CredentialManagementResponse;
using Request = CredentialManagementRequest;

Result<Response> get_creds_metadata(Ctx& ctx, const Request& req);           // 0x01
Result<Response> enumerate_rps_begin(Ctx& ctx, const Request& req);          // 0x02
Result<Response> enumerate_rps_get_next_rp(Ctx& ctx, const Request& req);    // 0x03
Result<Response> enumerate_credentials_begin(Ctx& ctx, const Request& req);  // 0x04
Result<Response> enumerate_credentials_get_next_credential(Ctx& ctx, const Request& req);  // 0x05
Result<Response> delete_credential(Ctx& ctx, const Request& req);            // 0x06
Result<Response> update_user_information(Ctx& ctx, const Request& req);      // 0x07

// How long an enumeration waits for its next GetNext (CTAP 2.1 §6 "stateful commands": the
// authenticator may discard the state after 30 seconds without its continuation).
inline constexpr std::uint64_t kEnumerationTimeoutMs = 30000;

// The steps every subcommand with a pinUvAuthParam opens with (CTAP 2.1 §6.8.2-§6.8.6):
//   pinUvAuthParam absent                          -> CTAP2_ERR_PUAT_REQUIRED
//   a parameter the subcommand needs is absent     -> CTAP2_ERR_MISSING_PARAMETER (`params_present`)
//   pinUvAuthProtocol absent / not supported       -> MISSING_PARAMETER / CTAP1_ERR_INVALID_PARAMETER
//   authenticate(token, subCommand || subCommandParams) does not match, or the token lacks the
//   cm permission                                  -> CTAP2_ERR_PIN_AUTH_INVALID
// Returns the token's permissions RP ID (nullopt when the token is not bound to an RP); each
// subcommand applies its own rule to it.
Result<std::optional<std::string>> authorize_cm(Ctx& ctx, const Request& req, bool params_present,
                                                std::string_view step);

// For getCredsMetadata and enumerateRPsBegin, which cover every RP (§6.8.2, §6.8.3): authorize_cm,
// then a token with a permissions RP ID -> PIN_AUTH_INVALID. Returns every discoverable
// credential, newest first.
Result<std::vector<CredentialRecord>> authorize_for_all_rps(Ctx& ctx, const Request& req, std::string_view step);

// The discoverable credential with this ID (any RP), nullopt when there is none.
Result<std::optional<CredentialRecord>> find_discoverable_by_id(Ctx& ctx, ByteSpan id, std::string_view step);

// For deleteCredential and updateUserInformation (§6.8.5 and §6.8.6): a token bound to an RP may
// touch only that RP's credentials (PIN_AUTH_INVALID, also when the credential does not exist,
// so that a bound token learns nothing about other RPs); an unbound token finds nothing ->
// CTAP2_ERR_NO_CREDENTIALS. Returns the credential.
Result<CredentialRecord> credential_for_update(Ctx& ctx, const Request& req, const std::optional<std::string>& bound_rp,
                                               std::string_view step);

// The state of a running enumeration is usable while the token that authenticated its Begin is
// still in use and the last step was at most kEnumerationTimeoutMs ago (CTAP 2.1 §6).
bool enumeration_alive(Ctx& ctx, std::uint64_t last_ms);

}  // namespace vfido::credman
