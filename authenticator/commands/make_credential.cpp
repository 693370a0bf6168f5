#include "authenticator/commands/make_credential.h"

#include <algorithm>
#include <memory>

#include "authenticator/attestation.h"
#include "authenticator/authenticator_data.h"
#include "authenticator/cbor/map_reader.h"
#include "authenticator/commands/pin_uv_auth_param.h"
#include "authenticator/extensions/extensions.h"
#include "authenticator/crypto/hash.h"
#include "authenticator/crypto/keys.h"

namespace vfido {
namespace {

// CTAP 2.1 §6.1 request keys.
constexpr int kClientDataHash = 0x01;
constexpr int kRp = 0x02;
constexpr int kUser = 0x03;
constexpr int kPubKeyCredParams = 0x04;
constexpr int kExcludeList = 0x05;
constexpr int kExtensions = 0x06;
constexpr int kOptions = 0x07;
constexpr int kPinUvAuthParam = 0x08;
constexpr int kPinUvAuthProtocol = 0x09;
constexpr int kEnterpriseAttestation = 0x0A;

// CTAP 2.1 §6.1 pubKeyCredParams: each entry is {"alg": int, "type": tstr}. The spec's step 3
// says a missing member is an error "for example CTAP2_ERR_INVALID_CBOR" and a member of the
// wrong type "for example CTAP2_ERR_CBOR_UNEXPECTED_TYPE"; we follow style.md §6 (missing ->
// MISSING_PARAMETER, wrong type -> CBOR_UNEXPECTED_TYPE). Entries of another type than
// "public-key" are ignored (WebAuthn §5.8.2: unknown types are ignored).
Result<std::vector<std::int64_t>> parse_pub_key_cred_params(const cbor::Array& params) {
  std::vector<std::int64_t> algs;
  algs.reserve(params.size());
  for (const auto& entry : params) {
    auto m = cbor::MapReader::from(entry);
    if (!m) return fail(m.error());
    auto type = m->required_text("type");
    if (!type) return fail(type.error());
    auto alg = m->required_int("alg");
    if (!alg) return fail(alg.error());
    if (*type == kPublicKeyType) algs.push_back(*alg);
  }
  return algs;
}

PresenceRequest presence_request(PresenceRequest::Purpose purpose, const MakeCredentialRequest& req,
                                 bool verification = false) {
  return PresenceRequest{
      .purpose = purpose, .rp_id = req.rp.id, .user_name = req.user.name.value_or(""), .verification = verification};
}

// What the steps after the user's answer need: decided once by make_credential(), then carried
// by value through the continuation.
struct Plan {
  MakeCredentialRequest req;
  MakeCredentialExtensions extensions;
  std::int64_t alg = 0;
  bool rk = false;
  bool uv = false;          // the response's uv bit
  bool up = false;          // the response's up bit (presence already collected)
  bool token_used = false;  // a pinUvAuthParam was verified (step 11.1)
  bool enterprise = false;  // step 9 decided to return an enterprise attestation
};

// Steps 15-19, after the user approved.
Result<MakeCredentialResponse> create_credential(Ctx& ctx, const Plan& plan) {
  const AuthenticatorProfile& profile = ctx.profile;
  const MakeCredentialRequest& req = plan.req;

  // Step 16: generate the credential key pair for the chosen algorithm.
  auto key = crypto::PrivateKey::generate(plan.alg, ctx.env.rng);
  if (!key) return ctx.reject(key.error(), "makeCredential step 16: key generation failed");

  // Steps 17/18: a discoverable credential keeps the user entity (and replaces one with the same
  // (rp.id, user.id), the store's job); a non-discoverable one keeps no user. The store's policy
  // decides the backup flags and may keep every credential discoverable (a synced vault).
  CredentialRecord rec;
  rec.rp_id = req.rp.id;
  rec.rp_name = req.rp.name;
  rec.user = req.user;
  rec.alg = plan.alg;
  rec.private_key = key->private_bytes().clone();
  rec.public_key = key->public_bytes();
  rec.discoverable = plan.rk;
  rec.cred_protect = cred_protect::kUvOptional;  // §12.1: without the extension, level 1
  rec.backup_eligible = profile.backup_eligible;
  rec.backup_state = profile.backup_state;
  ctx.env.store.apply_policy(rec);
  if (!rec.discoverable) rec.user = UserEntity{};
  const bool backup_eligible = rec.backup_eligible;
  const bool backup_state = rec.backup_eligible && rec.backup_state;  // WebAuthn §6.1: BS needs BE
  // Step 15: extensions (their state goes with the credential).
  auto ext_out = apply_make_credential_extensions(ctx, plan.extensions, req.rp.id, plan.rk, rec);
  if (!ext_out) return fail(ext_out.error());
  std::optional<Bytes> large_blob_key;
  if (!rec.large_blob_key.empty()) {
    large_blob_key = Bytes(rec.large_blob_key.expose().begin(), rec.large_blob_key.expose().end());
  }

  auto id = ctx.env.store.create(std::move(rec), ctx.env.rng);
  // Step 17: out of space -> CTAP2_ERR_KEY_STORE_FULL (to_ctap_status maps kFull to it).
  if (!id) return ctx.reject(to_ctap_status(id.error()), "makeCredential step 17: store refused the credential");
  auto forget = [&ctx, &id]() { (void)ctx.env.store.remove(*id); };
  // getInfo 0x08 promises IDs of at most maxCredentialIdLength bytes.
  if (id->empty() || id->size() > profile.max_credential_id_length) {
    forget();
    return ctx.reject(CtapStatus::kOther, "makeCredential: store issued a credential ID longer than the profile allows");
  }

  // WebAuthn §6.1: UP (step 14), UV (step 11), BE/BS as the store keeps them, AT with the
  // attested credential data, ED with the extension outputs; the signature counter starts at 0.
  AuthenticatorData ad;
  ad.rp_id_hash = crypto::sha256(as_span(req.rp.id));
  ad.flags = flags::kUp;
  if (plan.uv) ad.flags |= flags::kUv;
  if (backup_eligible) ad.flags |= flags::kBe;
  if (backup_state) ad.flags |= flags::kBs;
  ad.sign_count = 0;
  ad.attested = AttestedCredentialData{profile.aaguid, *id, key->public_cose()};
  ad.extensions = std::move(*ext_out);
  auto auth_data = ad.serialize();
  if (!auth_data) {
    forget();
    return ctx.reject(auth_data.error(), "makeCredential: authenticator data");
  }

  // Step 19: attestation statement (an enterprise one when step 9 chose it).
  auto att = make_attestation(profile, plan.enterprise, *key, *auth_data, req.client_data_hash);
  if (!att) {
    forget();
    return ctx.reject(att.error(), "makeCredential step 19: attestation failed");
  }
  MakeCredentialResponse resp{std::move(att->fmt), std::move(*auth_data), std::move(att->att_stmt), std::nullopt,
                              std::move(large_blob_key)};
  if (plan.enterprise) resp.ep_att = true;
  return resp;
}

// Step 14.3-14.4 and the rest: up is now true; the token's presence, verification and
// permissions (but lbw) are consumed.
Result<MakeCredentialResponse> present_and_create(Ctx& ctx, Plan plan) {
  plan.up = true;
  auto& token = ctx.vol.token_state();
  token.clear_user_present();
  token.clear_user_verified();
  token.clear_permissions_except_lbw();
  return create_credential(ctx, plan);
}

// Steps 12-14 once user verification is settled: the excludeList, then presence.
Result<Step<MakeCredentialResponse>> exclude_then_presence(Ctx& ctx, std::shared_ptr<Plan> plan) {
  using Purpose = PresenceRequest::Purpose;
  const bool token_up = plan->token_used && ctx.vol.token_state().user_present();
  // Step 12: an excludeList entry that is ours and bound to rp.id -> CREDENTIAL_EXCLUDED, after
  // a touch unless presence is already known (the token's userPresent flag, or built-in UV),
  // "regardless of whether user presence is obtained or the authenticator times out".
  // credProtect level 3 entries count only with uv. Lists longer than
  // maxCredentialCountInList are processed whole.
  for (const auto& d : plan->req.exclude_list) {
    if (!d.is_public_key()) continue;
    auto found = ctx.env.store.find(plan->req.rp.id, d.id);
    if (!found) return ctx.reject(to_ctap_status(found.error()), "makeCredential step 12: store lookup failed");
    if (!*found || ((*found)->cred_protect >= cred_protect::kUvRequired && !plan->uv)) continue;
    if (plan->up || token_up) {
      return ctx.reject(CtapStatus::kCredentialExcluded, "makeCredential step 12: excluded credential");
    }
    ctx.debug("makeCredential step 12: excludeList hit; asking for presence");
    return Step<MakeCredentialResponse>{NeedsPresence<MakeCredentialResponse>{
        presence_request(Purpose::kExcluded, plan->req), [&ctx](PresenceOutcome) -> Result<MakeCredentialResponse> {
          return ctx.reject(CtapStatus::kCredentialExcluded, "makeCredential step 12: excluded credential");
        }}};
  }
  // Step 13: built-in UV proved presence. Step 14: with a token whose userPresent flag is set,
  // no new touch; otherwise ask. Declined -> OPERATION_DENIED; a timeout answers
  // CTAP2_ERR_USER_ACTION_TIMEOUT (as OpenSK does, so the host can tell the two apart).
  if (plan->up || token_up) {
    auto r = present_and_create(ctx, *plan);
    if (!r) return fail(r.error());
    return Step<MakeCredentialResponse>{std::move(*r)};
  }
  return Step<MakeCredentialResponse>{NeedsPresence<MakeCredentialResponse>{
      presence_request(Purpose::kMakeCredential, plan->req),
      [&ctx, plan](PresenceOutcome outcome) -> Result<MakeCredentialResponse> {
        if (outcome == PresenceOutcome::kDenied) {
          return ctx.reject(CtapStatus::kOperationDenied, "makeCredential step 14: user declined");
        }
        if (outcome == PresenceOutcome::kTimedOut) {
          return ctx.reject(CtapStatus::kUserActionTimeout, "makeCredential step 14: no touch in time");
        }
        return present_and_create(ctx, *plan);
      }}};
}

// Step 11.2: built-in user verification (through the UserPresence port), with its retry counter.
Result<Step<MakeCredentialResponse>> built_in_uv(Ctx& ctx, std::shared_ptr<Plan> plan) {
  if (ctx.device.uv_retries == 0) return ctx.reject(CtapStatus::kPinBlocked, "makeCredential step 11.2: uvRetries is 0");
  return Step<MakeCredentialResponse>{NeedsPresence<MakeCredentialResponse>{
      presence_request(PresenceRequest::Purpose::kMakeCredential, plan->req, true),
      [&ctx, plan](PresenceOutcome outcome) -> Result<MakeCredentialResponse> {
        if (outcome == PresenceOutcome::kTimedOut) {
          return ctx.reject(CtapStatus::kUserActionTimeout, "makeCredential step 11.2.3.1: UV timed out");
        }
        if (outcome == PresenceOutcome::kDenied) {
          ctx.device.uv_retries = static_cast<std::uint8_t>(ctx.device.uv_retries - 1);
          VFIDO_TRY(ctx.save_device());
          if (ctx.device.uv_retries == 0) return ctx.reject(CtapStatus::kPinBlocked, "makeCredential step 11.2.3.2: UV failed, none left");
          return ctx.reject(CtapStatus::kOperationDenied, "makeCredential step 11.2.3.3: UV failed");
        }
        if (ctx.device.uv_retries != ctx.profile.max_uv_retries) {
          ctx.device.uv_retries = ctx.profile.max_uv_retries;
          VFIDO_TRY(ctx.save_device());
        }
        // Step 11.2.4: uv; step 13: the UV gesture proved presence too.
        plan->uv = true;
        plan->up = true;
        auto next = exclude_then_presence(ctx, plan);
        if (!next) return fail(next.error());
        // With up already true, steps 12-14 never ask the user again.
        if (auto* done = std::get_if<MakeCredentialResponse>(&*next)) return std::move(*done);
        return ctx.reject(CtapStatus::kOther, "makeCredential: asked for presence after UV");
      }}};
}

}  // namespace

Result<MakeCredentialRequest> MakeCredentialRequest::parse(const cbor::Value& v) {
  auto m = cbor::MapReader::from(v);
  if (!m) return fail(m.error());
  MakeCredentialRequest r;

  auto cdh = m->required_bytes(kClientDataHash);
  if (!cdh) return fail(cdh.error());
  // clientDataHash is SHA-256(clientDataJSON): 32 bytes (CTAP 2.1 §6.1). The spec names no
  // status for another length; CTAP1_ERR_INVALID_LENGTH is the status for "invalid item
  // length" (§8.2), and what the SoloKeys Rust fido-authenticator answered (Canokey answers
  // INVALID_CBOR, others INVALID_PARAMETER: implementations differ).
  if (cdh->size() != kClientDataHashLen) return fail(CtapStatus::kInvalidLength);
  std::copy(cdh->begin(), cdh->end(), r.client_data_hash.begin());

  auto rp = m->required_map(kRp);
  if (!rp) return fail(rp.error());
  auto rp_entity = RpEntity::parse(**rp);
  if (!rp_entity) return fail(rp_entity.error());
  r.rp = std::move(*rp_entity);

  auto user = m->required_map(kUser);
  if (!user) return fail(user.error());
  auto user_entity = parse_user_entity(**user);
  if (!user_entity) return fail(user_entity.error());
  r.user = std::move(*user_entity);

  auto params = m->required_array(kPubKeyCredParams);
  if (!params) return fail(params.error());
  auto algs = parse_pub_key_cred_params(**params);
  if (!algs) return fail(algs.error());
  r.pub_key_cred_algs = std::move(*algs);

  auto exclude = m->optional_array(kExcludeList);
  if (!exclude) return fail(exclude.error());
  if (*exclude != nullptr) {
    auto list = parse_descriptor_list(**exclude);
    if (!list) return fail(list.error());
    r.exclude_list = std::move(*list);
  }

  auto ext = m->optional_map(kExtensions);
  if (!ext) return fail(ext.error());
  if (*ext != nullptr) r.extensions = **ext;

  auto options = m->optional_map(kOptions);
  if (!options) return fail(options.error());
  auto opts = RequestOptions::parse(*options);
  if (!opts) return fail(opts.error());
  r.options = *opts;

  auto param = m->optional_bytes(kPinUvAuthParam);
  if (!param) return fail(param.error());
  r.pin_uv_auth_param = std::move(*param);
  auto protocol = m->optional_uint(kPinUvAuthProtocol);
  if (!protocol) return fail(protocol.error());
  r.pin_uv_auth_protocol = *protocol;
  auto ea = m->optional_uint(kEnterpriseAttestation);
  if (!ea) return fail(ea.error());
  r.enterprise_attestation = *ea;
  return r;
}

cbor::Value MakeCredentialResponse::encode() const {
  cbor::Value m = cbor::Value::map();
  m.set(0x01, cbor::Value::text(fmt));
  m.set(0x02, cbor::Value::bytes(auth_data));
  m.set(0x03, att_stmt);
  if (ep_att) m.set(0x04, cbor::Value::boolean(*ep_att));
  if (large_blob_key) m.set(0x05, cbor::Value::bytes(*large_blob_key));
  return m;
}

Result<Step<MakeCredentialResponse>> make_credential(Ctx& ctx, const MakeCredentialRequest& req) {
  const AuthenticatorProfile& profile = ctx.profile;
  using Purpose = PresenceRequest::Purpose;

  // Step 1: a zero-length pinUvAuthParam is a request to be touched (key selection).
  if (is_probe(ctx, req.pin_uv_auth_param)) {
    return Step<MakeCredentialResponse>{
        probe_presence<MakeCredentialResponse>(ctx, presence_request(Purpose::kSelection, req), "makeCredential")};
  }
  // Step 2: pinUvAuthProtocol absent -> MISSING_PARAMETER; unsupported -> INVALID_PARAMETER.
  auto protocol = param_protocol(ctx, req.pin_uv_auth_param, req.pin_uv_auth_protocol, "makeCredential step 2");
  if (!protocol) return fail(protocol.error());
  const bool param = protocol->has_value();

  auto plan = std::make_shared<Plan>();
  plan->req = req;
  // Step 3: the first pubKeyCredParams entry whose algorithm we support; none ->
  // CTAP2_ERR_UNSUPPORTED_ALGORITHM (also when the list is empty).
  for (auto a : req.pub_key_cred_algs) {
    if (std::find(profile.algorithms.begin(), profile.algorithms.end(), a) != profile.algorithms.end()) {
      plan->alg = a;
      break;
    }
  }
  if (plan->alg == 0) return ctx.reject(CtapStatus::kUnsupportedAlgorithm, "makeCredential step 3: no supported algorithm");

  // Step 5: options; unknown keys were dropped by RequestOptions::parse. 5.1/5.2: uv defaults to
  // false, and is false when a pinUvAuthParam is present.
  bool uv = param ? false : req.options.uv.value_or(false);
  // 5.3: uv true without enabled built-in user verification -> CTAP2_ERR_INVALID_OPTION.
  if (uv && !profile.built_in_uv.value_or(false)) {
    return ctx.reject(CtapStatus::kInvalidOption, "makeCredential step 5.3: uv requested, no built-in UV enabled");
  }
  // 5.4: rk requested but discoverable credentials are not supported -> UNSUPPORTED_OPTION.
  plan->rk = req.options.rk.value_or(false);
  if (plan->rk && !profile.resident_keys) {
    return ctx.reject(CtapStatus::kUnsupportedOption, "makeCredential step 5.4: rk not supported");
  }
  // Synced providers keep every passkey discoverable (profile.always_discoverable). Steps 7-8
  // still judge the request by its own rk option.
  const bool rk_requested = plan->rk;
  plan->rk = plan->rk || profile.always_discoverable;
  // 5.6: up false -> CTAP2_ERR_INVALID_OPTION (makeCredential always tests presence).
  if (!req.options.up.value_or(true)) return ctx.reject(CtapStatus::kInvalidOption, "makeCredential step 5.6: up=false");

  const bool protected_ = ctx.is_protected();
  bool uv_not_rqd = profile.make_cred_uv_not_rqd;
  // Step 6: alwaysUv.
  if (ctx.device.always_uv) {
    uv_not_rqd = false;  // 6.1
    // 6.2: not protected -> PUAT_REQUIRED (clientPin usable for mc) or OPERATION_DENIED.
    if (!protected_) return ctx.reject(ctx.uv_required_status(), "makeCredential step 6.2: alwaysUv, device not protected");
    // 6.3: built-in UV enabled and no pinUvAuthParam -> uv.
    if (!param && profile.built_in_uv.value_or(false)) uv = true;
    // 6.4: still neither -> PUAT_REQUIRED / OPERATION_DENIED.
    if (!param && !uv) return ctx.reject(ctx.uv_required_status(), "makeCredential step 6.4: alwaysUv needs UV");
  }
  // Steps 7-8: a protected device needs UV unless makeCredUvNotRqd allows a non-discoverable
  // credential without it.
  if (protected_ && !uv && !param && (rk_requested || !uv_not_rqd)) {
    return ctx.reject(ctx.uv_required_status(), "makeCredential steps 7-8: the device is protected and no UV was offered");
  }

  // Step 9: enterpriseAttestation. Not capable or disabled -> INVALID_PARAMETER; a value other
  // than 1 or 2 -> INVALID_OPTION; otherwise an enterprise attestation only for a preconfigured
  // RP ID (vendor-facilitated, 1) or when platform-managed attestation is offered (2); else the
  // parameter counts as absent.
  if (req.enterprise_attestation) {
    if (!profile.enterprise_attestation || !ctx.device.enterprise_attestation) {
      return ctx.reject(CtapStatus::kInvalidParameter, "makeCredential step 9: enterprise attestation not enabled");
    }
    const std::uint64_t ea = *req.enterprise_attestation;
    if (ea != 1 && ea != 2) return ctx.reject(CtapStatus::kInvalidOption, "makeCredential step 9: enterpriseAttestation not 1 or 2");
    const auto& ids = profile.enterprise_attestation_rp_ids;
    const bool listed = std::find(ids.begin(), ids.end(), req.rp.id) != ids.end();
    plan->enterprise = listed || (ea == 2 && profile.platform_managed_enterprise_attestation);
  }

  // Step 15 inputs, checked before anyone is asked for anything.
  auto extensions = MakeCredentialExtensions::parse(profile, req.extensions);
  if (!extensions) return ctx.reject(extensions.error(), "makeCredential: extension input");
  plan->extensions = std::move(*extensions);

  // Step 10: nothing to verify for a non-discoverable credential under makeCredUvNotRqd.
  // Step 11.1: a pinUvAuthParam: verify(token, clientDataHash), the mc permission, the
  // permissions RP ID, the userVerified flag -> each PIN_AUTH_INVALID; then uv, and bind rp.id.
  if (param) {
    const auto p = **protocol;
    VFIDO_TRY(verify_token_param(ctx, p, req.client_data_hash, *req.pin_uv_auth_param, "makeCredential step 11.1.1"));
    auto& token = ctx.vol.token_state();
    if (!token.has_permission(pin_uv_auth::permission::kMc)) {
      return ctx.reject(CtapStatus::kPinAuthInvalid, "makeCredential step 11.1.2: token lacks mc");
    }
    if (token.rp_id() && *token.rp_id() != req.rp.id) {
      return ctx.reject(CtapStatus::kPinAuthInvalid, "makeCredential step 11.1.3: token bound to another RP ID");
    }
    if (!token.user_verified()) {
      return ctx.reject(CtapStatus::kPinAuthInvalid, "makeCredential step 11.1.5: token's userVerified flag is false");
    }
    plan->uv = true;
    plan->token_used = true;
    if (!token.rp_id()) token.set_rp_id(req.rp.id);
    token.mark_used();
    return exclude_then_presence(ctx, plan);
  }
  // Step 11.2: uv through built-in user verification.
  if (uv) return built_in_uv(ctx, plan);
  return exclude_then_presence(ctx, plan);
}

}  // namespace vfido
