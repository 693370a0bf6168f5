#include "authenticator/commands/get_assertion.h"

#include <algorithm>
#include <memory>

#include "authenticator/authenticator_data.h"
#include "authenticator/cbor/map_reader.h"
#include "authenticator/commands/pin_uv_auth_param.h"
#include "authenticator/extensions/extensions.h"
#include "authenticator/crypto/hash.h"
#include "authenticator/crypto/keys.h"

namespace vfido {
namespace {

// CTAP 2.1 §6.2 request keys.
constexpr int kRpId = 0x01;
constexpr int kClientDataHash = 0x02;
constexpr int kAllowList = 0x03;
constexpr int kExtensions = 0x04;
constexpr int kOptions = 0x05;
constexpr int kPinUvAuthParam = 0x06;
constexpr int kPinUvAuthProtocol = 0x07;

PresenceRequest presence_request(const GetAssertionRequest& req, const std::string& user_name, bool verification) {
  return PresenceRequest{.purpose = PresenceRequest::Purpose::kGetAssertion,
                         .rp_id = req.rp_id,
                         .user_name = user_name,
                         .verification = verification};
}

// What the steps after the user's answer need.
struct Plan {
  GetAssertionRequest req;
  AssertionState state;     // rp_id, hashes, uv, extensions, hmac-secret salts
  bool up_requested = true;  // the "up" option (step 4.5)
  bool up_done = false;      // presence already collected (built-in UV, step 8)
  bool token_used = false;   // a pinUvAuthParam was verified (step 6.1)
};

// Step 7: the applicable credentials, newest first without an allowList. Filters credProtect
// levels by the uv bit.
Result<std::vector<CredentialRecord>> locate(Ctx& ctx, const Plan& plan) {
  std::vector<CredentialRecord> found;
  const bool uv = plan.state.uv;
  if (!plan.req.allow_list.empty()) {
    // 7.1: listed credentials of ours bound to rpId (discoverable or not). 7.4: drop
    // userVerificationRequired ones without uv. Step 11 then picks any one, so the first
    // applicable entry is enough. Lists longer than maxCredentialCountInList are processed.
    for (const auto& d : plan.req.allow_list) {
      if (!d.is_public_key()) continue;
      auto cred = ctx.env.store.find(plan.req.rp_id, d.id);
      if (!cred) return ctx.reject(to_ctap_status(cred.error()), "getAssertion step 7: store lookup failed");
      if (!*cred || ((*cred)->cred_protect >= cred_protect::kUvRequired && !uv)) continue;
      found.push_back(std::move(**cred));
      break;
    }
    return found;
  }
  // 7.2: every discoverable credential for rpId. 7.4/7.5: without uv, credProtect levels 2 and
  // 3 are dropped (no allowList).
  auto creds = ctx.env.store.find_discoverable(plan.req.rp_id);
  if (!creds) return ctx.reject(to_ctap_status(creds.error()), "getAssertion step 7: store lookup failed");
  for (auto& c : *creds) {
    if (!uv && c.cred_protect >= cred_protect::kUvOptionalWithCredentialIdList) continue;
    found.push_back(std::move(c));
  }
  // Step 12: newest first (the store's order; made certain here).
  std::stable_sort(found.begin(), found.end(),
                   [](const CredentialRecord& x, const CredentialRecord& y) { return x.created_seq > y.created_seq; });
  return found;
}

// Steps 10-13 once presence is settled.
Result<GetAssertionResponse> respond(Ctx& ctx, Plan& plan, const std::vector<CredentialRecord>& creds, bool up) {
  plan.state.up_flag = up ? flags::kUp : 0;
  if (up) {
    // Step 9: the token's presence, verification and permissions (but lbw) are consumed.
    auto& token = ctx.vol.token_state();
    token.clear_user_present();
    token.clear_user_verified();
    token.clear_permissions_except_lbw();
  }
  auto resp = make_assertion(ctx, creds.front(), plan.state);
  if (!resp) return resp;
  // Step 11: with an allowList, numberOfCredentials is omitted (one credential is chosen).
  // Step 12: without one and with several credentials, no display: remember the request for
  // getNextAssertion, credentialCounter = 1, start the timer, return numberOfCredentials.
  if (plan.req.allow_list.empty() && creds.size() > 1) {
    resp->number_of_credentials = creds.size();
    AssertionState st = std::move(plan.state);
    st.credential_ids.clear();
    for (const auto& c : creds) st.credential_ids.push_back(c.id);
    st.credential_counter = 1;
    st.last_ms = ctx.now_ms();
    ctx.session.assertions = std::move(st);
  }
  return resp;
}

// Steps 7-13 after user verification is settled: locate, then presence.
Result<Step<GetAssertionResponse>> locate_then_presence(Ctx& ctx, std::shared_ptr<Plan> plan) {
  auto found = locate(ctx, *plan);
  if (!found) return fail(found.error());
  // 7.6: nothing applicable -> CTAP2_ERR_NO_CREDENTIALS, before any touch.
  if (found->empty()) return ctx.reject(CtapStatus::kNoCredentials, "getAssertion step 7.6: no credentials");
  auto creds = std::make_shared<std::vector<CredentialRecord>>(std::move(*found));

  // Step 8: built-in UV proved presence. Step 9: up requested -> a touch, unless the token's
  // userPresent flag is set; up false: no touch and UP 0. Declined -> OPERATION_DENIED; a
  // timeout answers USER_ACTION_TIMEOUT (see make_credential.cpp).
  const bool token_up = plan->token_used && ctx.vol.token_state().user_present();
  if (!plan->up_requested || plan->up_done || token_up) {
    auto r = respond(ctx, *plan, *creds, plan->up_requested);
    if (!r) return fail(r.error());
    return Step<GetAssertionResponse>{std::move(*r)};
  }
  const std::string user_name = creds->size() == 1 ? creds->front().user.name.value_or("") : std::string();
  return Step<GetAssertionResponse>{NeedsPresence<GetAssertionResponse>{
      presence_request(plan->req, user_name, false),
      [&ctx, plan, creds](PresenceOutcome outcome) -> Result<GetAssertionResponse> {
        if (outcome == PresenceOutcome::kDenied) {
          return ctx.reject(CtapStatus::kOperationDenied, "getAssertion step 9: user declined");
        }
        if (outcome == PresenceOutcome::kTimedOut) {
          return ctx.reject(CtapStatus::kUserActionTimeout, "getAssertion step 9: no touch in time");
        }
        return respond(ctx, *plan, *creds, true);
      }}};
}

// Step 6.2: built-in user verification, with its retry counter.
Result<Step<GetAssertionResponse>> built_in_uv(Ctx& ctx, std::shared_ptr<Plan> plan) {
  if (ctx.device.uv_retries == 0) return ctx.reject(CtapStatus::kPinBlocked, "getAssertion step 6.2: uvRetries is 0");
  return Step<GetAssertionResponse>{NeedsPresence<GetAssertionResponse>{
      presence_request(plan->req, "", true), [&ctx, plan](PresenceOutcome outcome) -> Result<GetAssertionResponse> {
        if (outcome == PresenceOutcome::kTimedOut) {
          return ctx.reject(CtapStatus::kUserActionTimeout, "getAssertion step 6.2.3.1: UV timed out");
        }
        if (outcome == PresenceOutcome::kDenied) {
          ctx.device.uv_retries = static_cast<std::uint8_t>(ctx.device.uv_retries - 1);
          VFIDO_TRY(ctx.save_device());
          // 6.2.3.2: PUAT_REQUIRED when clientPin can be used instead; 6.2.3.3-4 otherwise.
          if (ctx.device.pin && !ctx.profile.no_mc_ga_permissions_with_client_pin) {
            return ctx.reject(CtapStatus::kPuatRequired, "getAssertion step 6.2.3.2: UV failed, use the PIN");
          }
          if (ctx.device.uv_retries == 0) return ctx.reject(CtapStatus::kPinBlocked, "getAssertion step 6.2.3.3: UV failed, none left");
          return ctx.reject(CtapStatus::kOperationDenied, "getAssertion step 6.2.3.4: UV failed");
        }
        if (ctx.device.uv_retries != ctx.profile.max_uv_retries) {
          ctx.device.uv_retries = ctx.profile.max_uv_retries;
          VFIDO_TRY(ctx.save_device());
        }
        plan->state.uv = true;   // 6.2.4
        plan->up_done = true;    // step 8
        auto next = locate_then_presence(ctx, plan);
        if (!next) return fail(next.error());
        if (auto* done = std::get_if<GetAssertionResponse>(&*next)) return std::move(*done);
        return ctx.reject(CtapStatus::kOther, "getAssertion: asked for presence after UV");
      }}};
}

}  // namespace

Result<GetAssertionRequest> GetAssertionRequest::parse(const cbor::Value& v) {
  auto m = cbor::MapReader::from(v);
  if (!m) return fail(m.error());
  GetAssertionRequest r;

  auto rp_id = m->required_text(kRpId);
  if (!rp_id) return fail(rp_id.error());
  r.rp_id = std::move(*rp_id);

  auto cdh = m->required_bytes(kClientDataHash);
  if (!cdh) return fail(cdh.error());
  // 32 bytes (CTAP 2.1 §6.2); see MakeCredentialRequest::parse for the choice of status.
  if (cdh->size() != kClientDataHashLen) return fail(CtapStatus::kInvalidLength);
  std::copy(cdh->begin(), cdh->end(), r.client_data_hash.begin());

  auto allow = m->optional_array(kAllowList);
  if (!allow) return fail(allow.error());
  if (*allow != nullptr) {
    auto list = parse_descriptor_list(**allow);
    if (!list) return fail(list.error());
    r.allow_list = std::move(*list);
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
  return r;
}

cbor::Value GetAssertionResponse::encode() const {
  cbor::Value m = cbor::Value::map();
  m.set(0x01, credential.encode());
  m.set(0x02, cbor::Value::bytes(auth_data));
  m.set(0x03, cbor::Value::bytes(signature));
  if (user) m.set(0x04, encode_user_entity(*user));
  if (number_of_credentials) m.set(0x05, cbor::Value::uint(*number_of_credentials));
  if (large_blob_key) m.set(0x07, cbor::Value::bytes(*large_blob_key));
  return m;
}

Result<GetAssertionResponse> make_assertion(Ctx& ctx, const CredentialRecord& cred, const AssertionState& request) {
  // WebAuthn §6.1.1: the counter goes up on every assertion (per credential), or stays 0 for a
  // model that keeps none.
  StoreResult<std::uint32_t> count = 0u;
  if (ctx.profile.sign_counter == SignCounter::kPerCredential) count = ctx.env.store.next_sign_count(cred);
  if (!count) return ctx.reject(to_ctap_status(count.error()), "getAssertion: signature counter");

  // Step 10: extension outputs for this credential.
  auto ext = assertion_extension_outputs(ctx, request.extensions, request.hmac_secret, cred, request.uv);
  if (!ext) return fail(ext.error());

  // WebAuthn §6.1: UP and UV as decided by the request, BE/BS as fixed for this credential, no
  // AT in assertions, ED with the extension outputs.
  AuthenticatorData ad;
  ad.rp_id_hash = request.rp_id_hash;
  ad.flags = request.up_flag;
  if (request.uv) ad.flags |= flags::kUv;
  if (cred.backup_eligible) ad.flags |= flags::kBe;
  if (cred.backup_state) ad.flags |= flags::kBs;
  ad.sign_count = *count;
  ad.extensions = std::move(ext->auth_data);
  auto auth_data = ad.serialize();
  if (!auth_data) return ctx.reject(auth_data.error(), "getAssertion: authenticator data");

  // Step 13: sign authData || clientDataHash with the credential's private key.
  auto key = ctx.keys.get(cred);
  if (!key) return ctx.reject(CtapStatus::kOther, "getAssertion: stored credential key is unusable");
  ByteWriter msg(auth_data->size() + request.client_data_hash.size());
  msg.bytes(*auth_data).bytes(request.client_data_hash);
  auto sig = (*key)->sign(msg.view());
  if (!sig) return ctx.reject(sig.error(), "getAssertion step 13: signing failed");

  GetAssertionResponse resp;
  resp.credential.id = cred.id;
  resp.credential.type = std::string(kPublicKeyType);
  resp.auth_data = std::move(*auth_data);
  resp.signature = std::move(*sig);
  resp.large_blob_key = std::move(ext->large_blob_key);
  // Step 12 / response 0x04: the user entity of a discoverable credential. name, displayName
  // and icon "MUST NOT be returned if user verification is not done by the authenticator".
  if (cred.discoverable && !cred.user.id.empty()) {
    resp.user = request.uv ? cred.user : UserEntity{cred.user.id, std::nullopt, std::nullopt, std::nullopt};
  }
  return resp;
}

Result<Step<GetAssertionResponse>> get_assertion(Ctx& ctx, const GetAssertionRequest& req) {
  const AuthenticatorProfile& profile = ctx.profile;
  // Step 1: a zero-length pinUvAuthParam is a request to be touched (key selection).
  if (is_probe(ctx, req.pin_uv_auth_param)) {
    PresenceRequest ask = presence_request(req, "", false);
    ask.purpose = PresenceRequest::Purpose::kSelection;
    return Step<GetAssertionResponse>{probe_presence<GetAssertionResponse>(ctx, std::move(ask), "getAssertion")};
  }
  // Step 2: pinUvAuthProtocol absent -> MISSING_PARAMETER; unsupported -> INVALID_PARAMETER.
  auto protocol = param_protocol(ctx, req.pin_uv_auth_param, req.pin_uv_auth_protocol, "getAssertion step 2");
  if (!protocol) return fail(protocol.error());
  const bool param = protocol->has_value();

  // Step 4: options. uv is false when a pinUvAuthParam is present; uv true without enabled
  // built-in UV -> INVALID_OPTION; any "rk" -> UNSUPPORTED_OPTION; up defaults to true and
  // up=false is a silent request (no touch, UP flag 0).
  bool uv = param ? false : req.options.uv.value_or(false);
  if (uv && !profile.built_in_uv.value_or(false)) {
    return ctx.reject(CtapStatus::kInvalidOption, "getAssertion step 4.3: uv requested, no built-in UV enabled");
  }
  if (req.options.rk) return ctx.reject(CtapStatus::kUnsupportedOption, "getAssertion step 4.4: rk option present");
  const bool up = req.options.up.value_or(true);

  // Step 5: alwaysUv with up: a device that is not protected -> PUAT_REQUIRED/OPERATION_DENIED;
  // without a pinUvAuthParam or uv, built-in UV is used when enabled, else the same error.
  if (ctx.device.always_uv && up) {
    if (!ctx.is_protected()) return ctx.reject(ctx.uv_required_status(), "getAssertion step 5.1: alwaysUv, device not protected");
    if (!param && !uv) {
      if (!profile.built_in_uv.value_or(false)) return ctx.reject(ctx.uv_required_status(), "getAssertion step 5.5: alwaysUv needs UV");
      uv = true;  // 5.4
    }
  }

  auto plan = std::make_shared<Plan>();
  plan->req = req;
  plan->up_requested = up;
  plan->state.rp_id = req.rp_id;
  plan->state.rp_id_hash = crypto::sha256(as_span(req.rp_id));
  plan->state.client_data_hash = req.client_data_hash;

  // Step 10 inputs, checked before anyone is asked for anything.
  auto extensions = GetAssertionExtensions::parse(profile, req.extensions);
  if (!extensions) return ctx.reject(extensions.error(), "getAssertion: extension input");
  plan->state.extensions = std::move(*extensions);
  auto salts = prepare_hmac_secret(ctx, plan->state.extensions, up);
  if (!salts) return fail(salts.error());
  plan->state.hmac_secret = std::move(*salts);

  // Step 6.1: a pinUvAuthParam: verify(token, clientDataHash) (uv on success), the userVerified
  // flag, the ga permission, the permissions RP ID -> each PIN_AUTH_INVALID; bind rpId.
  if (param) {
    const auto p = **protocol;
    VFIDO_TRY(verify_token_param(ctx, p, req.client_data_hash, *req.pin_uv_auth_param, "getAssertion step 6.1.1"));
    auto& token = ctx.vol.token_state();
    if (!token.user_verified()) {
      return ctx.reject(CtapStatus::kPinAuthInvalid, "getAssertion step 6.1.3: token's userVerified flag is false");
    }
    if (!token.has_permission(pin_uv_auth::permission::kGa)) {
      return ctx.reject(CtapStatus::kPinAuthInvalid, "getAssertion step 6.1.4: token lacks ga");
    }
    if (token.rp_id() && *token.rp_id() != req.rp_id) {
      return ctx.reject(CtapStatus::kPinAuthInvalid, "getAssertion step 6.1.5: token bound to another RP ID");
    }
    if (!token.rp_id()) token.set_rp_id(req.rp_id);
    token.mark_used();
    plan->state.uv = true;
    plan->token_used = true;
    return locate_then_presence(ctx, plan);
  }
  // Step 6.2: uv through built-in user verification. Otherwise continue without UV.
  if (uv) return built_in_uv(ctx, plan);
  return locate_then_presence(ctx, plan);
}

}  // namespace vfido
