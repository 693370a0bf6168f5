// What the two SQLite-backed credential stores share: an open StoreFile, its credentials
// table, the CredentialStore operations that work the same on both (discoverable lookups,
// removal, user and backup-state updates, counting), and the extras tools need (listing every
// stored row, importing a record under its own ID, a bulk insert in one transaction). The
// device store (device_store.h) and the synced vault (vault_store.h) add creation, lookup by
// ID, counters and reset, which differ.
//
// Every change runs in one SQLite transaction (BEGIN IMMEDIATE ... COMMIT), so a crash leaves
// either all of it or none; create() returns only after its commit is durable.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "authenticator/credential_store.h"
#include "credstore/sqlite/credential_table.h"
#include "credstore/sqlite/store_file.h"

namespace vfido::credstore::sqlite {

class SqliteStore : public CredentialStore {
 public:
  // remaining_discoverable() of a store without a capacity limit.
  static constexpr std::size_t kUnlimited = 0xFFFFFFFF;
  static constexpr std::size_t kIdLen = 32;  // random IDs of stored rows

  StoreResult<std::vector<CredentialRecord>> find_discoverable(std::string_view rp_id) override;
  StoreResult<void> remove(ByteSpan id) override;
  StoreResult<void> update_user(ByteSpan id, const UserEntity& user) override;
  StoreResult<void> set_backup_state(ByteSpan id, bool backed_up) override;
  StoreResult<std::vector<CredentialRecord>> list_discoverable() override;
  StoreResult<std::size_t> remaining_discoverable() override;

  StoreKind kind() const { return file_->kind(); }
  const std::string& path() const { return file_->path(); }
  StoreFile& file() { return *file_; }
  // The last failure in words, naming the file (StoreError alone is terse).
  const std::string& last_error() const { return table_.last_error(); }

  // Every stored row, discoverable or not, newest first (stateless IDs have no row).
  StoreResult<std::vector<CredentialRecord>> list_stored() override;
  // The stored record with this ID whatever its RP (for tools); nullopt when there is none.
  StoreResult<std::optional<CredentialRecord>> find_stored(ByteSpan id);
  // Stores `rec` as a row under its own ID and signature counter (vfido creds import),
  // replacing a row with that ID; the store's policy (apply_policy) decides BE/BS.
  StoreResult<void> import(CredentialRecord rec) override;
  // Stores `count` credentials made by make(i) as rows, in one transaction (benchmarks, bulk
  // loads): the store's policy, replacement and capacity apply as in create(), but nothing is
  // made stateless. Stops at the first failure, keeping nothing.
  StoreResult<void> bulk_create(std::size_t count, const std::function<CredentialRecord(std::size_t)>& make, Rng& rng);

 protected:
  explicit SqliteStore(std::unique_ptr<StoreFile> file) : file_(std::move(file)), table_(*file_) {}
  // Inserts `rec` as a row under a fresh random ID (inside the caller's transaction).
  StoreResult<Bytes> insert_row(CredentialRecord rec, Rng& rng);
  // insert_row in a transaction of its own.
  StoreResult<Bytes> store_row(CredentialRecord rec, Rng& rng);
  // The stored row with this ID if it is bound to `rp_id` (CTAP 2.1 §6.2.2 step 7.1).
  StoreResult<std::optional<CredentialRecord>> find_row(std::string_view rp_id, ByteSpan id);
  // A transaction, or the StoreError for not getting one.
  StoreResult<Transaction> begin();
  StoreResult<void> commit(Transaction& tx);

  std::unique_ptr<StoreFile> file_;
  CredentialTable table_;
};

// Store::open for each kind: makes a missing file of `kind` when asked, then Store::from_file.
template <typename Store>
tl::expected<std::unique_ptr<Store>, OpenError> open_as(StoreKind kind, const std::string& path, const KeySource& key,
                                                        OpenOptions options) {
  if (options.create) options.create->kind = kind;
  auto file = StoreFile::open(path, key, options);
  if (!file) return tl::unexpected(file.error());
  return Store::from_file(std::move(*file));
}

}  // namespace vfido::credstore::sqlite
