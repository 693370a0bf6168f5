// authenticatorCredentialManagement (0x0A, CTAP 2.1 §6.8) and its prototype (0x41,
// FIDO_2_1_PRE): the request, the response and the dispatcher. One file per subcommand
// in this folder; subcommands.h holds the steps they share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "authenticator/cbor/value.h"
#include "authenticator/commands/context.h"
#include "authenticator/commands/entities.h"

namespace vfido {

// CTAP 2.1 §6.8 subCommand values.
enum class CredentialManagementSubcommand : std::uint8_t {
  kGetCredsMetadata = 0x01,
  kEnumerateRpsBegin = 0x02,
  kEnumerateRpsGetNextRp = 0x03,
  kEnumerateCredentialsBegin = 0x04,
  kEnumerateCredentialsGetNextCredential = 0x05,
  kDeleteCredential = 0x06,
  kUpdateUserInformation = 0x07,
};

// CTAP 2.1 §6.8 request map. Which members a subcommand needs is checked by its handler
// (MISSING_PARAMETER); types and fixed lengths are checked here.
struct CredentialManagementRequest {
  bool preview = false;                               // came as the prototype command 0x41
  std::uint64_t sub_command = 0;                      // 0x01 (required)
  // 0x02 subCommandParams, as the CBOR the pinUvAuthParam covers (subCommand ||
  // subCommandParams). The decoder accepts canonical CBOR only, so encoding the decoded map
  // again gives the platform's bytes. Empty when absent.
  Bytes sub_command_params_cbor;
  std::optional<ByteArray<kRpIdHashLen>> rp_id_hash;  // subCommandParams 0x01
  std::optional<CredentialDescriptor> credential_id;  // subCommandParams 0x02
  std::optional<UserEntity> user;                     // subCommandParams 0x03
  std::optional<std::uint64_t> pin_uv_auth_protocol;  // 0x03
  std::optional<Bytes> pin_uv_auth_param;             // 0x04

  static Result<CredentialManagementRequest> parse(const cbor::Value& v, CtapCommand command);

  // Whether this is the GetNext subcommand that continues an RP (credential) enumeration.
  bool continues_rp_enumeration() const;
  bool continues_credential_enumeration() const;
};

// CTAP 2.1 §6.8 response map; an empty one is sent as the status byte alone.
struct CredentialManagementResponse {
  std::optional<std::uint64_t> existing_resident_credentials_count;                // 0x01
  std::optional<std::uint64_t> max_possible_remaining_resident_credentials_count;  // 0x02
  std::optional<RpEntity> rp;                                                     // 0x03
  std::optional<ByteArray<kRpIdHashLen>> rp_id_hash;                               // 0x04
  std::optional<std::uint64_t> total_rps;                                         // 0x05
  std::optional<UserEntity> user;                                                 // 0x06
  std::optional<CredentialDescriptor> credential_id;                              // 0x07
  std::optional<cbor::Value> public_key;                                          // 0x08 (COSE_Key)
  std::optional<std::uint64_t> total_credentials;                                 // 0x09
  std::optional<std::uint64_t> cred_protect;                                      // 0x0A
  std::optional<Bytes> large_blob_key;                                            // 0x0B

  cbor::Value encode() const;
};

// CTAP 2.1 §6.8: an enumeration survives only the GetNext subcommand that continues it; every
// other command (and any other subcommand) discards it. `req` is the parsed request when it is
// a credentialManagement one, null for any other command or a request that did not parse.
void end_enumerations_except(SessionState& session, const CredentialManagementRequest* req);

// Dispatches on subCommand; an unknown one, or updateUserInformation through the prototype
// command of a model without FIDO_2_1, is CTAP2_ERR_INVALID_SUBCOMMAND.
Result<CredentialManagementResponse> credential_management(Ctx& ctx, const CredentialManagementRequest& req);

}  // namespace vfido
