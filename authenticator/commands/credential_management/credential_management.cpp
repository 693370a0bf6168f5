#include "authenticator/commands/credential_management/credential_management.h"

#include <algorithm>

#include "authenticator/cbor/codec.h"
#include "authenticator/cbor/map_reader.h"
#include "authenticator/commands/credential_management/subcommands.h"

namespace vfido {
namespace {

// CTAP 2.1 §6.8 request keys.
constexpr int kSubCommand = 0x01;
constexpr int kSubCommandParams = 0x02;
constexpr int kPinUvAuthProtocol = 0x03;
constexpr int kPinUvAuthParam = 0x04;

// subCommandParams keys.
constexpr int kRpIdHash = 0x01;
constexpr int kCredentialId = 0x02;
constexpr int kUser = 0x03;

using Sub = CredentialManagementSubcommand;

Result<void> parse_sub_command_params(const cbor::Value& params, CredentialManagementRequest& r) {
  auto m = cbor::MapReader::from(params);
  if (!m) return fail(m.error());
  auto hash = m->optional_bytes(kRpIdHash);
  if (!hash) return fail(hash.error());
  if (*hash) {
    // A SHA-256 of the RP ID: 32 bytes. CTAP names no status for another length; as for a
    // clientDataHash, CTAP1_ERR_INVALID_LENGTH ("invalid message or item length", §8.2).
    if ((*hash)->size() != kRpIdHashLen) return fail(CtapStatus::kInvalidLength);
    r.rp_id_hash.emplace();
    std::copy((*hash)->begin(), (*hash)->end(), r.rp_id_hash->begin());
  }
  auto cred = m->optional_map(kCredentialId);
  if (!cred) return fail(cred.error());
  if (*cred != nullptr) {
    auto d = CredentialDescriptor::parse(**cred);
    if (!d) return fail(d.error());
    r.credential_id = std::move(*d);
  }
  auto user = m->optional_map(kUser);
  if (!user) return fail(user.error());
  if (*user != nullptr) {
    auto u = parse_user_entity(**user);
    if (!u) return fail(u.error());
    r.user = std::move(*u);
  }
  return {};
}

}  // namespace

Result<CredentialManagementRequest> CredentialManagementRequest::parse(const cbor::Value& v, CtapCommand command) {
  auto m = cbor::MapReader::from(v);
  if (!m) return fail(m.error());
  CredentialManagementRequest r;
  r.preview = command == CtapCommand::kCredentialManagementPreview;
  auto sub = m->required_uint(kSubCommand);
  if (!sub) return fail(sub.error());
  r.sub_command = *sub;
  auto params = m->optional_map(kSubCommandParams);
  if (!params) return fail(params.error());
  if (*params != nullptr) {
    auto encoded = cbor::encode(**params);
    if (!encoded) return fail(CtapStatus::kInvalidCbor);
    r.sub_command_params_cbor = std::move(*encoded);
    VFIDO_TRY(parse_sub_command_params(**params, r));
  }
  auto protocol = m->optional_uint(kPinUvAuthProtocol);
  if (!protocol) return fail(protocol.error());
  r.pin_uv_auth_protocol = *protocol;
  auto param = m->optional_bytes(kPinUvAuthParam);
  if (!param) return fail(param.error());
  r.pin_uv_auth_param = std::move(*param);
  return r;
}

bool CredentialManagementRequest::continues_rp_enumeration() const {
  return sub_command == static_cast<std::uint64_t>(Sub::kEnumerateRpsGetNextRp);
}

bool CredentialManagementRequest::continues_credential_enumeration() const {
  return sub_command == static_cast<std::uint64_t>(Sub::kEnumerateCredentialsGetNextCredential);
}

cbor::Value CredentialManagementResponse::encode() const {
  cbor::Value m = cbor::Value::map();
  if (existing_resident_credentials_count) m.set(0x01, cbor::Value::uint(*existing_resident_credentials_count));
  if (max_possible_remaining_resident_credentials_count) {
    m.set(0x02, cbor::Value::uint(*max_possible_remaining_resident_credentials_count));
  }
  if (rp) {
    // PublicKeyCredentialRpEntity (WebAuthn §5.4.2): "id", and "name" when it is known.
    cbor::Value e = cbor::Value::map();
    e.set("id", cbor::Value::text(rp->id));
    if (rp->name) e.set("name", cbor::Value::text(*rp->name));
    m.set(0x03, std::move(e));
  }
  if (rp_id_hash) m.set(0x04, cbor::Value::bytes(*rp_id_hash));
  if (total_rps) m.set(0x05, cbor::Value::uint(*total_rps));
  if (user) m.set(0x06, encode_user_entity(*user));
  if (credential_id) m.set(0x07, credential_id->encode());
  if (public_key) m.set(0x08, *public_key);
  if (total_credentials) m.set(0x09, cbor::Value::uint(*total_credentials));
  if (cred_protect) m.set(0x0A, cbor::Value::uint(*cred_protect));
  if (large_blob_key) m.set(0x0B, cbor::Value::bytes(*large_blob_key));
  return m;
}

void end_enumerations_except(SessionState& session, const CredentialManagementRequest* req) {
  if (req == nullptr || !req->continues_rp_enumeration()) session.rp_enumeration.reset();
  if (req == nullptr || !req->continues_credential_enumeration()) session.credential_enumeration.reset();
}

// Whether the model serves `req.sub_command`. The prototype command (FIDO_2_1_PRE)
// predates updateUserInformation; a model that also implements FIDO_2_1 serves the prototype as
// an alias of 0x0A, because libfido2 up to 1.13 sends every credential management request,
// updateUserInformation included, as 0x41.
static bool offered(const AuthenticatorProfile& p, const CredentialManagementRequest& req) {
  switch (static_cast<Sub>(req.sub_command)) {
    case Sub::kGetCredsMetadata:
    case Sub::kEnumerateRpsBegin:
    case Sub::kEnumerateRpsGetNextRp:
    case Sub::kEnumerateCredentialsBegin:
    case Sub::kEnumerateCredentialsGetNextCredential:
    case Sub::kDeleteCredential: return true;
    case Sub::kUpdateUserInformation: return !req.preview || p.has_version("FIDO_2_1");
  }
  return false;
}

Result<CredentialManagementResponse> credential_management(Ctx& ctx, const CredentialManagementRequest& req) {
  // CTAP 2.1 §6.8: an unknown subCommand, or one this model lacks, is
  // CTAP2_ERR_INVALID_SUBCOMMAND (§8.2).
  if (req.sub_command > 0xFF || !offered(ctx.profile, req)) {
    return ctx.reject(CtapStatus::kInvalidSubcommand, "credentialManagement: subCommand not offered by this model");
  }
  switch (static_cast<Sub>(req.sub_command)) {
    case Sub::kGetCredsMetadata: return credman::get_creds_metadata(ctx, req);
    case Sub::kEnumerateRpsBegin: return credman::enumerate_rps_begin(ctx, req);
    case Sub::kEnumerateRpsGetNextRp: return credman::enumerate_rps_get_next_rp(ctx, req);
    case Sub::kEnumerateCredentialsBegin: return credman::enumerate_credentials_begin(ctx, req);
    case Sub::kEnumerateCredentialsGetNextCredential: return credman::enumerate_credentials_get_next_credential(ctx, req);
    case Sub::kDeleteCredential: return credman::delete_credential(ctx, req);
    case Sub::kUpdateUserInformation: return credman::update_user_information(ctx, req);
  }
  return ctx.reject(CtapStatus::kInvalidSubcommand, "credentialManagement: unknown subCommand");
}

}  // namespace vfido
