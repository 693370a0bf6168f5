#include "credstore/sqlite/database.h"

#include <sqlite3.h>

#include <climits>

namespace vfido::credstore::sqlite {

StoreError SqliteError::store_error() const {
  switch (code & 0xFF) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
      return StoreError::kCorrupt;
    default:
      return StoreError::kIo;
  }
}

// ---- Statement ------------------------------------------------------------------------------

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(stmt_);
    stmt_ = o.stmt_;
    db_ = o.db_;
    needs_reset_ = o.needs_reset_;
    o.stmt_ = nullptr;
  }
  return *this;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  needs_reset_ = false;
}

// Bind errors (an index out of range, a value over SQLITE_MAX_LENGTH) surface at step() through
// sqlite3_errcode, so the chainable binders need not return them.
Statement& Statement::bind(int index, ByteSpan blob) {
  if (needs_reset_) reset();
  static const std::uint8_t kEmpty = 0;  // a zero-length blob, not NULL
  const void* data = blob.empty() ? &kEmpty : blob.data();
  sqlite3_bind_blob64(stmt_, index, data, blob.size(), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  if (needs_reset_) reset();
  sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (needs_reset_) reset();
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (needs_reset_) reset();
  sqlite3_bind_null(stmt_, index);
  return *this;
}

DbResult<bool> Statement::step() {
  needs_reset_ = true;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  SqliteError e{rc, sqlite3_errmsg(db_)};
  sqlite3_reset(stmt_);
  return tl::unexpected(std::move(e));
}

DbResult<void> Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return tl::unexpected(r.error());
    if (!*r) return {};
  }
}

ByteSpan Statement::column_blob(int index) const {
  const void* p = sqlite3_column_blob(stmt_, index);
  const int n = sqlite3_column_bytes(stmt_, index);
  if (p == nullptr || n <= 0) return {};
  return {static_cast<const std::uint8_t*>(p), static_cast<std::size_t>(n)};
}

std::string Statement::column_text(int index) const {
  const unsigned char* p = sqlite3_column_text(stmt_, index);
  const int n = sqlite3_column_bytes(stmt_, index);
  if (p == nullptr || n <= 0) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

bool Statement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

// ---- Database -------------------------------------------------------------------------------

DbResult<Database> Database::open(const std::string& path, Mode mode, int busy_timeout_ms) {
  sqlite3* db = nullptr;
  // No SQLITE_OPEN_NOFOLLOW: it refuses a symbolic link anywhere in the path (a symlinked home
  // directory, say); store_file.cpp refuses a store file that is itself a link.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX;
  if (mode == Mode::kReadWriteCreate) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    SqliteError e{rc, db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)};
    sqlite3_close_v2(db);
    return tl::unexpected(std::move(e));
  }
  sqlite3_extended_result_codes(db, 0);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  return Database(db);
}

Database::~Database() { close(); }

Database& Database::operator=(Database&& o) noexcept {
  if (this != &o) {
    close();
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

void Database::close() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

SqliteError Database::error(std::string_view what) const {
  const int code = db_ != nullptr ? sqlite3_errcode(db_) : SQLITE_MISUSE;
  std::string msg(what);
  msg += ": ";
  msg += db_ != nullptr ? sqlite3_errmsg(db_) : "the database is closed";
  return SqliteError{code, std::move(msg)};
}

DbResult<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sql.size() > static_cast<std::size_t>(INT_MAX)) return tl::unexpected(SqliteError{SQLITE_TOOBIG, "SQL too long"});
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                              nullptr);
  if (rc != SQLITE_OK) return tl::unexpected(error("preparing \"" + std::string(sql) + "\""));
  return Statement(stmt, db_);
}

DbResult<void> Database::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    SqliteError e{rc, err != nullptr ? err : sqlite3_errstr(rc)};
    sqlite3_free(err);
    return tl::unexpected(std::move(e));
  }
  return {};
}

DbResult<std::optional<std::int64_t>> Database::query_int(std::string_view sql) {
  auto stmt = prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  auto row = stmt->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(stmt->column_int(0));
}

std::int64_t Database::changes() const { return sqlite3_changes64(db_); }

// ---- Transaction ----------------------------------------------------------------------------

DbResult<Transaction> Transaction::begin(Database& db) {
  auto r = db.exec("BEGIN IMMEDIATE");
  if (!r) return tl::unexpected(r.error());
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

DbResult<void> Transaction::commit() {
  auto r = db_->exec("COMMIT");
  if (!r) return r;  // the destructor rolls back
  db_ = nullptr;
  return {};
}

}  // namespace vfido::credstore::sqlite
