#include "authenticator/commands/get_assertion.h"

#include <algorithm>
#include <memory>

#include "authenticator/authenticator_data.h"
#include "authenticator/cbor/map_reader.h"
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

// CTAP 2.1 §12.1 credProtect levels.
constexpr std::uint8_t kUvOptionalWithCredentialIdList = 2;
constexpr std::uint8_t kUvRequired = 3;

// What the continuation after the touch needs.
struct Located {
  std::string rp_id;
  ByteArray<kClientDataHashLen> client_data_hash{};
  std::vector<CredentialRecord> credentials;  // newest first when there is no allowList
  bool allow_list = false;
};

// Steps 11-13, once presence is settled.
Result<GetAssertionResponse> respond(Ctx& ctx, const Located& found, bool up) {
  const auto rp_id_hash = crypto::sha256(as_span(found.rp_id));
  const std::uint8_t up_flag = up ? flags::kUp : 0;
  auto resp = make_assertion(ctx, found.credentials.front(), rp_id_hash, up_flag, found.client_data_hash);
  if (!resp) return resp;
  // Step 11: with an allowList, numberOfCredentials is omitted (one credential is chosen).
  // Step 12: without one and with several credentials, no display: remember the request for
  // getNextAssertion, credentialCounter = 1, start the timer, return numberOfCredentials.
  if (!found.allow_list && found.credentials.size() > 1) {
    resp->number_of_credentials = found.credentials.size();
    AssertionState st;
    st.rp_id = found.rp_id;
    st.rp_id_hash = rp_id_hash;
    st.client_data_hash = found.client_data_hash;
    st.up_flag = up_flag;
    st.credential_ids.reserve(found.credentials.size());
    for (const auto& c : found.credentials) st.credential_ids.push_back(c.id);
    st.credential_counter = 1;
    st.last_ms = ctx.env.clock.now_ms();
    ctx.session.assertions = std::move(st);
  }
  return resp;
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
  return m;
}

Result<GetAssertionResponse> make_assertion(Ctx& ctx, const CredentialRecord& cred,
                                            const ByteArray<kRpIdHashLen>& rp_id_hash, std::uint8_t up_flag,
                                            const ByteArray<kClientDataHashLen>& client_data_hash) {
  // WebAuthn §6.1.1: the counter goes up on every assertion (per credential in vfido).
  auto count = ctx.env.store.next_sign_count(cred);
  if (!count) return ctx.reject(to_ctap_status(count.error()), "getAssertion: signature counter");

  // WebAuthn §6.1: UP as decided by the caller, UV never (no UV in the core), BE/BS as fixed
  // for this credential at registration, no AT in assertions, no extensions.
  AuthenticatorData ad;
  ad.rp_id_hash = rp_id_hash;
  ad.flags = up_flag;
  if (cred.backup_eligible) ad.flags |= flags::kBe;
  if (cred.backup_state) ad.flags |= flags::kBs;
  ad.sign_count = *count;
  auto auth_data = ad.serialize();
  if (!auth_data) return ctx.reject(auth_data.error(), "getAssertion: authenticator data");

  // Step 13: sign authData || clientDataHash with the credential's private key.
  auto key = ctx.keys.get(cred);
  if (!key) return ctx.reject(CtapStatus::kOther, "getAssertion: stored credential key is unusable");
  ByteWriter msg(auth_data->size() + client_data_hash.size());
  msg.bytes(*auth_data).bytes(client_data_hash);
  auto sig = (*key)->sign(msg.view());
  if (!sig) return ctx.reject(sig.error(), "getAssertion step 13: signing failed");

  GetAssertionResponse resp;
  resp.credential.id = cred.id;
  resp.credential.type = std::string(kPublicKeyType);
  resp.auth_data = std::move(*auth_data);
  resp.signature = std::move(*sig);
  // Step 12 / response 0x04: the user entity of a discoverable credential. name, displayName
  // and icon "MUST NOT be returned if user verification is not done by the authenticator"; the
  // core never verifies the user, so only the user handle goes out.
  if (cred.discoverable && !cred.user.id.empty()) {
    resp.user.emplace();
    resp.user->id = cred.user.id;
  }
  return resp;
}

