// navigator.credentials.create() (WebAuthn L3 §5.1.3) over libfido2's makeCredential.
#include <algorithm>
#include <set>

#include "authenticator/authenticator_data.h"
#include "authenticator/cbor/codec.h"
#include "tools/host/fido_objects.h"
#include "tools/webauthn/attestation_object.h"
#include "authenticator/base64.h"
#include "tools/webauthn/cose_key.h"
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

// Algorithms libfido2 1.12 can ask an authenticator for (fido_cred_set_type).
bool libfido2_alg(std::int64_t alg) { return alg == COSE_ES256 || alg == COSE_EDDSA || alg == COSE_RS256 || alg == COSE_ES384; }

std::optional<int> cred_protect_level(const std::string& policy) {
  if (policy == "userVerificationOptional") return FIDO_CRED_PROT_UV_OPTIONAL;
  if (policy == "userVerificationOptionalWithCredentialIDList") return FIDO_CRED_PROT_UV_OPTIONAL_WITH_ID;
  if (policy == "userVerificationRequired") return FIDO_CRED_PROT_UV_REQUIRED;
  return std::nullopt;
}

// The attStmt libfido2 received, as a CBOR map: the raw CBOR when libfido2 kept it, else rebuilt
// from the parts it parsed (its CTAP1/U2F path fills only those).
cbor::Value attestation_statement(const fido_cred_t* cred, const std::string& fmt) {
  if (fido_cred_attstmt_len(cred) > 0) {
    auto v = cbor::decode(ByteSpan(fido_cred_attstmt_ptr(cred), fido_cred_attstmt_len(cred)),
                          cbor::DecodeLimits{cbor::kDefaultMaxDepth, kMaxAttestationObjectLen});
    if (v && v->is_map()) return *v;
  }
  cbor::Value stmt = cbor::Value::map();
  if (fmt == "none") return stmt;
  if (fmt == "packed") stmt.set("alg", cbor::Value::integer(fido_cred_type(cred)));
  stmt.set("sig", cbor::Value::bytes(ByteSpan(fido_cred_sig_ptr(cred), fido_cred_sig_len(cred))));
  if (fido_cred_x5c_len(cred) > 0) {
    stmt.set("x5c", cbor::Value::array({cbor::Value::bytes(ByteSpan(fido_cred_x5c_ptr(cred), fido_cred_x5c_len(cred)))}));
  }
  return stmt;
}

std::string flags_words(std::uint8_t f) {
  std::string s;
  const std::pair<std::uint8_t, const char*> names[] = {{flags::kUp, "UP"}, {flags::kUv, "UV"}, {flags::kBe, "BE"},
                                                        {flags::kBs, "BS"}, {flags::kAt, "AT"}, {flags::kEd, "ED"}};
  for (const auto& [bit, n] : names) {
    if ((f & bit) != 0) s += (s.empty() ? "" : " ") + std::string(n);
  }
  return s.empty() ? "none" : s;
}

}  // namespace

