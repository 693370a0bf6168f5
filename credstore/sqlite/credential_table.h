// The credentials table of a store file (schema.h): one row per stored credential, its record
// sealed with AES-256-GCM under the store's data key with the credential ID in the associated
// data, so a row moved to another ID, or any edited byte, fails to open. The lookup columns are
// keyed hashes (StoreFile::index_hash) of the RP ID and of (RP ID, user ID), so the file does not
// show which sites a user has accounts with; every read checks the sealed RP ID against the one
// asked for and the discoverable column against the sealed flag. Shared by the device store and
// the vault; writes must run inside the caller's Transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "authenticator/credential_store.h"
#include "credstore/sqlite/database.h"
#include "credstore/sqlite/store_file.h"

namespace vfido::credstore::sqlite {

class CredentialTable {
 public:
  explicit CredentialTable(StoreFile& file) : file_(file) {}

  // Inserts `rec` under rec.id. A discoverable record first replaces the one with the same
  // (rp_id, user.id) (CTAP 2.1 §6.1.2 step 17); then kFull when `capacity` (0 = none) is
  // reached. Returns the row's creation sequence number.
  StoreResult<std::uint64_t> insert(const CredentialRecord& rec, std::uint64_t capacity);
  StoreResult<bool> contains(ByteSpan id);
  // The record with id, seq and sign_count filled in; nullopt when there is no such row;
  // kCorrupt when the row does not open or does not match its columns.
  StoreResult<std::optional<CredentialRecord>> find(ByteSpan id);
  // Discoverable records of one RP, newest first.
  StoreResult<std::vector<CredentialRecord>> find_discoverable(std::string_view rp_id);
  // Every row (all_rows) or every discoverable row, newest first.
  StoreResult<std::vector<CredentialRecord>> list(bool all_rows);
  StoreResult<bool> remove(ByteSpan id);
  // Re-seals an existing row with rec's fields (update_user, set_backup_state).
  StoreResult<void> reseal(const CredentialRecord& rec);
  // Increments the row's counter (saturating at 2^32-1) into `value`; false: no such row.
  StoreResult<bool> increment_count(ByteSpan id, std::uint32_t& value);
  StoreResult<std::uint64_t> count_discoverable();
  StoreResult<void> clear();

  // What went wrong last, with the file name, for tools and logs.
  const std::string& last_error() const { return last_error_; }
  // Records a failure found by the caller (same message format) and returns `e`.
  tl::unexpected<StoreError> report(StoreError e, const std::string& why) {
    last_error_ = file_.path() + ": " + why;
    return tl::make_unexpected(e);
  }

 private:
  template <typename T>
  StoreResult<T> fail(StoreError e, const std::string& why);
  template <typename T>
  StoreResult<T> fail(const SqliteError& e);
  DbResult<Statement*> statement(Statement& slot, std::string_view sql);
  StoreResult<CredentialRecord> open_row(const Statement& st);
  Bytes rp_key(std::string_view rp_id) const;
  Bytes user_key(std::string_view rp_id, ByteSpan user_id) const;
  StoreResult<std::vector<CredentialRecord>> collect(Statement& st);

  StoreFile& file_;
  std::string last_error_;
  Statement insert_, delete_user_, count_, exists_, find_, by_rp_, list_all_, list_disc_, remove_, reseal_, count_up_,
      clear_;
};

}  // namespace vfido::credstore::sqlite
