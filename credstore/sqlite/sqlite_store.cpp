#include "credstore/sqlite/sqlite_store.h"

namespace vfido::credstore::sqlite {

StoreResult<Transaction> SqliteStore::begin() {
  auto tx = Transaction::begin(file_->db());
  if (!tx) return table_.report(tx.error().store_error(), "cannot start a transaction: " + tx.error().message);
  return std::move(*tx);
}

StoreResult<void> SqliteStore::commit(Transaction& tx) {
  auto r = tx.commit();
  if (!r) return table_.report(r.error().store_error(), "commit failed: " + r.error().message);
  return {};
}

StoreResult<Bytes> SqliteStore::insert_row(CredentialRecord rec, Rng& rng) {
  if (rec.discoverable && rec.user.id.empty()) {
    return table_.report(StoreError::kCorrupt, "a discoverable credential needs a user ID");
  }
  Bytes id;
  for (;;) {
    id = rng.bytes(kIdLen);
    auto taken = table_.contains(id);
    if (!taken) return tl::make_unexpected(taken.error());
    if (!*taken) break;
  }
  rec.id = id;
  auto seq = table_.insert(rec, file_->capacity());
  if (!seq) return tl::make_unexpected(seq.error());
  return id;
}

StoreResult<Bytes> SqliteStore::store_row(CredentialRecord rec, Rng& rng) {
  auto tx = begin();
  if (!tx) return tl::make_unexpected(tx.error());
  auto id = insert_row(std::move(rec), rng);
  if (!id) return id;
  if (auto c = commit(*tx); !c) return tl::make_unexpected(c.error());
  return id;
}

StoreResult<std::optional<CredentialRecord>> SqliteStore::find_row(std::string_view rp_id, ByteSpan id) {
  auto row = table_.find(id);
  if (!row) return row;
  if (!*row || (*row)->rp_id != rp_id) return std::optional<CredentialRecord>();
  return row;
}

StoreResult<std::vector<CredentialRecord>> SqliteStore::find_discoverable(std::string_view rp_id) {
  return table_.find_discoverable(rp_id);
}

StoreResult<void> SqliteStore::remove(ByteSpan id) {
  auto tx = begin();
  if (!tx) return tl::make_unexpected(tx.error());
  auto removed = table_.remove(id);
  if (!removed) return tl::make_unexpected(removed.error());
  if (!*removed) return table_.report(StoreError::kNotFound, "no credential " + to_hex(id));
  return commit(*tx);
}

StoreResult<void> SqliteStore::update_user(ByteSpan id, const UserEntity& user) {
  auto tx = begin();
  if (!tx) return tl::make_unexpected(tx.error());
  auto rec = table_.find(id);
  if (!rec) return tl::make_unexpected(rec.error());
  // CTAP 2.1 §6.8.6: only discoverable credentials have a user to update; user.id stays.
  if (!*rec || !(*rec)->discoverable) return table_.report(StoreError::kNotFound, "no discoverable credential " + to_hex(id));
  (*rec)->user = user;
  if (auto r = table_.reseal(**rec); !r) return r;
  return commit(*tx);
}

StoreResult<void> SqliteStore::set_backup_state(ByteSpan id, bool backed_up) {
  auto tx = begin();
  if (!tx) return tl::make_unexpected(tx.error());
  auto rec = table_.find(id);
  if (!rec) return tl::make_unexpected(rec.error());
  // WebAuthn §6.1: BS=1 requires BE=1.
  if (!*rec || (backed_up && !(*rec)->backup_eligible)) {
    return table_.report(StoreError::kNotFound, "no backup-eligible credential " + to_hex(id));
  }
  (*rec)->backup_state = backed_up;
  if (auto r = table_.reseal(**rec); !r) return r;
  return commit(*tx);
}

StoreResult<std::vector<CredentialRecord>> SqliteStore::list_discoverable() { return table_.list(false); }

StoreResult<std::size_t> SqliteStore::remaining_discoverable() {
  const std::uint64_t capacity = file_->capacity();
  if (capacity == 0) return kUnlimited;
  auto used = table_.count_discoverable();
  if (!used) return tl::make_unexpected(used.error());
  return *used >= capacity ? 0 : static_cast<std::size_t>(capacity - *used);
}

StoreResult<std::vector<CredentialRecord>> SqliteStore::list_stored() { return table_.list(true); }

StoreResult<std::optional<CredentialRecord>> SqliteStore::find_stored(ByteSpan id) { return table_.find(id); }

StoreResult<void> SqliteStore::import(CredentialRecord rec) {
  if (rec.id.empty()) return table_.report(StoreError::kCorrupt, "an imported credential needs its ID");
  if (rec.discoverable && rec.user.id.empty()) {
    return table_.report(StoreError::kCorrupt, "an imported discoverable credential needs a user ID");
  }
  apply_policy(rec);
  if (kind() == StoreKind::kVault) rec.sign_count = 0;  // WebAuthn §6.1.1: synced credentials count 0
  auto tx = begin();
  if (!tx) return tl::make_unexpected(tx.error());
  if (auto r = table_.remove(rec.id); !r) return tl::make_unexpected(r.error());
  if (auto seq = table_.insert(rec, file_->capacity()); !seq) return tl::make_unexpected(seq.error());
  return commit(*tx);
}

StoreResult<void> SqliteStore::bulk_create(std::size_t count, const std::function<CredentialRecord(std::size_t)>& make,
                                           Rng& rng) {
  // Random IDs and keyed hashes land all over three indexes: with SQLite's default 2 MB page
  // cache, a large load would spill and re-read pages throughout. A larger cache for the load
  // only (https://sqlite.org/pragma.html#pragma_cache_size; negative = KiB).
  struct CacheScope {
    Database& db;
    explicit CacheScope(Database& d) : db(d) { (void)db.exec("PRAGMA cache_size = -262144"); }
    ~CacheScope() { (void)db.exec("PRAGMA cache_size = -2000; PRAGMA shrink_memory"); }
  } cache(file_->db());
  auto tx = begin();
  if (!tx) return tl::make_unexpected(tx.error());
  for (std::size_t i = 0; i < count; ++i) {
    CredentialRecord rec = make(i);
    apply_policy(rec);
    rec.sign_count = 0;
    if (auto id = insert_row(std::move(rec), rng); !id) return tl::make_unexpected(id.error());
  }
  return commit(*tx);
}

}  // namespace vfido::credstore::sqlite
