// enumerateCredentialsBegin (0x04) and enumerateCredentialsGetNextCredential (0x05), CTAP 2.1
// §6.8.4: the discoverable credentials of one RP, newest first, one per call.
#include "authenticator/commands/credential_management/subcommands.h"
#include "authenticator/crypto/hash.h"

namespace vfido::credman {
namespace {

// user, credentialID, publicKey, credProtect and largeBlobKey (when the credential has one).
Result<Response> credential_response(Ctx& ctx, const CredentialRecord& cred, std::string_view step) {
  auto key = ctx.keys.get(cred);
  if (!key) return ctx.reject(CtapStatus::kOther, std::string(step) + ": stored credential key is unusable");
  Response r;
  r.user = cred.user;
  r.credential_id = CredentialDescriptor{cred.id, std::string(kPublicKeyType), {}};
  r.public_key = (*key)->public_cose();
  r.cred_protect = cred.cred_protect;
  if (!cred.large_blob_key.empty()) {
    const ByteSpan lbk = cred.large_blob_key.expose();
    r.large_blob_key = Bytes(lbk.begin(), lbk.end());
  }
  return r;
}

}  // namespace

Result<Response> enumerate_credentials_begin(Ctx& ctx, const Request& req) {
  // Steps 1-5 (rpIDHash is mandatory).
  auto bound = authorize_cm(ctx, req, req.rp_id_hash.has_value(), "enumerateCredentialsBegin");
  if (!bound) return fail(bound.error());
  const auto& wanted = *req.rp_id_hash;
  // CTAP 2.1 §6.8.4: the token has no permissions RP ID, or SHA-256 of it is rpIDHash.
  if (*bound && crypto::sha256(as_span(**bound)) != wanted) {
    return ctx.reject(CtapStatus::kPinAuthInvalid, "enumerateCredentialsBegin: the pinUvAuthToken is bound to another RP ID");
  }
  auto all = ctx.env.store.list_discoverable();
  if (!all) return ctx.reject(to_ctap_status(all.error()), "enumerateCredentialsBegin: store listing failed");
  CredentialEnumerationState state;
  const CredentialRecord* first = nullptr;
  for (const CredentialRecord& c : *all) {  // newest first
    if (crypto::sha256(as_span(c.rp_id)) != wanted) continue;
    if (first == nullptr) first = &c;
    state.rp_id = c.rp_id;
    state.credential_ids.push_back(c.id);
  }
  // No discoverable credential of this RP -> CTAP2_ERR_NO_CREDENTIALS.
  if (first == nullptr) return ctx.reject(CtapStatus::kNoCredentials, "enumerateCredentialsBegin: no credentials for rpIDHash");
  auto r = credential_response(ctx, *first, "enumerateCredentialsBegin");
  if (!r) return r;
  r->total_credentials = state.credential_ids.size();
  state.last_ms = ctx.now_ms();
  ctx.session.credential_enumeration = std::move(state);
  return r;
}

Result<Response> enumerate_credentials_get_next_credential(Ctx& ctx, const Request&) {
  auto& state = ctx.session.credential_enumeration;
  // No enumerateCredentialsBegin just before, or its state expired -> CTAP2_ERR_NOT_ALLOWED.
  if (!state) {
    return ctx.reject(CtapStatus::kNotAllowed, "enumerateCredentialsGetNextCredential: no enumerateCredentialsBegin state");
  }
  if (!enumeration_alive(ctx, state->last_ms)) {
    state.reset();
    return ctx.reject(CtapStatus::kNotAllowed, "enumerateCredentialsGetNextCredential: state expired with its token or timer");
  }
  // Only GetNext runs between Begin and here, but a store shared with a control API may have
  // lost a credential since: skip it, as getNextAssertion does.
  while (state->next < state->credential_ids.size()) {
    auto cred = ctx.env.store.find(state->rp_id, state->credential_ids[state->next]);
    if (!cred) return ctx.reject(to_ctap_status(cred.error()), "enumerateCredentialsGetNextCredential: store lookup failed");
    ++state->next;
    if (!*cred || !(*cred)->discoverable) continue;
    auto r = credential_response(ctx, **cred, "enumerateCredentialsGetNextCredential");
    if (r) state->last_ms = ctx.now_ms();
    return r;
  }
  // Every credential went out already -> NOT_ALLOWED.
  state.reset();
  return ctx.reject(CtapStatus::kNotAllowed, "enumerateCredentialsGetNextCredential: no more credentials");
}

}  // namespace vfido::credman
