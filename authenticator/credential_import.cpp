#include "authenticator/credential_import.h"

#include <algorithm>

#include "authenticator/crypto/pkcs8.h"
#include "authenticator/env/rng.h"

namespace vfido {
namespace {

constexpr std::size_t kMinCredentialIdLen = 16;  // WebAuthn §4 Credential ID (at most kMaxCredentialIdLen)
constexpr std::size_t kMaxUserHandleLen = 64;    // WebAuthn §5.4.3
constexpr std::size_t kMaxRpIdLen = 253;         // RFC 1035 §2.3.4, without the trailing dot
constexpr std::size_t kMaxLabelLen = 63;
constexpr std::size_t kLargeBlobKeyLen = 32;     // CTAP 2.1 §12.3

bool ldh(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

std::string alg_name(std::int64_t alg) {
  switch (alg) {
    case cose::kAlgEs256:
      return "ES256";
    case cose::kAlgEdDsa:
      return "EdDSA";
    case cose::kAlgRs256:
      return "RS256";
    default:
      return "COSE algorithm " + std::to_string(alg);
  }
}

}  // namespace

bool valid_rp_id(std::string_view rp_id) {
  if (rp_id.empty() || rp_id.size() > kMaxRpIdLen) return false;
  std::size_t start = 0;
  bool last_all_digits = false;
  while (start <= rp_id.size()) {
    std::size_t end = rp_id.find('.', start);
    if (end == std::string_view::npos) end = rp_id.size();
    const std::string_view label = rp_id.substr(start, end - start);
    if (label.empty() || label.size() > kMaxLabelLen || label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), ldh)) return false;
    last_all_digits = std::all_of(label.begin(), label.end(), [](char c) { return c >= '0' && c <= '9'; });
    start = end + 1;
  }
  return !last_all_digits;
}

tl::expected<CredentialRecord, std::string> import_record(const AuthenticatorProfile& profile, CredentialImport& in,
                                                          Rng& rng) {
  using E = tl::unexpected<std::string>;
  const std::size_t max_id = std::min<std::size_t>(kMaxCredentialIdLen, profile.max_credential_id_length);
  if (in.id.size() < kMinCredentialIdLen || in.id.size() > max_id) {
    return E("credentialId must be " + std::to_string(kMinCredentialIdLen) + " to " + std::to_string(max_id) +
             " bytes (this one has " + std::to_string(in.id.size()) + ")");
  }
  if (!valid_rp_id(in.rp_id)) {
    return E("rpId \"" + in.rp_id + "\" is not a valid domain string (lower-case ASCII labels, e.g. example.com)");
  }
  auto key = crypto::private_key_from_pkcs8(in.private_key_pkcs8.expose());
  if (!key) {
    return E(key.error() == CtapStatus::kUnsupportedAlgorithm
                 ? "privateKey: unsupported key type (vfido signs with P-256, Ed25519 and RSA 2048-4096 keys)"
                 : "privateKey is not an unencrypted PKCS #8 private key whose public half matches");
  }
  const std::int64_t alg = key->cose_alg();
  if (in.alg && *in.alg != alg) {
    return E("privateKey is an " + alg_name(alg) + " key, not " + alg_name(*in.alg));
  }
  if (std::find(profile.algorithms.begin(), profile.algorithms.end(), alg) == profile.algorithms.end()) {
    return E("this authenticator model (" + profile.name + ") does not sign with " + alg_name(alg));
  }
  if (in.discoverable && !profile.resident_keys) {
    return E("isResidentCredential: this authenticator model (" + profile.name + ") has no resident keys");
  }
  if (in.discoverable) {
    if (in.user_handle.empty() || in.user_handle.size() > kMaxUserHandleLen) {
      return E("userHandle must be 1 to 64 bytes for a resident credential");
    }
  } else if (!in.user_handle.empty() || in.user_name || in.user_display_name) {
    return E("userHandle, userName and userDisplayName are kept only for a resident credential "
             "(isResidentCredential true)");
  }
  for (const auto* name : {&in.user_name, &in.user_display_name}) {
    if (*name && name->value().size() > kMaxUserNameLen) {
      return E(std::string(name == &in.user_name ? "userName" : "userDisplayName") + " is longer than " +
               std::to_string(kMaxUserNameLen) + " bytes");
    }
  }
  const bool be = in.backup_eligible.value_or(profile.backup_eligible);
  const bool bs = in.backup_state.value_or(be && profile.backup_state);
  if (bs && !be) return E("backupState true needs backupEligibility true (WebAuthn §6.1.3)");
  if (in.large_blob) {
    if (!in.discoverable) return E("largeBlob needs a resident credential (isResidentCredential true)");
    if (!profile.large_blobs || !profile.has_extension("largeBlobKey")) {
      return E("largeBlob: this authenticator model (" + profile.name + ") has no large-blob storage");
    }
  }

  CredentialRecord rec;
  rec.id = std::move(in.id);
  rec.rp_id = in.rp_id;
  if (in.discoverable) {
    rec.user.id = std::move(in.user_handle);
    rec.user.name = in.user_name;
    rec.user.display_name = in.user_display_name;
  }
  rec.alg = alg;
  rec.private_key = key->private_bytes().clone();
  rec.public_key = key->public_bytes();
  rec.discoverable = in.discoverable;
  rec.cred_protect = 1;  // CTAP 2.1 §12.1: userVerificationOptional, as without credProtect
  rec.sign_count = in.sign_count;
  rec.backup_eligible = be;
  rec.backup_state = bs;
  // CTAP 2.1 §12.5: CredRandoms derive from the private key, so any credential can serve
  // hmac-secret; an imported one does when the model offers the extension.
  rec.hmac_secret = profile.has_extension("hmac-secret");
  if (in.large_blob) {
    crypto::SecretBytes lbk(kLargeBlobKeyLen);
    rng.fill(lbk.expose_mut());
    rec.large_blob_key = std::move(lbk);
  }
  return rec;
}

}  // namespace vfido
