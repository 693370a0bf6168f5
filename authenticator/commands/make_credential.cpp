#include "authenticator/commands/make_credential.h"

#include <algorithm>
#include <memory>

#include "authenticator/attestation.h"
#include "authenticator/authenticator_data.h"
#include "authenticator/cbor/map_reader.h"
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

PresenceRequest presence_request(PresenceRequest::Purpose purpose, const MakeCredentialRequest& req) {
  return PresenceRequest{.purpose = purpose, .rp_id = req.rp.id, .user_name = req.user.name.value_or("")};
}

// Steps 15-19, after the user approved.
Result<MakeCredentialResponse> create_credential(Ctx& ctx, const MakeCredentialRequest& req, std::int64_t alg,
                                                 bool rk) {
  const AuthenticatorProfile& profile = ctx.profile;
  // Step 15: extensions. None are supported yet; unsupported ones are ignored.

  // Step 16: generate the credential key pair for the chosen algorithm.
  auto key = crypto::PrivateKey::generate(alg, ctx.env.rng);
  if (!key) return ctx.reject(key.error(), "makeCredential step 16: key generation failed");

  // Steps 17/18: a discoverable credential keeps the user entity (and replaces one with the same
  // (rp.id, user.id), the store's job); a non-discoverable one keeps no user. The store's policy
  // decides the backup flags and may keep every credential discoverable (a synced vault).
  CredentialRecord rec;
  rec.rp_id = req.rp.id;
  rec.rp_name = req.rp.name;
  rec.user = req.user;
  rec.alg = alg;
  rec.private_key = key->private_bytes().clone();
  rec.public_key = key->public_bytes();
  rec.discoverable = rk;
  rec.cred_protect = 1;  // CTAP 2.1 §12.1: no credProtect extension -> userVerificationOptional
  rec.backup_eligible = profile.backup_eligible;
  rec.backup_state = profile.backup_state;
  ctx.env.store.apply_policy(rec);
  if (!rec.discoverable) rec.user = UserEntity{};
  const bool backup_eligible = rec.backup_eligible;
  const bool backup_state = rec.backup_eligible && rec.backup_state;  // WebAuthn §6.1: BS needs BE
  auto id = ctx.env.store.create(std::move(rec), ctx.env.rng);
  // Step 17: out of space -> CTAP2_ERR_KEY_STORE_FULL (to_ctap_status maps kFull to it).
  if (!id) return ctx.reject(to_ctap_status(id.error()), "makeCredential step 17: store refused the credential");
  auto forget = [&ctx, &id]() { (void)ctx.env.store.remove(*id); };
  // getInfo 0x08 promises IDs of at most maxCredentialIdLength bytes.
  if (id->empty() || id->size() > profile.max_credential_id_length) {
    forget();
    return ctx.reject(CtapStatus::kOther, "makeCredential: store issued a credential ID longer than the profile allows");
  }

  // WebAuthn §6.1: UP set (step 14), UV never (no UV in the core), BE/BS as the store keeps
  // them, AT with the attested credential data; the signature counter starts at 0.
  AuthenticatorData ad;
  ad.rp_id_hash = crypto::sha256(as_span(req.rp.id));
  ad.flags = flags::kUp;
  if (backup_eligible) ad.flags |= flags::kBe;
  if (backup_state) ad.flags |= flags::kBs;
  ad.sign_count = 0;
  ad.attested = AttestedCredentialData{profile.aaguid, *id, key->public_cose()};
  auto auth_data = ad.serialize();
  if (!auth_data) {
    forget();
    return ctx.reject(auth_data.error(), "makeCredential: authenticator data");
  }

  // Step 19: attestation statement.
  auto att = make_attestation(profile.attestation, *key, *auth_data, req.client_data_hash);
  if (!att) {
    forget();
    return ctx.reject(att.error(), "makeCredential step 19: attestation failed");
  }
  return MakeCredentialResponse{std::move(att->fmt), std::move(*auth_data), std::move(att->att_stmt)};
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
  return m;
}