tl::expected<CreateResult, ClientError> Client::create(fido_dev_t* dev, const CallerContext& caller,
                                                       const CreationOptions& options, const Interaction& user,
                                                       Transcript* transcript) const {
  using Fail = tl::unexpected<ClientError>;
  // §5.1.3 step 2: a cross-origin frame may not use conditional mediation and needs a click.
  if (!caller.same_origin_with_ancestors() && !profile_.origin_from_top_level) {
    if (options.mediation == Mediation::kConditional) {
      return Fail(error(DomExceptionName::kNotAllowedError, "conditional create() from a cross-origin frame"));
    }
    if (!caller.transient_activation) {
      return Fail(error(DomExceptionName::kNotAllowedError,
                        "create() from a cross-origin frame without transient user activation"));
    }
  }
  if (options.mediation == Mediation::kConditional) {
    return Fail(error(DomExceptionName::kNotAllowedError,
                      "conditional create() needs a recent sign-in by the browser's password manager, which is not emulated"));
  }
  // Step 6: user.id is 1..64 bytes.
  if (options.user_id.empty() || options.user_id.size() > 64) {
    return Fail(error(DomExceptionName::kTypeError, "user.id is " + std::to_string(options.user_id.size()) +
                                                        " bytes; it must be 1..64"));
  }
  // Steps 7-9: origin and RP ID.
  auto rp_id = check_rp_id(caller, options.rp_id);
  if (!rp_id) return Fail(rp_id.error());
  // Step 10: pubKeyCredParams; empty means ES256 then RS256.
  std::vector<std::int64_t> algs;
  if (options.pub_key_cred_params.empty()) {
    algs = {COSE_ES256, COSE_RS256};
  } else {
    for (const auto& p : options.pub_key_cred_params) {
      if (p.type == "public-key") algs.push_back(p.alg);
    }
    if (algs.empty()) {
      return Fail(error(DomExceptionName::kNotSupportedError, "pubKeyCredParams has no entry of type \"public-key\""));
    }
  }
  // Step 12: client extension processing that can fail (prf §10.1.4, largeBlob §10.1.5).
  const CreateExtensions& ext = options.extensions;
  if (ext.prf_eval_by_credential) {
    return Fail(error(DomExceptionName::kNotSupportedError, "prf.evalByCredential is not allowed in create()"));
  }
  if (ext.large_blob_read_or_write) {
    return Fail(error(DomExceptionName::kNotSupportedError, "largeBlob.read/write are not allowed in create()"));
  }
  std::optional<int> prot;
  if (ext.credential_protection_policy) {
    prot = cred_protect_level(*ext.credential_protection_policy);
    if (!prot) return Fail(error(DomExceptionName::kTypeError, "unknown credentialProtectionPolicy " + *ext.credential_protection_policy));
  }
  // Steps 13-15: clientDataJSON and its hash.
  const std::string cdj = client_data_json(kTypeCreate, caller, options.challenge);
  const auto cdh = client_data_hash(cdj);
  note(transcript, "clientDataJSON: " + cdj);

  // Step 22: the authenticator's capabilities.
  auto info = read_authenticator_info(dev);
  if (!info) return Fail(ctap_client_error(Ceremony::kCreate, info.error()));
  note(transcript, "getInfo: " + summarize(*info));

  const bool need_rk_capable = options.resident_key ? *options.resident_key == ResidentKey::kRequired : options.require_resident_key;
  const bool large_blob_required = ext.large_blob_support && *ext.large_blob_support == "required";
  std::string skip;
  if (options.authenticator_attachment &&
      (*options.authenticator_attachment == Attachment::kPlatform) != info->is_platform()) {
    skip = std::string("authenticatorAttachment asks for a ") +
           (*options.authenticator_attachment == Attachment::kPlatform ? "platform" : "cross-platform") +
           " authenticator and this one is " + (info->is_platform() ? "platform" : "cross-platform");
  } else if (need_rk_capable && !info->rk.value_or(false)) {
    skip = "residentKey is required and the authenticator cannot store discoverable credentials";
  } else if (options.user_verification == UserVerification::kRequired && !info->can_do_uv()) {
    skip = "userVerification is required and the authenticator can do neither a PIN nor built-in UV";
  } else if (large_blob_required && !info->large_blobs.value_or(false)) {
    skip = "largeBlob support is required and the authenticator has no largeBlobs";
  } else if (prot && ext.enforce_credential_protection_policy && *prot > FIDO_CRED_PROT_UV_OPTIONAL &&
             !info->has_extension("credProtect")) {
    skip = "enforceCredentialProtectionPolicy is set and the authenticator lacks credProtect";
  }
  if (!skip.empty()) {
    // The client skips the only authenticator and the ceremony times out (Chromium answers
    // NotAllowedError for missing resident keys, UV and large blobs).
    return Fail(error(DomExceptionName::kNotAllowedError, skip + "; the client skips it"));
  }

  // requireResidentKey and userVerification (step 22.3-22.4).
  bool rk = false;
  if (options.resident_key) {
    rk = *options.resident_key == ResidentKey::kRequired ||
         (*options.resident_key == ResidentKey::kPreferred && info->rk.value_or(false));
  } else {
    rk = options.require_resident_key;
  }
  bool uv_wanted = effective_uv(options.user_verification, *info);
  bool uv_required = options.user_verification == UserVerification::kRequired;
  // CTAP 2.1 §6.1.2 step 7 (client side, as Chromium does): a protected authenticator makes a
  // credential without UV only when it offers makeCredUvNotRqd and the credential is not
  // discoverable; otherwise the client must get UV or the authenticator answers PUAT_REQUIRED.
  if (info->is_protected() && (rk || !info->make_cred_uv_not_rqd.value_or(false) || info->always_uv.value_or(false))) {
    uv_wanted = true;
    uv_required = true;
  }
  auto uv = plan_user_verification(uv_wanted, uv_required, *info, user.pin);
  if (!uv) return Fail(uv.error());

  // The algorithm: the RP's first choice that the authenticator lists and libfido2 can ask for
  // (libfido2 sends a single pubKeyCredParams entry).
  std::optional<std::int64_t> alg;
  for (auto a : algs) {
    if (libfido2_alg(a) && info->supports_alg(a)) {
      alg = a;
      break;
    }
  }
  if (!alg) {
    // Chromium: kNoCommonAlgorithms -> NotAllowedError.
    std::string offered;
    for (auto a : algs) offered += (offered.empty() ? "" : ", ") + cose_alg_name(a);
    return Fail(error(DomExceptionName::kNotAllowedError,
                      "the authenticator supports none of the requested algorithms (" + offered + ")"));
  }

  host::FidoCred cred(fido_cred_new());
  if (!cred) return Fail(error(DomExceptionName::kNotAllowedError, "out of memory"));
  fido_cred_t* c = cred.get();
  int r = fido_cred_set_type(c, static_cast<int>(*alg));
  if (r == FIDO_OK) r = fido_cred_set_clientdata_hash(c, cdh.data(), cdh.size());
  if (r == FIDO_OK) r = fido_cred_set_rp(c, rp_id->c_str(), options.rp_name.c_str());
  if (r == FIDO_OK) {
    r = fido_cred_set_user(c, options.user_id.data(), options.user_id.size(), options.user_name.c_str(),
                           options.user_display_name.c_str(), nullptr);
  }
  if (r == FIDO_OK) r = fido_cred_set_rk(c, rk ? FIDO_OPT_TRUE : FIDO_OPT_OMIT);
  if (r == FIDO_OK && uv->built_in) r = fido_cred_set_uv(c, FIDO_OPT_TRUE);
  std::size_t excluded = 0;
  for (const auto& d : options.exclude_credentials) {
    if (r != FIDO_OK) break;
    if (d.type != "public-key" || d.id.empty()) continue;
    r = fido_cred_exclude(c, d.id.data(), d.id.size());
    ++excluded;
  }
  // Extensions the authenticator lists in getInfo (§5.1.3 step 12, client extension processing).
  int mask = 0;
  std::vector<std::string> sent;
  if (prot && info->has_extension("credProtect")) {
    mask |= FIDO_EXT_CRED_PROTECT;
    if (r == FIDO_OK) r = fido_cred_set_prot(c, *prot);
    sent.push_back("credProtect=" + std::to_string(*prot));
  }
  if (ext.prf && info->has_extension("hmac-secret")) {
    mask |= FIDO_EXT_HMAC_SECRET;
    sent.emplace_back("hmac-secret");
  }
  if (ext.cred_blob && info->has_extension("credBlob")) {
    mask |= FIDO_EXT_CRED_BLOB;
    if (r == FIDO_OK) r = fido_cred_set_blob(c, ext.cred_blob->data(), ext.cred_blob->size());
    sent.push_back("credBlob(" + std::to_string(ext.cred_blob->size()) + " bytes)");
  }
  if (ext.large_blob_support && rk && info->large_blobs.value_or(false) && info->has_extension("largeBlobKey")) {
    mask |= FIDO_EXT_LARGEBLOB_KEY;
    sent.emplace_back("largeBlobKey");
  }
  if (r == FIDO_OK && mask != 0) r = fido_cred_set_extensions(c, mask);
  if (r != FIDO_OK) return Fail(error(DomExceptionName::kTypeError, std::string("libfido2 refused an option: ") + fido_strerr(r)));

  std::string request = "makeCredential: rp=" + *rp_id + " alg=" + cose_alg_name(*alg) + " rk=" + (rk ? "true" : "false") +
                        " uv=" + uv->how + " excludeList=" + std::to_string(excluded);
  request += detail::extension_list(sent);
  r = fido_dev_make_cred(dev, c, uv->pin ? uv->pin->c_str() : nullptr);
  if (r != FIDO_OK) {
    note(transcript, request + " -> " + fido_strerr(r));
    return Fail(ctap_client_error(Ceremony::kCreate, r));
  }

  // The attestation object (WebAuthn §6.5.4) from CTAP's fmt, authData and attStmt.
  AttestationObject att;
  att.fmt = fido_cred_fmt(c) != nullptr ? fido_cred_fmt(c) : "none";
  att.auth_data = Bytes(fido_cred_authdata_raw_ptr(c), fido_cred_authdata_raw_ptr(c) + fido_cred_authdata_raw_len(c));
  att.att_stmt = attestation_statement(c, att.fmt);
  auto auth_data = AuthenticatorData::parse(att.auth_data);
  if (!auth_data || !auth_data->attested) {
    note(transcript, request + " -> OK, but the authenticator data does not parse");
    return Fail(error(DomExceptionName::kNotAllowedError, "the authenticator returned malformed authenticator data"));
  }
  const auto& acd = *auth_data->attested;
  note(transcript, request + " -> OK fmt=" + att.fmt + " flags=" + flags_words(auth_data->flags) +
                       " signCount=" + std::to_string(auth_data->sign_count) + " credentialId=" +
                       std::to_string(acd.credential_id.size()) + " bytes");

  // Step 22 success, constructCredentialAlg step 1: attestation conveyance.
  if (profile_.rewrites_attestation && options.attestation == AttestationConveyance::kNone) {
    const bool zero_aaguid = std::all_of(acd.aaguid.begin(), acd.aaguid.end(), [](std::uint8_t b) { return b == 0; });
    const bool self = att.fmt == "packed" && att.att_stmt.find("x5c") == nullptr && zero_aaguid;
    if (!self && att.fmt != "none") {
      note(transcript, "attestation \"none\" requested: " + att.fmt + " statement replaced by none");
      att.fmt = "none";
      att.att_stmt = cbor::Value::map();
    }
    if (!self && !zero_aaguid && profile_.zero_aaguid_for_roaming_none && info->is_roaming()) {
      // rpIdHash (32) || flags (1) || signCount (4) || aaguid (16): WebAuthn §6.1, §6.5.1.
      std::fill(att.auth_data.begin() + 37, att.auth_data.begin() + 53, std::uint8_t{0});
      note(transcript, "AAGUID zeroed, as Chromium does for roaming authenticators without attestation");
    }
  }

  CreateResult out;
  out.rp_id = *rp_id;
  out.client_data_json = cdj;
  out.authenticator = *info;
  RegistrationResponse& resp = out.credential;
  resp.raw_id = acd.credential_id;
  resp.client_data_json = to_bytes(cdj);
  resp.attestation_object = serialize_attestation_object(att);
  resp.authenticator_data = att.auth_data;
  std::set<std::string> transports(info->transports.begin(), info->transports.end());
  resp.transports.assign(transports.begin(), transports.end());
  if (auto key = parse_cose_key(acd.public_key)) {
    resp.public_key = key->spki_der;
    resp.public_key_algorithm = key->alg;
  } else {
    resp.public_key_algorithm = *alg;
  }
  resp.authenticator_attachment = info->is_platform() ? "platform" : "cross-platform";
  // Client extension outputs.
  json results = json::object();
  const cbor::Value* ext_out = auth_data->extensions ? &*auth_data->extensions : nullptr;
  if (ext.cred_props) results["credProps"] = {{"rk", rk}};
  if (ext.prf) {
    const cbor::Value* hs = ext_out != nullptr ? ext_out->find("hmac-secret") : nullptr;
    results["prf"] = {{"enabled", hs != nullptr && hs->is_bool() && hs->as_bool()}};
  }
  if (ext.cred_blob) {
    const cbor::Value* cb = ext_out != nullptr ? ext_out->find("credBlob") : nullptr;
    results["credBlob"] = cb != nullptr && cb->is_bool() && cb->as_bool();
  }
  if (ext.large_blob_support) {
    results["largeBlob"] = {{"supported", fido_cred_largeblob_key_len(c) > 0}};
  }
  resp.client_extension_results = results;
  return out;
}

}  // namespace vfido::webauthn
