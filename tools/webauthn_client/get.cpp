// navigator.credentials.get() (WebAuthn L3 §5.1.4) over libfido2's getAssertion.
#include <algorithm>

#include "authenticator/cbor/codec.h"
#include "authenticator/crypto/hash.h"
#include "tools/host/fido_objects.h"
#include "authenticator/base64.h"
#include "tools/webauthn_client/ceremony.h"
#include "tools/webauthn_client/client_data.h"
#include "tools/webauthn_client/user_verification.h"
#include "tools/webauthn_client/webauthn_client.h"

namespace vfido::webauthn {
namespace {

using json = nlohmann::json;

using detail::bytes_of;
using detail::error;
using detail::note;

// §10.1.4: salt = SHA-256("WebAuthn PRF" || 0x00 || input).
Bytes prf_salt(const Bytes& input) {
  Bytes msg = to_bytes("WebAuthn PRF");
  msg.push_back(0x00);
  msg.insert(msg.end(), input.begin(), input.end());
  auto d = crypto::sha256(msg);
  return Bytes(d.begin(), d.end());
}

bool listed(const std::vector<CredentialDescriptor>& allow, ByteSpan id) {
  return std::any_of(allow.begin(), allow.end(),
                     [&](const CredentialDescriptor& d) { return std::equal(d.id.begin(), d.id.end(), id.begin(), id.end()); });
}

// libfido2 hands out the assertion's authenticator data CBOR-wrapped (a byte string).
std::optional<Bytes> raw_auth_data(const fido_assert_t* a, std::size_t i) {
  auto v = cbor::decode(ByteSpan(fido_assert_authdata_ptr(a, i), fido_assert_authdata_len(a, i)));
  if (!v || !v->is_bytes()) return std::nullopt;
  return v->as_bytes();
}

}  // namespace

tl::expected<GetResult, ClientError> Client::get(fido_dev_t* dev, const CallerContext& caller, const RequestOptions& in,
                                                 const Interaction& user, Transcript* transcript) const {
  using Fail = tl::unexpected<ClientError>;
  RequestOptions options = in;
  // §5.1.4.1 step 1: conditional mediation offers discoverable credentials only.
  if (options.mediation == Mediation::kConditional) options.allow_credentials.clear();
  // Steps 7-9: origin and RP ID.
  auto rp_id = check_rp_id(caller, options.rp_id);
  if (!rp_id) return Fail(rp_id.error());
  std::vector<CredentialDescriptor> allow;
  for (const auto& d : options.allow_credentials) {
    if (d.type == "public-key" && !d.id.empty()) allow.push_back(d);
  }
  // Step 11: client extension processing that can fail.
  const GetExtensions& ext = options.extensions;
  if (!ext.prf_eval_by_credential.empty()) {
    if (allow.empty()) {
      return Fail(error(DomExceptionName::kNotSupportedError, "prf.evalByCredential needs a non-empty allowCredentials"));
    }
    for (const auto& [key, v] : ext.prf_eval_by_credential) {
      auto id = base64url_decode(key);
      if (key.empty() || !id || !listed(allow, *id)) {
        return Fail(error(DomExceptionName::kSyntaxError,
                          "prf.evalByCredential key \"" + key + "\" is not the base64url ID of an allowed credential"));
      }
    }
  }
  if (ext.large_blob_support_given) {
    return Fail(error(DomExceptionName::kNotSupportedError, "largeBlob.support is not allowed in get()"));
  }
  if (ext.large_blob_read && ext.large_blob_write) {
    return Fail(error(DomExceptionName::kNotSupportedError, "largeBlob.read and largeBlob.write together"));
  }
  if (ext.large_blob_write && allow.size() != 1) {
    return Fail(error(DomExceptionName::kNotSupportedError, "largeBlob.write needs exactly one allowCredentials entry"));
  }
  // Steps 12-14: clientDataJSON.
  const std::string cdj = client_data_json(kTypeGet, caller, options.challenge);
  const auto cdh = client_data_hash(cdj);
  note(transcript, "clientDataJSON: " + cdj);

  auto info = read_authenticator_info(dev);
  if (!info) return Fail(ctap_client_error(Ceremony::kGet, info.error()));
  note(transcript, "getInfo: " + summarize(*info));
  if (options.user_verification == UserVerification::kRequired && !info->can_do_uv()) {
    return Fail(error(DomExceptionName::kNotAllowedError,
                      "userVerification is required and the authenticator can do neither a PIN nor built-in UV; the "
                      "client skips it"));
  }
  bool uv_wanted = effective_uv(options.user_verification, *info);
  bool uv_required = options.user_verification == UserVerification::kRequired;
  if (info->always_uv.value_or(false)) uv_wanted = uv_required = true;  // CTAP 2.1 §6.2.2 step 6 (alwaysUv)
  auto uv = plan_user_verification(uv_wanted, uv_required, *info, user.pin);
  if (!uv) return Fail(uv.error());

  // PRF inputs (§10.1.4): evalByCredential for the credential that will answer, else eval. With
  // several allowed credentials the client learns which one this authenticator holds with a
  // silent probe (up=false), as platforms do before choosing per-credential inputs.
  std::optional<Bytes> saved_id;
  if (allow.size() == 1) saved_id = allow.front().id;
  const PrfValues* prf = nullptr;
  if (!ext.prf_eval_by_credential.empty()) {
    std::optional<Bytes> target = saved_id;
    if (!target) {
      host::FidoAssert probe(fido_assert_new());
      const std::array<unsigned char, 32> zero{};
      int r = fido_assert_set_clientdata_hash(probe.get(), zero.data(), zero.size());
      if (r == FIDO_OK) r = fido_assert_set_rp(probe.get(), rp_id->c_str());
      if (r == FIDO_OK) r = fido_assert_set_up(probe.get(), FIDO_OPT_FALSE);
      for (const auto& d : allow) {
        if (r == FIDO_OK) r = fido_assert_allow_cred(probe.get(), d.id.data(), d.id.size());
      }
      if (r == FIDO_OK) r = fido_dev_get_assert(dev, probe.get(), nullptr);
      note(transcript, "getAssertion (silent probe, up=false, " + std::to_string(allow.size()) + " allowed) -> " + fido_strerr(r));
      if (r == FIDO_OK && fido_assert_count(probe.get()) > 0) {
        target = bytes_of(fido_assert_id_ptr(probe.get(), 0), fido_assert_id_len(probe.get(), 0));
      }
    }
    if (target) {
      auto it = ext.prf_eval_by_credential.find(base64url_encode(*target));
      if (it != ext.prf_eval_by_credential.end()) prf = &it->second;
    }
  }
  if (prf == nullptr && ext.prf_eval) prf = &*ext.prf_eval;

  host::FidoAssert as(fido_assert_new());
  if (!as) return Fail(error(DomExceptionName::kNotAllowedError, "out of memory"));
  fido_assert_t* a = as.get();
  int r = fido_assert_set_clientdata_hash(a, cdh.data(), cdh.size());
  if (r == FIDO_OK) r = fido_assert_set_rp(a, rp_id->c_str());
  if (r == FIDO_OK) r = fido_assert_set_up(a, FIDO_OPT_TRUE);
  if (r == FIDO_OK && uv->built_in) r = fido_assert_set_uv(a, FIDO_OPT_TRUE);
  for (const auto& d : allow) {
    if (r == FIDO_OK) r = fido_assert_allow_cred(a, d.id.data(), d.id.size());
  }
  int mask = 0;
  std::vector<std::string> sent;
  if (prf != nullptr && info->has_extension("hmac-secret")) {
    Bytes salt = prf_salt(prf->first);
    if (prf->second) {
      Bytes s2 = prf_salt(*prf->second);
      salt.insert(salt.end(), s2.begin(), s2.end());
    }
    mask |= FIDO_EXT_HMAC_SECRET;
    if (r == FIDO_OK) r = fido_assert_set_hmac_salt(a, salt.data(), salt.size());
    sent.emplace_back(prf->second ? "hmac-secret(2 salts)" : "hmac-secret(1 salt)");
  }
  if (ext.get_cred_blob && info->has_extension("credBlob")) {
    mask |= FIDO_EXT_CRED_BLOB;
    sent.emplace_back("credBlob");
  }
  const bool large_blob = (ext.large_blob_read || ext.large_blob_write) && info->large_blobs.value_or(false) &&
                          info->has_extension("largeBlobKey");
  if (large_blob) {
    mask |= FIDO_EXT_LARGEBLOB_KEY;
    sent.emplace_back("largeBlobKey");
  }
  if (r == FIDO_OK && mask != 0) r = fido_assert_set_extensions(a, mask);
  if (r != FIDO_OK) return Fail(error(DomExceptionName::kTypeError, std::string("libfido2 refused an option: ") + fido_strerr(r)));

  std::string request = "getAssertion: rp=" + *rp_id + " allowList=" + std::to_string(allow.size()) + " uv=" + uv->how;
  request += detail::extension_list(sent);
  r = fido_dev_get_assert(dev, a, uv->pin ? uv->pin->c_str() : nullptr);
  if (r != FIDO_OK) {
    note(transcript, request + " -> " + fido_strerr(r));
    return Fail(ctap_client_error(Ceremony::kGet, r));
  }
  const std::size_t count = fido_assert_count(a);
  note(transcript, request + " -> OK, " + std::to_string(count) + " assertion(s)");
  if (count == 0) return Fail(error(DomExceptionName::kNotAllowedError, "the authenticator returned no assertion"));

  // The account chooser (several discoverable credentials, CTAP 2.1 §6.2 numberOfCredentials).
  std::size_t pick = 0;
  if (count > 1) {
    std::vector<AccountChoice> choices;
    for (std::size_t i = 0; i < count; ++i) {
      AccountChoice ch;
      ch.credential_id = bytes_of(fido_assert_id_ptr(a, i), fido_assert_id_len(a, i));
      ch.user_id = bytes_of(fido_assert_user_id_ptr(a, i), fido_assert_user_id_len(a, i));
      if (const char* n = fido_assert_user_name(a, i)) ch.user_name = n;
      if (const char* n = fido_assert_user_display_name(a, i)) ch.user_display_name = n;
      choices.push_back(std::move(ch));
    }
    if (user.choose_account) pick = user.choose_account(choices);
    if (pick >= count) return Fail(error(DomExceptionName::kNotAllowedError, "the user closed the account chooser"));
    note(transcript, "account chooser: " + std::to_string(count) + " credentials, the user picks #" + std::to_string(pick + 1));
  }

  // §5.1.4.2 success: the credential ID (the saved one when the authenticator left it out).
  Bytes id = bytes_of(fido_assert_id_ptr(a, pick), fido_assert_id_len(a, pick));
  if (id.empty() && saved_id) id = *saved_id;
  if (id.empty()) return Fail(error(DomExceptionName::kNotAllowedError, "the assertion names no credential"));
  if (!allow.empty() && !listed(allow, id)) {
    return Fail(error(DomExceptionName::kNotAllowedError, "the authenticator answered with a credential not in allowCredentials; the client ignores it"));
  }
  Bytes user_handle = bytes_of(fido_assert_user_id_ptr(a, pick), fido_assert_user_id_len(a, pick));
  if (allow.empty() && user_handle.empty()) {
    return Fail(error(DomExceptionName::kNotAllowedError,
                      "a discoverable-credential assertion without a user handle; the client ignores it"));
  }
  auto auth_data = raw_auth_data(a, pick);
  if (!auth_data) return Fail(error(DomExceptionName::kNotAllowedError, "the authenticator returned malformed authenticator data"));

  GetResult out;
  out.rp_id = *rp_id;
  out.client_data_json = cdj;
  out.authenticator = *info;
  AuthenticationResponse& resp = out.credential;
  resp.raw_id = id;
  resp.client_data_json = to_bytes(cdj);
  resp.authenticator_data = *auth_data;
  resp.signature = bytes_of(fido_assert_sig_ptr(a, pick), fido_assert_sig_len(a, pick));
  if (!user_handle.empty()) resp.user_handle = user_handle;
  resp.authenticator_attachment = info->is_platform() ? "platform" : "cross-platform";

  json results = json::object();
  if (prf != nullptr || ext.prf_eval || !ext.prf_eval_by_credential.empty()) {
    json p = json::object();
    const std::size_t n = fido_assert_hmac_secret_len(a, pick);
    if (prf != nullptr && (n == 32 || n == 64)) {
      const unsigned char* h = fido_assert_hmac_secret_ptr(a, pick);
      p["results"] = {{"first", base64url_encode(ByteSpan(h, 32))}};
      if (n == 64) p["results"]["second"] = base64url_encode(ByteSpan(h + 32, 32));
    }
    results["prf"] = p;
  }
  if (ext.get_cred_blob) {
    results["getCredBlob"] = base64url_encode(ByteSpan(fido_assert_blob_ptr(a, pick), fido_assert_blob_len(a, pick)));
  }
  if (ext.large_blob_read || ext.large_blob_write) {
    json lb = json::object();
    const std::size_t key_len = large_blob ? fido_assert_largeblob_key_len(a, pick) : 0;
    const unsigned char* key = fido_assert_largeblob_key_ptr(a, pick);
    if (ext.large_blob_read && key_len > 0) {
      unsigned char* blob = nullptr;
      std::size_t blob_len = 0;
      const int lr = fido_dev_largeblob_get(dev, key, key_len, &blob, &blob_len);
      note(transcript, std::string("largeBlobs read -> ") + fido_strerr(lr));
      if (lr == FIDO_OK) lb["blob"] = base64url_encode(ByteSpan(blob, blob_len));
      std::free(blob);
    } else if (ext.large_blob_write) {
      // libfido2 1.12 gets a pinUvAuthToken with the lbw permission for every write to a
      // CTAP 2.1 key: without the PIN (or built-in UV) the write fails and written is false.
      bool written = false;
      if (key_len > 0) {
        const int lw = fido_dev_largeblob_set(dev, key, key_len, ext.large_blob_write->data(), ext.large_blob_write->size(),
                                              user.pin ? user.pin->c_str() : nullptr);
        note(transcript, std::string("largeBlobs write -> ") + fido_strerr(lw));
        written = lw == FIDO_OK;
      }
      lb["written"] = written;
    }
    results["largeBlob"] = lb;
  }
  resp.client_extension_results = results;
  return out;
}

}  // namespace vfido::webauthn