Result<Step<MakeCredentialResponse>> make_credential(Ctx& ctx, const MakeCredentialRequest& req) {
  const AuthenticatorProfile& profile = ctx.profile;
  using Purpose = PresenceRequest::Purpose;

  // Step 1 (zero-length pinUvAuthParam: touch, then PIN_NOT_SET/PIN_INVALID) applies only "if
  // the authenticator supports either pinUvAuthToken or clientPin features"; the core supports
  // neither, so a zero-length pinUvAuthParam falls through to step 2 like any other.
  // Step 2: pinUvAuthParam present -> pinUvAuthProtocol absent is MISSING_PARAMETER; present but
  // not supported is INVALID_PARAMETER. The core supports no protocol, so every value is
  // unsupported.
  if (req.pin_uv_auth_param) {
    if (!req.pin_uv_auth_protocol) {
      return ctx.reject(CtapStatus::kMissingParameter, "makeCredential step 2: pinUvAuthParam without pinUvAuthProtocol");
    }
    return ctx.reject(CtapStatus::kInvalidParameter, "makeCredential step 2: pinUvAuthProtocol not supported");
  }

  // Step 3: the first pubKeyCredParams entry whose algorithm we support; none ->
  // CTAP2_ERR_UNSUPPORTED_ALGORITHM (also when the list is empty).
  std::optional<std::int64_t> alg;
  for (auto a : req.pub_key_cred_algs) {
    if (std::find(profile.algorithms.begin(), profile.algorithms.end(), a) != profile.algorithms.end()) {
      alg = a;
      break;
    }
  }
  if (!alg) return ctx.reject(CtapStatus::kUnsupportedAlgorithm, "makeCredential step 3: no supported algorithm");

  // Step 4: the response starts with up = uv = false (see create_credential).
  // Step 5: options; unknown keys were dropped by RequestOptions::parse.
  // 5.3: uv true without built-in user verification -> CTAP2_ERR_INVALID_OPTION.
  if (req.options.uv.value_or(false)) {
    return ctx.reject(CtapStatus::kInvalidOption, "makeCredential step 5: uv requested, no built-in UV");
  }
  // 5.4: rk requested but discoverable credentials are not supported -> UNSUPPORTED_OPTION.
  const bool rk = req.options.rk.value_or(false);
  if (rk && !profile.resident_keys) {
    return ctx.reject(CtapStatus::kUnsupportedOption, "makeCredential step 5: rk not supported");
  }
  // 5.6: up false -> CTAP2_ERR_INVALID_OPTION (makeCredential always tests presence).
  if (!req.options.up.value_or(true)) {
    return ctx.reject(CtapStatus::kInvalidOption, "makeCredential step 5: up=false");
  }
  // Steps 6-8, 10, 11 concern alwaysUv, makeCredUvNotRqd and a device protected by a PIN or
  // built-in UV; the core has none of them, so the device is never "protected".

  // Step 9: enterpriseAttestation present but enterprise attestation not supported ->
  // CTAP1_ERR_INVALID_PARAMETER.
  if (req.enterprise_attestation) {
    return ctx.reject(CtapStatus::kInvalidParameter, "makeCredential step 9: enterprise attestation not supported");
  }

  // Step 12: an excludeList entry that is ours and bound to rp.id -> wait for user presence,
  // then CTAP2_ERR_CREDENTIAL_EXCLUDED "regardless of whether user presence is obtained or the
  // authenticator times out". credProtect level 3 entries count only when uv is 1, which the
  // core never sets. Lists longer than maxCredentialCountInList are processed whole: the spec
  // has no step that rejects them (platforms split them, python-fido2 and libfido2 by
  // maxCredentialCountInList).
  for (const auto& d : req.exclude_list) {
    if (!d.is_public_key()) continue;
    auto found = ctx.env.store.find(req.rp.id, d.id);
    if (!found) return ctx.reject(to_ctap_status(found.error()), "makeCredential step 12: store lookup failed");
    if (!*found || (*found)->cred_protect >= 3) continue;
    ctx.debug("makeCredential step 12: excludeList hit; asking for presence");
    return Step<MakeCredentialResponse>{NeedsPresence<MakeCredentialResponse>{
        presence_request(Purpose::kExcluded, req),
        [&ctx](PresenceOutcome) -> Result<MakeCredentialResponse> {
          return ctx.reject(CtapStatus::kCredentialExcluded, "makeCredential step 12: excluded credential");
        }}};
  }

  // Step 13 (built-in UV proved presence) does not apply. Step 14: up is true, so request
  // user presence. Declined -> CTAP2_ERR_OPERATION_DENIED. The 2.1 text maps a timeout to
  // OPERATION_DENIED as well; vfido answers CTAP2_ERR_USER_ACTION_TIMEOUT (as OpenSK does) so
  // that the host can tell the two apart, as Authenticator::poll() documents.
  auto shared = std::make_shared<const MakeCredentialRequest>(req);
  return Step<MakeCredentialResponse>{NeedsPresence<MakeCredentialResponse>{
      presence_request(Purpose::kMakeCredential, req),
      [&ctx, shared, a = *alg, rk](PresenceOutcome outcome) -> Result<MakeCredentialResponse> {
        if (outcome == PresenceOutcome::kDenied) {
          return ctx.reject(CtapStatus::kOperationDenied, "makeCredential step 14: user declined");
        }
        if (outcome == PresenceOutcome::kTimedOut) {
          return ctx.reject(CtapStatus::kUserActionTimeout, "makeCredential step 14: no touch in time");
        }
        return create_credential(ctx, *shared, a, rk);
      }}};
}

}  // namespace vfido
