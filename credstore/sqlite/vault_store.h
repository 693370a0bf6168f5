// A synced passkey vault (Google Password Manager, iCloud Keychain, 1Password, ...) in one
// SQLite file that several virtual devices use at once, in one process or many:
//
//  - every credential is backup eligible (BE=1); its backup state starts at the vault's
//    new_backup_state (BS=1 by default; BS=0 models "not uploaded yet") and can be switched per
//    credential with set_backup_state() (WebAuthn §6.1.3);
//  - every credential is discoverable and stored, as synced providers keep every passkey (they
//    report credProps rk=true even when the RP asked for a server-side credential);
//  - the signature counter is always 0 (WebAuthn §6.1.1: a counter is meaningless for a
//    credential that lives on several devices, and synced providers send 0);
//  - nothing is cached: every lookup reads the file, so a credential one device creates is
//    usable on the others at once, and one deleted anywhere is gone everywhere. Writers take
//    SQLite's write lock for one short transaction and wait (busy timeout) for each other;
//  - the vault records its provider's AAGUID and name (VaultProvider) for the profile wiring.
//
// A vault holds no device state: each device keeps its own StateStore.
#pragma once

#include <memory>
#include <string>

#include "credstore/sqlite/sqlite_store.h"

namespace vfido::credstore::sqlite {

class SqliteVault final : public SqliteStore {
 public:
  // Opens (or, with options.create, makes) a vault; a device store there is kWrongStoreKind.
  static tl::expected<std::unique_ptr<SqliteVault>, OpenError> open(const std::string& path, const KeySource& key,
                                                                     const OpenOptions& options);
  static tl::expected<std::unique_ptr<SqliteVault>, OpenError> from_file(std::unique_ptr<StoreFile> file);

  const VaultProvider& provider() const { return file_->provider(); }

  StoreResult<Bytes> create(CredentialRecord rec, Rng& rng) override;
  StoreResult<std::optional<CredentialRecord>> find(std::string_view rp_id, ByteSpan id) override;
  StoreResult<std::uint32_t> next_sign_count(const CredentialRecord& cred) override;
  // Deletes every credential in the vault, for every device that shares it.
  StoreResult<void> reset(Rng& rng) override;
  void apply_policy(CredentialRecord& rec) const override;

 private:
  explicit SqliteVault(std::unique_ptr<StoreFile> file) : SqliteStore(std::move(file)) {}
};

}  // namespace vfido::credstore::sqlite
