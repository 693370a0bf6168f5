// The closed set of CTAP2 commands the core implements (style.md §4): each request type is a
// variant alternative, so dispatch with std::visit fails to compile when a handler is missing.
// CTAP 2.1 §6 (command bytes), §8.1 (message = command byte || CBOR parameters).
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "authenticator/commands/client_pin/client_pin.h"
#include "authenticator/commands/credential_management/credential_management.h"
#include "authenticator/commands/config/config.h"
#include "authenticator/commands/get_assertion.h"
#include "authenticator/commands/get_info.h"
#include "authenticator/commands/get_next_assertion.h"
#include "authenticator/commands/large_blobs.h"
#include "authenticator/commands/make_credential.h"
#include "authenticator/commands/reset.h"
#include "authenticator/commands/selection.h"

namespace vfido {

using Command = std::variant<MakeCredentialRequest, GetAssertionRequest, GetInfoRequest, GetNextAssertionRequest,
                             ClientPinRequest,
                             CredentialManagementRequest,
                             ResetRequest,
                             SelectionRequest,
                             LargeBlobsRequest,
                             ConfigRequest>;

// getNextAssertion answers with a GetAssertionResponse.
using Response = std::variant<MakeCredentialResponse, GetAssertionResponse, GetInfoResponse, ClientPinResponse,
                              CredentialManagementResponse,
                              ResetResponse,
                              SelectionResponse,
                              LargeBlobsResponse,
                              ConfigResponse>;

// Parses one CTAP2 message. Statuses:
//   empty message                    -> CTAP1_ERR_INVALID_LENGTH (no command byte)
//   unknown command, or one `profile` does not offer -> CTAP1_ERR_INVALID_COMMAND
//   undecodable / non-canonical CBOR -> CTAP2_ERR_INVALID_CBOR
//   then the command's own parse() statuses (MISSING_PARAMETER, CBOR_UNEXPECTED_TYPE, ...).
Result<Command> parse_command(ByteSpan message, const AuthenticatorProfile& profile);

// "authenticatorMakeCredential" etc. for a command byte; "unknown" otherwise. For logs.
std::string_view command_name(std::uint8_t command_byte);

// The CBOR body of a response.
cbor::Value encode_response(const Response& response);

}  // namespace vfido
