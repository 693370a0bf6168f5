#include "authenticator/command.h"

#include "authenticator/cbor/codec.h"

namespace vfido {
namespace {

// Decodes the CBOR parameters of a command and hands them to Request::parse.
template <typename Request, typename... Args>
Result<Command> parse_cbor_params(ByteSpan params, Args... args) {
  // CTAP 2.1 §8: canonical CBOR, at most four levels of nesting; anything else (including an
  // empty parameter block and trailing bytes) is CTAP2_ERR_INVALID_CBOR.
  auto value = cbor::decode(params, cbor::DecodeLimits{cbor::kDefaultMaxDepth, params.size()});
  if (!value) return fail(CtapStatus::kInvalidCbor);
  auto req = Request::parse(*value, args...);
  if (!req) return fail(req.error());
  return Command{std::move(*req)};
}

template <typename Request>
Result<Command> parse_no_params(ByteSpan params) {
  auto req = Request::parse(params);
  if (!req) return fail(req.error());
  return Command{std::move(*req)};
}

}  // namespace

Result<Command> parse_command(ByteSpan message, const AuthenticatorProfile& profile) {
  // The message must at least carry its command byte (CTAP 2.1 §8.1). The spec names no status
  // for an empty message; CTAP1_ERR_INVALID_LENGTH says what is wrong (OpenSK picks
  // CTAP2_ERR_MISSING_PARAMETER; CTAPHID itself already refuses an empty CBOR message).
  if (message.empty()) return fail(CtapStatus::kInvalidLength);
  const ByteSpan params = message.subspan(1);
  switch (static_cast<CtapCommand>(message[0])) {
    case CtapCommand::kMakeCredential:
      return parse_cbor_params<MakeCredentialRequest>(params);
    case CtapCommand::kGetAssertion:
      return parse_cbor_params<GetAssertionRequest>(params);
    case CtapCommand::kGetInfo:
      return parse_no_params<GetInfoRequest>(params);
    case CtapCommand::kGetNextAssertion:
      return parse_no_params<GetNextAssertionRequest>(params);
    case CtapCommand::kClientPin:
      // Offered with clientPin or built-in UV (CTAP 2.1 §6.5).
      if (!profile.client_pin && !profile.built_in_uv) break;
      return parse_cbor_params<ClientPinRequest>(params);
    case CtapCommand::kCredentialManagement:  // CTAP 2.1 §6.8: option credMgmt (FIDO_2_1 models)
      if (!profile.cred_mgmt || !profile.has_version("FIDO_2_1")) break;
      return parse_cbor_params<CredentialManagementRequest>(params, CtapCommand::kCredentialManagement);
    case CtapCommand::kCredentialManagementPreview:  // FIDO_2_1_PRE prototype: option credentialMgmtPreview
      if (!profile.cred_mgmt) break;
      return parse_cbor_params<CredentialManagementRequest>(params, CtapCommand::kCredentialManagementPreview);
    case CtapCommand::kReset:
      return parse_no_params<ResetRequest>(params);
    case CtapCommand::kSelection:
      // CTAP 2.1 §6.9: a FIDO_2_1 command.
      if (!profile.has_version("FIDO_2_1") && !profile.has_version("FIDO_2_2")) break;
      return parse_no_params<SelectionRequest>(params);
    case CtapCommand::kLargeBlobs:
      if (!profile.large_blobs) break;  // CTAP 2.1 §6.10: option "largeBlobs"
      return parse_cbor_params<LargeBlobsRequest>(params);
    case CtapCommand::kConfig:
      if (!profile.authnr_cfg) break;  // CTAP 2.1 §6.11: option "authnrCfg"
      return parse_cbor_params<ConfigRequest>(params);
    // Not implemented by the core yet, and not advertised by getInfo: treated as unknown commands.
    case CtapCommand::kBioEnrollment:
    case CtapCommand::kBioEnrollmentPreview:
      break;
  }
  // CTAP 2.1 §8.2: CTAP1_ERR_INVALID_COMMAND "the command is not a valid CTAP command".
  return fail(CtapStatus::kInvalidCommand);
}

std::string_view command_name(std::uint8_t command_byte) {
  switch (static_cast<CtapCommand>(command_byte)) {
    case CtapCommand::kMakeCredential: return "authenticatorMakeCredential";
    case CtapCommand::kGetAssertion: return "authenticatorGetAssertion";
    case CtapCommand::kGetInfo: return "authenticatorGetInfo";
    case CtapCommand::kClientPin: return "authenticatorClientPIN";
    case CtapCommand::kReset: return "authenticatorReset";
    case CtapCommand::kGetNextAssertion: return "authenticatorGetNextAssertion";
    case CtapCommand::kBioEnrollment: return "authenticatorBioEnrollment";
    case CtapCommand::kCredentialManagement: return "authenticatorCredentialManagement";
    case CtapCommand::kSelection: return "authenticatorSelection";
    case CtapCommand::kLargeBlobs: return "authenticatorLargeBlobs";
    case CtapCommand::kConfig: return "authenticatorConfig";
    case CtapCommand::kBioEnrollmentPreview: return "authenticatorBioEnrollment (preview)";
    case CtapCommand::kCredentialManagementPreview: return "authenticatorCredentialManagement (preview)";
  }
  return "unknown";
}

cbor::Value encode_response(const Response& response) {
  return std::visit([](const auto& r) { return r.encode(); }, response);
}

}  // namespace vfido
