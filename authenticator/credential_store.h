// CredentialStore port: where credentials live. The core defines it; credstore/ implements it
// (memory now; SQLite, device-bound and synced vaults later) and the core never learns which
// one it has (style.md §12). Errors are StoreError values, mapped to a CTAP status by exactly
// one function, to_ctap_status().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/crypto/secret.h"

namespace vfido {

class Rng;

// WebAuthn §5.4.3 PublicKeyCredentialUserEntity as CTAP stores it (CTAP 2.1 §6.1 user).
struct UserEntity {
  Bytes id;  // the user handle, 1..64 bytes
  std::optional<std::string> name;
  std::optional<std::string> display_name;
  std::optional<std::string> icon;  // deprecated in WebAuthn L2; kept if sent
  bool operator==(const UserEntity&) const = default;
};

struct CredentialRecord {
  Bytes id;                            // the credential ID the host sees (set by the store)
  std::string rp_id;
  std::optional<std::string> rp_name;
  UserEntity user;                     // user.id is empty for non-discoverable credentials
  std::int64_t alg = 0;                // COSE algorithm
  crypto::SecretBytes private_key;     // crypto::PrivateKey::private_bytes()
  Bytes public_key;                    // crypto::PrivateKey::public_bytes()
  bool discoverable = false;
  std::uint8_t cred_protect = 1;       // CTAP 2.1 §12.1 credProtect level 1..3
  std::uint32_t sign_count = 0;        // last value returned
  std::uint64_t created_seq = 0;       // set by the store: strictly increasing creation order
  bool backup_eligible = false;        // WebAuthn §6.1 BE
  bool backup_state = false;           // WebAuthn §6.1 BS
  bool hmac_secret = false;            // CTAP 2.1 §12.5: made with hmac-secret (CredRandoms
                                       // are derived from private_key, so synced copies agree)
  Bytes cred_blob;                     // CTAP 2.1 §12.2 credBlob; empty when none was stored
  crypto::SecretBytes large_blob_key;  // CTAP 2.1 §12.3 largeBlobKey (32 bytes) or empty

  CredentialRecord clone() const;
};

enum class StoreError : std::uint8_t {
  kNotFound,   // no such credential
  kFull,       // no room for another discoverable credential
  kCorrupt,    // stored data failed validation
  kIo,         // the backing medium failed
  kUnsupported,  // this store cannot do that (e.g. import a credential under a chosen ID)
};

template <typename T>
using StoreResult = tl::expected<T, StoreError>;

// The one mapping from store errors to CTAP statuses.
CtapStatus to_ctap_status(StoreError e);
std::string_view store_error_name(StoreError e);

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;

  // Persists a new credential and returns its ID; the store chooses the ID (random for
  // stateful stores, a wrapped key for stateless ones). A discoverable credential replaces any
  // existing discoverable one with the same (rp_id, user.id) (CTAP 2.1 §6.1.2 step 17);
  // kFull when no discoverable slot is left.
  virtual StoreResult<Bytes> create(CredentialRecord rec, Rng& rng) = 0;

  // The credential with this ID if it exists and is bound to `rp_id`; nullopt otherwise.
  virtual StoreResult<std::optional<CredentialRecord>> find(std::string_view rp_id, ByteSpan id) = 0;

  // Every discoverable credential of `rp_id`, newest first (CTAP 2.1 §6.2.2 step 12).
  virtual StoreResult<std::vector<CredentialRecord>> find_discoverable(std::string_view rp_id) = 0;

  // Advances the credential's signature counter and returns the new value (WebAuthn §6.1.1).
  // Stores that keep no counter (synced vaults) return 0.
  virtual StoreResult<std::uint32_t> next_sign_count(const CredentialRecord& cred) = 0;

  virtual StoreResult<void> remove(ByteSpan id) = 0;
  virtual StoreResult<void> update_user(ByteSpan id, const UserEntity& user) = 0;

  // WebAuthn §6.1.3: switches the backup state (BS) of one credential, e.g. "synced" after a
  // vault uploaded it. BS=1 needs BE=1 (WebAuthn §6.1 flags): kNotFound for an unknown ID,
  // kCorrupt never; a request for BS=1 on a credential with BE=0 is refused with kNotFound
  // too, since no such backed-up credential exists.
  virtual StoreResult<void> set_backup_state(ByteSpan id, bool backed_up) = 0;

  // What this kind of store makes of a new credential, before create() is called: whether a
  // credential is backed up is a property of where it lives (WebAuthn §6.1.3; BE is fixed at
  // registration), and a synced vault keeps every credential discoverable as synced providers
  // do. makeCredential calls it so that the flags it reports are the ones the store keeps;
  // create() applies it again. The default changes nothing (the profile's flags stand).
  virtual void apply_policy(CredentialRecord& rec) const { (void)rec; }

  // Every discoverable credential, for credential management.
  virtual StoreResult<std::vector<CredentialRecord>> list_discoverable() = 0;
  virtual StoreResult<std::size_t> remaining_discoverable() = 0;

  // authenticatorReset: forget everything, and make old stateless IDs unusable.
  virtual StoreResult<void> reset(Rng& rng) = 0;

  // ---- For tools (the control API, `vfido creds`); the core's commands do not use these. ----

  // Every credential the store holds, discoverable or not, newest first (WebAuthn L3 §11.6 Get
  // Credentials). Credentials that live only in their IDs (stateless, wrapped IDs) are not
  // held and not listed. The default: the discoverable ones, for stores that keep no others.
  virtual StoreResult<std::vector<CredentialRecord>> list_stored() { return list_discoverable(); }

  // Stores a credential made elsewhere under its own ID and signature counter (WebAuthn L3 §11.5
  // Add Credential), replacing one with the same ID, and, like create(), a discoverable one with
  // the same (rp_id, user.id). The caller has validated it (Authenticator::import_credential);
  // created_seq is set by the store. kFull when no discoverable slot is left; kUnsupported
  // (the default) for a store that cannot hold a chosen ID.
  virtual StoreResult<void> import(CredentialRecord rec) {
    (void)rec;
    return tl::make_unexpected(StoreError::kUnsupported);
  }
};

}  // namespace vfido
