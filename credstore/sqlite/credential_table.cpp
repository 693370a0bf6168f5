#include "credstore/sqlite/credential_table.h"

#include <algorithm>

#include "credstore/record_codec.h"

namespace vfido::credstore::sqlite {
namespace {

constexpr std::string_view kRecordLabel = "vfido credential v1";

// Columns every reading query returns, in this order (open_row reads them by position).
#define VFIDO_ROW_COLUMNS "id, seq, sign_count, discoverable, rp_key, user_key, sealed"

}  // namespace

template <typename T>
StoreResult<T> CredentialTable::fail(StoreError e, const std::string& why) {
  last_error_ = file_.path() + ": " + why;
  return tl::make_unexpected(e);
}

template <typename T>
StoreResult<T> CredentialTable::fail(const SqliteError& e) {
  return fail<T>(e.store_error(), e.message);
}

// Statements are prepared on first use and kept (SQLITE_PREPARE_PERSISTENT).
DbResult<Statement*> CredentialTable::statement(Statement& slot, std::string_view sql) {
  if (!slot.prepared()) {
    auto st = file_.db().prepare(sql);
    if (!st) return tl::unexpected(st.error());
    slot = std::move(*st);
  }
  return &slot;
}

Bytes CredentialTable::rp_key(std::string_view rp_id) const { return file_.index_hash("rp", as_span(rp_id)); }

Bytes CredentialTable::user_key(std::string_view rp_id, ByteSpan user_id) const {
  // Length-prefixed RP ID, so that no (rp, user) pair can collide with another.
  ByteWriter w;
  w.u32be(static_cast<std::uint32_t>(rp_id.size())).bytes(as_span(rp_id)).bytes(user_id);
  return file_.index_hash("user", w.view());
}

StoreResult<CredentialRecord> CredentialTable::open_row(const Statement& st) {
  const ByteSpan id = st.column_blob(0);
  const std::string hex_id = to_hex(id.first(std::min<std::size_t>(id.size(), 8)));
  auto plain = file_.unseal(kRecordLabel, id, st.column_blob(6));
  if (!plain) {
    return fail<CredentialRecord>(StoreError::kCorrupt, "credential " + hex_id +
                                                            "...: its sealed record does not open (edited, or "
                                                            "moved from another row)");
  }
  auto rec = decode_record(plain->expose(), RecordForm::kRow);
  if (!rec) return fail<CredentialRecord>(StoreError::kCorrupt, "credential " + hex_id + "...: " + rec.error());
  rec->id.assign(id.begin(), id.end());
  rec->created_seq = static_cast<std::uint64_t>(st.column_int(1));
  const std::int64_t count = st.column_int(2);
  rec->sign_count = count < 0 ? 0 : static_cast<std::uint32_t>(std::min<std::int64_t>(count, 0xFFFFFFFF));
  // The discoverable column must agree with the authenticated record. The keyed-hash lookup
  // columns are not recomputed on every read (two HMACs per row would double a lookup's cost):
  // every caller checks the sealed rp_id against the RP it asked for, so an edited rp_key can
  // only hide a row, as deleting it could.
  if ((st.column_int(3) != 0) != rec->discoverable) {
    return fail<CredentialRecord>(StoreError::kCorrupt, "credential " + hex_id + "...: its lookup columns were edited");
  }
  return std::move(*rec);
}

StoreResult<std::vector<CredentialRecord>> CredentialTable::collect(Statement& st) {
  std::vector<CredentialRecord> out;
  for (;;) {
    auto row = st.step();
    if (!row) return fail<std::vector<CredentialRecord>>(row.error());
    if (!*row) break;
    auto rec = open_row(st);
    if (!rec) {
      st.reset();
      return tl::make_unexpected(rec.error());
    }
    out.push_back(std::move(*rec));
  }
  return out;
}

StoreResult<std::uint64_t> CredentialTable::insert(const CredentialRecord& rec, std::uint64_t capacity) {
  using R = std::uint64_t;
  const Bytes rpk = rp_key(rec.rp_id);
  const Bytes userk = rec.discoverable ? user_key(rec.rp_id, rec.user.id) : Bytes{};
  if (rec.discoverable) {
    // CTAP 2.1 §6.1.2 step 17: same (rp.id, user.id) -> the old credential is overwritten.
    auto del = statement(delete_user_, "DELETE FROM credentials WHERE user_key = ?1");
    if (!del) return fail<R>(del.error());
    if (auto r = (*del)->bind(1, userk).run(); !r) return fail<R>(r.error());
    if (capacity != 0) {
      auto used = count_discoverable();
      if (!used) return tl::make_unexpected(used.error());
      if (*used >= capacity) return fail<R>(StoreError::kFull, "no room for another discoverable credential");
    }
  }
  auto plain = encode_record(rec, RecordForm::kRow);
  if (!plain) return fail<R>(StoreError::kCorrupt, plain.error());
  const Bytes sealed = file_.seal(kRecordLabel, rec.id, plain->expose());
  auto ins = statement(insert_,
                       "INSERT INTO credentials (id, rp_key, user_key, discoverable, sign_count, sealed) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING seq");
  if (!ins) return fail<R>(ins.error());
  Statement& st = **ins;
  st.bind(1, rec.id).bind(2, rpk);
  if (rec.discoverable) {
    st.bind(3, userk);
  } else {
    st.bind_null(3);
  }
  st.bind(4, std::int64_t{rec.discoverable ? 1 : 0}).bind(5, static_cast<std::int64_t>(rec.sign_count)).bind(6, sealed);
  auto row = st.step();
  if (!row) return fail<R>(row.error());
  if (!*row) return fail<R>(StoreError::kIo, "INSERT returned no sequence number");
  const auto seq = static_cast<std::uint64_t>(st.column_int(0));
  if (auto done = st.run(); !done) return fail<R>(done.error());
  return seq;
}

StoreResult<bool> CredentialTable::contains(ByteSpan id) {
  auto st = statement(exists_, "SELECT 1 FROM credentials WHERE id = ?1");
  if (!st) return fail<bool>(st.error());
  auto row = (*st)->bind(1, id).step();
  if (!row) return fail<bool>(row.error());
  (*st)->reset();
  return *row;
}

StoreResult<std::optional<CredentialRecord>> CredentialTable::find(ByteSpan id) {
  using R = std::optional<CredentialRecord>;
  auto st = statement(find_, "SELECT " VFIDO_ROW_COLUMNS " FROM credentials WHERE id = ?1");
  if (!st) return fail<R>(st.error());
  auto row = (*st)->bind(1, id).step();
  if (!row) return fail<R>(row.error());
  if (!*row) return R();
  auto rec = open_row(**st);
  (*st)->reset();
  if (!rec) return tl::make_unexpected(rec.error());
  return R(std::move(*rec));
}

StoreResult<std::vector<CredentialRecord>> CredentialTable::find_discoverable(std::string_view rp_id) {
  // Served by the index credentials_by_rp (rp_key, discoverable), which ends in seq (the rowid):
  // no scan and no sort, whatever the number of other credentials.
  auto st = statement(by_rp_, "SELECT " VFIDO_ROW_COLUMNS
                              " FROM credentials WHERE rp_key = ?1 AND discoverable = 1 ORDER BY seq DESC");
  if (!st) return fail<std::vector<CredentialRecord>>(st.error());
  (*st)->bind(1, rp_key(rp_id));
  auto out = collect(**st);
  if (!out) return out;
  for (const auto& rec : *out) {
    // A keyed-hash collision is out of reach; a mismatch means rows were tampered with.
    if (rec.rp_id != rp_id) return fail<std::vector<CredentialRecord>>(StoreError::kCorrupt, "a row is filed under another RP");
  }
  return out;
}

StoreResult<std::vector<CredentialRecord>> CredentialTable::list(bool all_rows) {
  auto st = all_rows ? statement(list_all_, "SELECT " VFIDO_ROW_COLUMNS " FROM credentials ORDER BY seq DESC")
                     : statement(list_disc_, "SELECT " VFIDO_ROW_COLUMNS
                                             " FROM credentials WHERE discoverable = 1 ORDER BY seq DESC");
  if (!st) return fail<std::vector<CredentialRecord>>(st.error());
  return collect(**st);
}

StoreResult<bool> CredentialTable::remove(ByteSpan id) {
  auto st = statement(remove_, "DELETE FROM credentials WHERE id = ?1");
  if (!st) return fail<bool>(st.error());
  if (auto r = (*st)->bind(1, id).run(); !r) return fail<bool>(r.error());
  return file_.db().changes() > 0;
}

StoreResult<void> CredentialTable::reseal(const CredentialRecord& rec) {
  auto plain = encode_record(rec, RecordForm::kRow);
  if (!plain) return fail<void>(StoreError::kCorrupt, plain.error());
  const Bytes sealed = file_.seal(kRecordLabel, rec.id, plain->expose());
  auto st = statement(reseal_, "UPDATE credentials SET sealed = ?2, user_key = ?3 WHERE id = ?1");
  if (!st) return fail<void>(st.error());
  (*st)->bind(1, rec.id).bind(2, sealed);
  if (rec.discoverable) {
    (*st)->bind(3, user_key(rec.rp_id, rec.user.id));
  } else {
    (*st)->bind_null(3);
  }
  if (auto r = (*st)->run(); !r) return fail<void>(r.error());
  if (file_.db().changes() == 0) return fail<void>(StoreError::kNotFound, "no such credential");
  return {};
}

StoreResult<bool> CredentialTable::increment_count(ByteSpan id, std::uint32_t& value) {
  // WebAuthn §6.1.1: the counter only goes up; it stays at its maximum once there.
  auto st = statement(count_up_,
                      "UPDATE credentials SET sign_count = min(sign_count + 1, 4294967295) WHERE id = ?1 "
                      "RETURNING sign_count");
  if (!st) return fail<bool>(st.error());
  auto row = (*st)->bind(1, id).step();
  if (!row) return fail<bool>(row.error());
  if (!*row) return false;
  value = static_cast<std::uint32_t>((*st)->column_int(0));
  if (auto done = (*st)->run(); !done) return fail<bool>(done.error());
  return true;
}

StoreResult<std::uint64_t> CredentialTable::count_discoverable() {
  auto st = statement(count_, "SELECT count(*) FROM credentials WHERE discoverable = 1");
  if (!st) return fail<std::uint64_t>(st.error());
  auto row = (*st)->step();
  if (!row) return fail<std::uint64_t>(row.error());
  const auto n = static_cast<std::uint64_t>((*st)->column_int(0));
  (*st)->reset();
  return n;
}

StoreResult<void> CredentialTable::clear() {
  auto st = statement(clear_, "DELETE FROM credentials");
  if (!st) return fail<void>(st.error());
  if (auto r = (*st)->run(); !r) return fail<void>(r.error());
  return {};
}

}  // namespace vfido::credstore::sqlite
