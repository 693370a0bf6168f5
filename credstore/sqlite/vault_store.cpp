#include "credstore/sqlite/vault_store.h"

namespace vfido::credstore::sqlite {

tl::expected<std::unique_ptr<SqliteVault>, OpenError> SqliteVault::open(const std::string& path, const KeySource& key,
                                                                   const OpenOptions& options) {
  return open_as<SqliteVault>(StoreKind::kVault, path, key, options);
}

tl::expected<std::unique_ptr<SqliteVault>, OpenError> SqliteVault::from_file(std::unique_ptr<StoreFile> file) {
  if (file->kind() != StoreKind::kVault) {
    return tl::unexpected(OpenError{OpenErrorCode::kWrongStoreKind, file->path() + ": a device store, not a synced vault"});
  }
  return std::unique_ptr<SqliteVault>(new SqliteVault(std::move(file)));
}

void SqliteVault::apply_policy(CredentialRecord& rec) const {
  // WebAuthn §6.1.3: a synced credential is backup eligible from registration on; whether it is
  // backed up yet is the vault's setting, switched later per credential.
  rec.backup_eligible = true;
  rec.backup_state = file_->new_backup_state();
  rec.discoverable = true;
}

StoreResult<Bytes> SqliteVault::create(CredentialRecord rec, Rng& rng) {
  apply_policy(rec);
  rec.sign_count = 0;
  return store_row(std::move(rec), rng);
}

StoreResult<std::optional<CredentialRecord>> SqliteVault::find(std::string_view rp_id, ByteSpan id) {
  return find_row(rp_id, id);
}

StoreResult<std::uint32_t> SqliteVault::next_sign_count(const CredentialRecord&) {
  // WebAuthn §6.1.1: a synced credential's counter stays 0.
  return 0u;
}

StoreResult<void> SqliteVault::reset(Rng&) {
  auto tx = begin();
  if (!tx) return tl::make_unexpected(tx.error());
  if (auto r = table_.clear(); !r) return r;
  return commit(*tx);
}

}  // namespace vfido::credstore::sqlite