Result<Step<GetAssertionResponse>> get_assertion(Ctx& ctx, const GetAssertionRequest& req) {
  // Step 1 (zero-length pinUvAuthParam probe) applies only to authenticators with clientPin or
  // pinUvAuthToken; the core has neither. Step 2: pinUvAuthParam present -> protocol absent is
  // MISSING_PARAMETER, otherwise the protocol is unsupported: INVALID_PARAMETER.
  if (req.pin_uv_auth_param) {
    if (!req.pin_uv_auth_protocol) {
      return ctx.reject(CtapStatus::kMissingParameter, "getAssertion step 2: pinUvAuthParam without pinUvAuthProtocol");
    }
    return ctx.reject(CtapStatus::kInvalidParameter, "getAssertion step 2: pinUvAuthProtocol not supported");
  }

  // Step 3: the response starts with up = uv = false.
  // Step 4: options. 4.3: uv true without built-in UV -> CTAP2_ERR_INVALID_OPTION.
  if (req.options.uv.value_or(false)) {
    return ctx.reject(CtapStatus::kInvalidOption, "getAssertion step 4: uv requested, no built-in UV");
  }
  // 4.4: "If the "rk" option is present then: Return CTAP2_ERR_UNSUPPORTED_OPTION."
  if (req.options.rk) return ctx.reject(CtapStatus::kUnsupportedOption, "getAssertion step 4: rk option present");
  // 4.5: up absent -> true. up = false is a silent request: no touch, UP flag 0.
  const bool up = req.options.up.value_or(true);

  // Step 5 (alwaysUv) and step 6 (device protected by PIN/UV) do not apply to the core.

  // Step 7: locate the applicable credentials.
  auto found = std::make_shared<Located>();
  found->rp_id = req.rp_id;
  found->client_data_hash = req.client_data_hash;
  found->allow_list = !req.allow_list.empty();
  if (found->allow_list) {
    // 7.1: listed credentials of ours bound to rpId (discoverable or not). 7.4: drop
    // userVerificationRequired ones (uv is 0). Step 11 then picks any one, so the first
    // applicable entry is enough. Lists longer than maxCredentialCountInList are processed.
    for (const auto& d : req.allow_list) {
      if (!d.is_public_key()) continue;
      auto cred = ctx.env.store.find(req.rp_id, d.id);
      if (!cred) return ctx.reject(to_ctap_status(cred.error()), "getAssertion step 7: store lookup failed");
      if (!*cred || (*cred)->cred_protect >= kUvRequired) continue;
      found->credentials.push_back(std::move(**cred));
      break;
    }
  } else {
    // 7.2: every discoverable credential for rpId. 7.4/7.5: without an allowList and without
    // uv, credProtect levels 2 and 3 are dropped.
    auto creds = ctx.env.store.find_discoverable(req.rp_id);
    if (!creds) return ctx.reject(to_ctap_status(creds.error()), "getAssertion step 7: store lookup failed");
    for (auto& c : *creds) {
      if (c.cred_protect >= kUvOptionalWithCredentialIdList) continue;
      found->credentials.push_back(std::move(c));
    }
    // Step 12: newest first (the store's order; made certain here).
    std::stable_sort(found->credentials.begin(), found->credentials.end(),
                     [](const CredentialRecord& a, const CredentialRecord& b) { return a.created_seq > b.created_seq; });
  }
  // 7.6: nothing applicable -> CTAP2_ERR_NO_CREDENTIALS, before any touch (step 9 comes later).
  if (found->credentials.empty()) return ctx.reject(CtapStatus::kNoCredentials, "getAssertion step 7: no credentials");

  // Step 8 (built-in UV proved presence) does not apply. Step 9: up true -> request a touch;
  // declined -> CTAP2_ERR_OPERATION_DENIED (timeout: see make_credential.cpp step 14).
  if (!up) {
    auto r = respond(ctx, *found, false);
    if (!r) return fail(r.error());
    return Step<GetAssertionResponse>{std::move(*r)};
  }
  const std::string user_name =
      found->credentials.size() == 1 ? found->credentials.front().user.name.value_or("") : std::string();
  return Step<GetAssertionResponse>{NeedsPresence<GetAssertionResponse>{
      PresenceRequest{.purpose = PresenceRequest::Purpose::kGetAssertion, .rp_id = req.rp_id, .user_name = user_name},
      [&ctx, found](PresenceOutcome outcome) -> Result<GetAssertionResponse> {
        if (outcome == PresenceOutcome::kDenied) {
          return ctx.reject(CtapStatus::kOperationDenied, "getAssertion step 9: user declined");
        }
        if (outcome == PresenceOutcome::kTimedOut) {
          return ctx.reject(CtapStatus::kUserActionTimeout, "getAssertion step 9: no touch in time");
        }
        return respond(ctx, *found, true);
      }}};
}

}  // namespace vfido
