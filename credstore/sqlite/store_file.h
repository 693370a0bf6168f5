// One vfido store file on disk, opened and unlocked: the SQLite connection, what kind of store
// it is, and its keys. Device stores and synced vaults (device_store.h, vault_store.h) are built
// on it; it does every check that makes opening safe:
//
//  - a missing file is created only when asked (NewStore), atomically: it is built under a
//    temporary name in the same directory (mode 0600, the directory 0700 when vfido makes it),
//    then linked into place, so a store file is never half made;
//  - an existing file must be a regular file, start with the SQLite header, carry vfido's
//    application_id, be as long as its header says (a truncated copy is caught before SQLite
//    sees it), pass SQLite's quick_check when small, and have a schema version this build
//    knows; older versions are migrated (schema.h), newer ones refused;
//  - a device store is locked for the life of the object (flock on "PATH.lock", which holds
//    the owner's pid): a second opener gets "in use by pid N". Vaults are shared: SQLite's own
//    locking and a busy timeout let several devices in several processes use one at once;
//  - the key: the file records whether a passphrase or a key file protects it; the key source
//    derives the key-encryption key, which must unwrap the random data key (AES-256-GCM, bound
//    to the store's ID), otherwise the passphrase or key file is wrong. The store's settings
//    (kind, capacity, vault provider) carry an HMAC under the data key, so edits are caught.
//
// Every failure is an OpenError whose message names the file and the problem.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/crypto/scrypt.h"
#include "authenticator/crypto/secret.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/rng.h"
#include "credstore/sqlite/database.h"
#include "credstore/sqlite/key_source.h"

namespace vfido::credstore::sqlite {

enum class StoreKind : std::uint8_t {
  kDevice,  // a device-bound authenticator's own store (BE=0)
  kVault,   // a synced passkey vault shared by several devices (BE=1)
};
std::string_view store_kind_name(StoreKind kind);  // "device" / "vault"

// The passkey provider a vault stands for (the profile wiring uses it; the vault just keeps it).
struct VaultProvider {
  ByteArray<kAaguidLen> aaguid{};
  std::string name;
};

// How to make a new store file.
struct NewStore {
  StoreKind kind = StoreKind::kDevice;
  // How many discoverable credentials fit; 0 = no limit. A hardware key holds about 100.
  std::uint64_t capacity = 100;
  crypto::ScryptParams scrypt;  // used when the key source is a passphrase
  VaultProvider provider;       // vaults only
  bool new_backup_state = true; // vaults only: BS of new credentials (false: "not yet synced")
};

struct OpenOptions {
  std::optional<NewStore> create;  // create the file if it is missing (and only then)
  bool must_create = false;        // with `create`: an existing file is an error (kExists)
  int busy_timeout_ms = 5000;      // how long to wait for another connection's write lock
  // Files up to this size get PRAGMA quick_check at open (it reads every page).
  std::uint64_t quick_check_max_bytes = 16u << 20;
};

enum class OpenErrorCode : std::uint8_t {
  kMissing,         // no file, and not asked to create one
  kExists,          // asked to create a new store where a file exists
  kNotRegular,      // a directory, a symbolic link, a device...
  kEmpty,           // a zero-length file
  kNotSqlite,       // no SQLite header
  kForeign,         // an SQLite database, but not a vfido store
  kTruncated,       // shorter than its header says
  kDamaged,         // SQLite or vfido found damaged structures or missing settings
  kNewerSchema,     // written by a newer vfido
  kWrongKeyKind,    // a passphrase given for a key-file store, or the reverse
  kWrongKey,        // the passphrase or key file does not unlock it
  kWrongStoreKind,  // a vault where a device store was expected, or the reverse
  kInUse,           // a device store another process (or object) has open
  kIo,              // the file system failed
};

struct OpenError {
  OpenErrorCode code;
  std::string message;  // "PATH: problem"
};

// What `vfido vault list` shows without the key: the plaintext settings of a store file.
struct StoreInfo {
  StoreKind kind;
  std::int64_t schema_version;
  KeySource::Kind key_kind;
  VaultProvider provider;       // vaults
  std::uint64_t credentials;    // stored rows (stateless credentials are not stored)
};

class StoreFile {
 public:
  static tl::expected<std::unique_ptr<StoreFile>, OpenError> open(const std::string& path, const KeySource& key,
                                                                  const OpenOptions& options);
  // Reads a store's plaintext settings without its key (and without locking it).
  static tl::expected<StoreInfo, OpenError> inspect(const std::string& path);

  ~StoreFile();
  StoreFile(const StoreFile&) = delete;
  StoreFile& operator=(const StoreFile&) = delete;

  const std::string& path() const { return path_; }
  StoreKind kind() const { return kind_; }
  std::uint64_t capacity() const { return capacity_; }
  const VaultProvider& provider() const { return provider_; }
  bool new_backup_state() const { return new_backup_state_; }
  Database& db() { return db_; }
  Rng& rng() { return rng_; }

  // AES-256-GCM under the data key: nonce (12) || ciphertext || tag, with AAD = label || context.
  Bytes seal(std::string_view label, ByteSpan context, ByteSpan plaintext);
  std::optional<crypto::SecretBytes> unseal(std::string_view label, ByteSpan context, ByteSpan sealed) const;
  // A 16-byte keyed hash (HMAC-SHA-256 under a key derived from the data key) for lookups that
  // must not reveal RP IDs or user IDs in the file.
  Bytes index_hash(std::string_view domain, ByteSpan data) const;

  // meta table access (store_file.cpp documents the keys).
  DbResult<std::optional<Bytes>> meta_blob(std::string_view key);
  DbResult<void> set_meta(std::string_view key, ByteSpan value);
  DbResult<void> set_meta(std::string_view key, std::int64_t value);

 private:
  StoreFile() = default;
  tl::expected<void, OpenError> load_kind_and_lock();
  tl::expected<void, OpenError> load(const KeySource& key);

  std::string path_;
  Database db_;
  int lock_fd_ = -1;
  StoreKind kind_ = StoreKind::kDevice;
  std::uint64_t capacity_ = 0;
  VaultProvider provider_;
  bool new_backup_state_ = true;
  Bytes store_id_;
  crypto::SecretBytes data_key_;
  crypto::SecretBytes index_key_;
  OpenSslRng rng_;
};

}  // namespace vfido::credstore::sqlite
