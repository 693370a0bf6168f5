// The control API's credential methods (control_api.h): WebAuthn L3 §11.5-§11.9 Add
// Credential, Get Credentials, Remove Credential, Remove All Credentials, Set Credential
// Properties, and vfido's setBackupState.
#include <limits>
#include <utility>

#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/pkcs8.h"
#include "authenticator/env/rng.h"
#include "authenticator/base64.h"
#include "tools/host/control_api.h"
#include "tools/host/large_blob_codec.h"

namespace vfido::host {
namespace {

using E = tl::unexpected<ApiError>;
using vfido::base64url_encode;

std::string b64(ByteSpan b) { return base64url_encode(b); }

// The credential as WebDriver Credential Parameters (WebAuthn L3 §11.5), plus its algorithm.
json credential_json(const Authenticator& auth, const CredentialRecord& rec) {
  json c = {{"credentialId", b64(rec.id)},
            {"isResidentCredential", rec.discoverable},
            {"rpId", rec.rp_id},
            {"signCount", rec.sign_count},
            {"backupEligibility", rec.backup_eligible},
            {"backupState", rec.backup_state},
            {"algorithm", rec.alg}};
  if (auto key = crypto::PrivateKey::from_bytes(rec.alg, rec.private_key.expose(), rec.public_key)) {
    if (auto der = crypto::private_key_to_pkcs8(*key)) c["privateKey"] = b64(der->expose());
  }
  if (rec.discoverable && !rec.user.id.empty()) {
    c["userHandle"] = b64(rec.user.id);
    c["userName"] = rec.user.name.value_or("");
    c["userDisplayName"] = rec.user.display_name.value_or("");
  }
  if (auto blob = auth.large_blob_of(rec)) {
    if (auto plain = decompress_large_blob(*blob, auth.profile().max_serialized_large_blob_array * 64)) {
      c["largeBlob"] = b64(*plain);
    }
  }
  return c;
}

// The stored credential with this ID, whatever its RP.
std::optional<CredentialRecord> stored(HostedKey& key, const Bytes& id) {
  auto all = key.key->store().list_stored();
  if (!all) return std::nullopt;
  for (auto& rec : *all) {
    if (rec.id == id) return std::move(rec);
  }
  return std::nullopt;
}

ApiError no_credential(const HostedKey& key, const Bytes& id) {
  return invalid_argument("authenticator " + key.id + " holds no credential " + b64(id));
}

}  // namespace

ControlApi::Result ControlApi::add_credential(Params& p) {
  auto key = key_for(p);
  CredentialImport in;
  in.id = p.req_base64url("credentialId");
  in.discoverable = p.req_bool("isResidentCredential");
  in.rp_id = p.req_string("rpId");
  Bytes private_key = p.req_base64url("privateKey");
  in.private_key_pkcs8 = crypto::SecretBytes(private_key);
  crypto::cleanse(private_key.data(), private_key.size());
  in.user_handle = p.opt_base64url("userHandle").value_or(Bytes{});
  const bool null_count = p.is_null("signCount");
  const std::uint64_t count =
      null_count ? 0 : p.req_uint("signCount", std::numeric_limits<std::uint32_t>::max());
  auto large_blob = p.opt_base64url("largeBlob");
  in.backup_eligible = p.opt_bool("backupEligibility");
  in.backup_state = p.opt_bool("backupState");
  in.user_name = p.opt_string("userName");
  in.user_display_name = p.opt_string("userDisplayName");
  // vfido's own: the COSE algorithm the key must be for (getCredentials reports it).
  in.alg = p.opt_int("algorithm", std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max());
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (!key) return E(key.error());
  // WebAuthn L3 §11.5: signCount null means "no signature counter"; vfido keeps one for every
  // credential (a profile with sign_counter zero reports 0 whatever it holds).
  if (null_count) return E(ApiError{ApiErrorCode::kUnsupportedOperation, "signCount null (no counter) is not supported: give 0"});
  in.sign_count = static_cast<std::uint32_t>(count);
  // WebDriver sends empty names for "unset" (§11.5 steps: the default is the empty string).
  if (in.user_name && in.user_name->empty() && !in.discoverable) in.user_name.reset();
  if (in.user_display_name && in.user_display_name->empty() && !in.discoverable) in.user_display_name.reset();
  if (large_blob) {
    auto packed = compress_large_blob(*large_blob);
    if (!packed) return E(invalid_argument(packed.error()));
    in.large_blob = std::move(*packed);
  }
  Authenticator& auth = (*key)->key->authenticator();
  if (auto ok = auth.import_credential(std::move(in)); !ok) return E(invalid_argument(ok.error()));
  return json(nullptr);
}

ControlApi::Result ControlApi::get_credentials(Params& p) {
  auto key = key_for(p);
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (!key) return E(key.error());
  auto all = (*key)->key->store().list_stored();
  if (!all) {
    return E(ApiError{ApiErrorCode::kUnknownError, "the store failed: " + std::string(store_error_name(all.error()))});
  }
  json list = json::array();
  for (const CredentialRecord& rec : *all) list.push_back(credential_json((*key)->key->authenticator(), rec));
  return json{{"credentials", std::move(list)}};
}

ControlApi::Result ControlApi::remove_credential(Params& p) {
  auto key = key_for(p);
  const Bytes id = p.req_base64url("credentialId");
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (!key) return E(key.error());
  if (auto r = (*key)->key->store().remove(id); !r) {
    if (r.error() == StoreError::kNotFound) return E(no_credential(**key, id));
    return E(ApiError{ApiErrorCode::kUnknownError, "the store failed: " + std::string(store_error_name(r.error()))});
  }
  return json(nullptr);
}

ControlApi::Result ControlApi::remove_all_credentials(Params& p) {
  auto key = key_for(p);
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (!key) return E(key.error());
  // The store's part of authenticatorReset: every credential goes, and IDs the store issued
  // statelessly stop working too. The PIN and the other settings stay.
  OpenSslRng rng;
  if (auto r = (*key)->key->store().reset(rng); !r) {
    return E(ApiError{ApiErrorCode::kUnknownError, "the store failed: " + std::string(store_error_name(r.error()))});
  }
  return json(nullptr);
}

ControlApi::Result ControlApi::change_backup_state(HostedKey& key, const Bytes& id, bool backed_up) {
  auto r = key.key->store().set_backup_state(id, backed_up);
  if (r) return json{{"credentialId", b64(id)}, {"backupState", backed_up}};
  if (r.error() != StoreError::kNotFound) {
    return E(ApiError{ApiErrorCode::kUnknownError, "the store failed: " + std::string(store_error_name(r.error()))});
  }
  auto rec = stored(key, id);
  if (!rec) return E(no_credential(key, id));
  return E(invalid_argument("credential " + b64(id) +
                            " is not backup eligible (BE=0), so it cannot be backed up (WebAuthn §6.1.3)"));
}

ControlApi::Result ControlApi::set_backup_state(Params& p) {
  auto key = key_for(p);
  const Bytes id = p.req_base64url("credentialId");
  const bool backed_up = p.req_bool("backupState");
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (!key) return E(key.error());
  return change_backup_state(**key, id, backed_up);
}

ControlApi::Result ControlApi::set_credential_properties(Params& p) {
  auto key = key_for(p);
  const Bytes id = p.req_base64url("credentialId");
  auto be = p.opt_bool("backupEligibility");
  auto bs = p.opt_bool("backupState");
  const bool count = p.has("signCount") || p.is_null("signCount");
  if (count) p.opt_uint("signCount", std::numeric_limits<std::uint32_t>::max());
  if (auto ok = p.finish(); !ok) return E(ok.error());
  if (!key) return E(key.error());
  auto rec = stored(**key, id);
  if (!rec) return E(no_credential(**key, id));
  // WebAuthn §6.1.3 fixes BE at registration; vfido's stores keep it so (WebDriver allows
  // changing it "for testing", which vfido does not offer).
  if (be && *be != rec->backup_eligible) {
    return E(ApiError{ApiErrorCode::kUnsupportedOperation,
                      "backupEligibility is fixed when a credential is made; vfido cannot change it"});
  }
  if (count) return E(ApiError{ApiErrorCode::kUnsupportedOperation, "signCount cannot be changed"});
  if (!bs) return json{{"credentialId", b64(id)}, {"backupState", rec->backup_state}};
  return change_backup_state(**key, id, *bs);
}

}  // namespace vfido::host
