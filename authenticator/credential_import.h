// Importing a credential made elsewhere (WebAuthn L3 §11.5 "Add Credential", the WebDriver
// virtual-authenticator command; the control API's addCredential): a given private key stored
// under a given credential ID, for a given RP and user. Not a CTAP command: tools call
// Authenticator::import_credential(), which checks everything here before the store sees it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/credential_store.h"
#include "authenticator/crypto/secret.h"
#include "authenticator/large_blob_array.h"
#include "authenticator/profile.h"

namespace vfido {

class Rng;

// The WebDriver Credential Parameters (WebAuthn L3 §11.5), decoded from base64url by the caller.
struct CredentialImport {
  Bytes id;                                     // credentialId
  std::string rp_id;                            // rpId
  bool discoverable = false;                    // isResidentCredential
  crypto::SecretBytes private_key_pkcs8;        // privateKey: RFC 5958 PrivateKeyInfo, DER
  Bytes user_handle;                            // userHandle; empty when not given
  std::optional<std::string> user_name;         // userName
  std::optional<std::string> user_display_name; // userDisplayName
  std::uint32_t sign_count = 0;                 // signCount
  std::optional<bool> backup_eligible;          // backupEligibility; default: the profile's
  std::optional<bool> backup_state;             // backupState; default: the profile's
  std::optional<std::int64_t> alg;              // when given, must be the key's COSE algorithm
  std::optional<LargeBlob> large_blob;          // largeBlob, compressed by the caller
};

// The longest user name and display name kept (CTAP 2.1 §6.1.2: authenticators may truncate
// them to 64 bytes; an import gets an error instead of a silent cut).
inline constexpr std::size_t kMaxUserNameLen = 64;

// WebAuthn §4 "RP ID": a valid domain string (URL Standard): lower-case ASCII labels of letters,
// digits and '-' (1..63 each, not starting or ending with '-'), dot-separated, at most 253
// characters, the last label not all digits (that would be an IPv4 address). International
// names come in their A-label (punycode) form.
bool valid_rp_id(std::string_view rp_id);

// Every check on an import, in this order, each failure a sentence naming the parameter:
//   credentialId: 16 (WebAuthn §4 Credential ID: at least 16 bytes) to the profile's
//     maxCredentialIdLength (<= 1023) bytes;
//   rpId: valid_rp_id();
//   privateKey: a PKCS #8 key of a type vfido signs with (P-256, Ed25519, RSA 2048..4096) whose
//     public half matches; its algorithm (ES256, EdDSA, RS256) is one of the profile's, and
//     equals `alg` when that is given;
//   isResidentCredential: only when the profile has resident keys;
//   userHandle: 1..64 bytes (WebAuthn §5.4.3) for a discoverable credential; absent otherwise,
//     as are userName and userDisplayName (CTAP 2.1 §6.1.2 step 18: no user entity is kept
//     for a non-discoverable credential); names at most kMaxUserNameLen bytes;
//   backupState: not true unless backupEligibility is (WebAuthn §6.1.3);
//   largeBlob: needs a discoverable credential (CTAP 2.1 §12.3) on a profile with largeBlobs
//     and the largeBlobKey extension.
// On success, the record to store (with a fresh largeBlobKey from `rng` when a blob comes).
tl::expected<CredentialRecord, std::string> import_record(const AuthenticatorProfile& profile, CredentialImport& in,
                                                          Rng& rng);

}  // namespace vfido
