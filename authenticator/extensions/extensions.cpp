#include "authenticator/extensions/extensions.h"

#include <algorithm>

#include "authenticator/cbor/map_reader.h"

namespace vfido {
namespace {

constexpr std::string_view kCredProtect = "credProtect";
constexpr std::string_view kHmacSecret = "hmac-secret";
constexpr std::string_view kCredBlob = "credBlob";
constexpr std::string_view kLargeBlobKey = "largeBlobKey";
constexpr std::string_view kMinPinLength = "minPinLength";
constexpr std::size_t kLargeBlobKeyLen = 32;

// The input under `id` when the profile implements that extension; nullptr otherwise.
const cbor::Value* input(const AuthenticatorProfile& profile, const std::optional<cbor::Value>& map, std::string_view id) {
  if (!map || !profile.has_extension(id)) return nullptr;
  return map->find(id);
}

// A boolean input: false when absent; a value of another type is CBOR_UNEXPECTED_TYPE.
Result<bool> bool_input(const cbor::Value* v) {
  if (v == nullptr) return false;
  if (!v->is_bool()) return fail(CtapStatus::kCborUnexpectedType);
  return v->as_bool();
}

// largeBlobKey must be true when present (⚠ false -> INVALID_OPTION, see extensions.h).
Result<bool> large_blob_key_input(const cbor::Value* v) {
  auto b = bool_input(v);
  if (!b) return b;
  if (v != nullptr && !*b) return fail(CtapStatus::kInvalidOption);
  return b;
}

}  // namespace

Result<MakeCredentialExtensions> MakeCredentialExtensions::parse(const AuthenticatorProfile& profile,
                                                                 const std::optional<cbor::Value>& map) {
  MakeCredentialExtensions e;
  if (const cbor::Value* v = input(profile, map, kCredProtect)) {
    if (!v->is_unsigned()) return fail(CtapStatus::kCborUnexpectedType);
    if (v->as_uint() < cred_protect::kUvOptional || v->as_uint() > cred_protect::kUvRequired) {
      return fail(CtapStatus::kInvalidOption);
    }
    e.cred_protect = static_cast<std::uint8_t>(v->as_uint());
  }
  auto hmac = bool_input(input(profile, map, kHmacSecret));
  if (!hmac) return fail(hmac.error());
  e.hmac_secret = *hmac;
  if (const cbor::Value* v = input(profile, map, kCredBlob)) {
    if (!v->is_bytes()) return fail(CtapStatus::kCborUnexpectedType);
    e.cred_blob = v->as_bytes();
  }
  auto lbk = large_blob_key_input(input(profile, map, kLargeBlobKey));
  if (!lbk) return fail(lbk.error());
  e.large_blob_key = *lbk;
  auto mpl = bool_input(input(profile, map, kMinPinLength));
  if (!mpl) return fail(mpl.error());
  e.min_pin_length = *mpl;
  return e;
}

Result<std::optional<cbor::Value>> apply_make_credential_extensions(Ctx& ctx, const MakeCredentialExtensions& ext,
                                                                    std::string_view rp_id, bool rk, CredentialRecord& rec) {
  cbor::Value out = cbor::Value::map();
  // §12.1: the level is kept with the credential and echoed.
  if (ext.cred_protect) {
    rec.cred_protect = *ext.cred_protect;
    out.set(kCredProtect, cbor::Value::uint(*ext.cred_protect));
  }
  // §12.5: the credential gets its CredRandoms (derived, see hmac_secret.h).
  if (ext.hmac_secret) {
    rec.hmac_secret = true;
    out.set(kHmacSecret, cbor::Value::boolean(true));
  }
  // §12.2: stored when it fits, and the output says whether it was.
  if (ext.cred_blob) {
    const bool fits = ext.cred_blob->size() <= ctx.profile.max_cred_blob_length;
    if (fits) rec.cred_blob = *ext.cred_blob;
    out.set(kCredBlob, cbor::Value::boolean(fits));
  }
  // §12.3: only discoverable credentials have a largeBlobKey (⚠ a non-discoverable request is
  // refused with INVALID_OPTION, as the largeBlob WebAuthn extension requires a resident key).
  if (ext.large_blob_key) {
    if (!rk) return ctx.reject(CtapStatus::kInvalidOption, "makeCredential: largeBlobKey without rk");
    crypto::SecretBytes key(kLargeBlobKeyLen);
    ctx.env.rng.fill(key.expose_mut());
    rec.large_blob_key = std::move(key);
  }
  // §12.4: the current minimum, only for RP IDs on the authenticatorConfig list.
  if (ext.min_pin_length) {
    const auto& ids = ctx.device.min_pin_length_rp_ids;
    if (std::find(ids.begin(), ids.end(), rp_id) != ids.end()) {
      out.set(kMinPinLength, cbor::Value::uint(ctx.device.min_pin_length));
    }
  }
  if (out.as_map().empty()) return std::optional<cbor::Value>();
  return std::optional<cbor::Value>(std::move(out));
}

Result<GetAssertionExtensions> GetAssertionExtensions::parse(const AuthenticatorProfile& profile,
                                                             const std::optional<cbor::Value>& map) {
  GetAssertionExtensions e;
  if (const cbor::Value* v = input(profile, map, kHmacSecret)) {
    auto in = HmacSecretInput::parse(*v);
    if (!in) return fail(in.error());
    e.hmac_secret = std::move(*in);
  }
  auto blob = bool_input(input(profile, map, kCredBlob));
  if (!blob) return fail(blob.error());
  e.cred_blob = *blob;
  auto lbk = large_blob_key_input(input(profile, map, kLargeBlobKey));
  if (!lbk) return fail(lbk.error());
  e.large_blob_key = *lbk;
  return e;
}

Result<std::optional<HmacSecretSalts>> prepare_hmac_secret(Ctx& ctx, const GetAssertionExtensions& ext, bool up) {
  if (!ext.hmac_secret) return std::optional<HmacSecretSalts>();
  const HmacSecretInput& in = *ext.hmac_secret;
  // §12.5: up false -> UNSUPPORTED_OPTION.
  if (!up) return ctx.reject(CtapStatus::kUnsupportedOption, "getAssertion: hmac-secret with up=false");
  // pinUvAuthProtocol absent means 1 when 1 is supported, else PIN_AUTH_INVALID.
  const auto& supported = ctx.profile.pin_uv_auth_protocols;
  const std::uint64_t number = in.protocol.value_or(1);
  auto p = pin_uv_auth::protocol_id(number);
  if (!p || std::find(supported.begin(), supported.end(), number) == supported.end()) {
    return ctx.reject(in.protocol ? CtapStatus::kInvalidParameter : CtapStatus::kPinAuthInvalid,
                      "getAssertion: hmac-secret pinUvAuthProtocol not supported");
  }
  auto own = ctx.vol.key_agreement(*p, ctx.env.rng);
  if (!own) return ctx.reject(CtapStatus::kOther, "getAssertion: hmac-secret key agreement key");
  auto ss = pin_uv_auth::decapsulate(*p, **own, in.key_agreement);
  if (!ss) return ctx.reject(CtapStatus::kInvalidParameter, "getAssertion: hmac-secret keyAgreement is not a P-256 key");
  if (!pin_uv_auth::verify(*p, ss->expose(), in.salt_enc, in.salt_auth)) {
    return ctx.reject(CtapStatus::kPinAuthInvalid, "getAssertion: hmac-secret saltAuth does not verify");
  }
  auto salts = pin_uv_auth::decrypt(*p, ss->expose(), in.salt_enc);
  if (!salts || (salts->size() != 32 && salts->size() != 64)) {
    return ctx.reject(CtapStatus::kInvalidParameter, "getAssertion: hmac-secret salts are not 32 or 64 bytes");
  }
  return std::optional<HmacSecretSalts>(HmacSecretSalts{*p, std::move(*ss), std::move(*salts)});
}

Result<AssertionExtensionOutputs> assertion_extension_outputs(Ctx& ctx, const GetAssertionExtensions& ext,
                                                              const std::optional<HmacSecretSalts>& salts,
                                                              const CredentialRecord& cred, bool uv) {
  AssertionExtensionOutputs out;
  cbor::Value m = cbor::Value::map();
  // §12.5: only credentials made with hmac-secret answer it.
  if (salts && cred.hmac_secret) {
    auto enc = hmac_secret_output(*salts, cred, uv, ctx.env.rng);
    if (!enc) return ctx.reject(CtapStatus::kOther, "getAssertion: hmac-secret output");
    m.set(kHmacSecret, cbor::Value::bytes(std::move(*enc)));
  }
  // §12.2: the stored blob, or an empty byte string when there is none.
  if (ext.cred_blob) m.set(kCredBlob, cbor::Value::bytes(cred.cred_blob));
  if (!m.as_map().empty()) out.auth_data = std::move(m);
  // §12.3: the credential's largeBlobKey, when it has one.
  if (ext.large_blob_key && !cred.large_blob_key.empty()) {
    out.large_blob_key = Bytes(cred.large_blob_key.expose().begin(), cred.large_blob_key.expose().end());
  }
  return out;
}

}  // namespace vfido
