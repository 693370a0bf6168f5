// A thin RAII layer over the SQLite C API for the persistent stores: one connection, prepared
// statements, and transactions. Errors are values: SqliteError carries the result code and
// SQLite's message; the stores turn it into a StoreError (or an OpenError at open time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/credential_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace vfido::credstore::sqlite {

struct SqliteError {
  int code = 0;         // primary SQLite result code (SQLITE_CORRUPT, SQLITE_BUSY, ...)
  std::string message;  // sqlite3_errmsg() and what was being done

  // kCorrupt for damaged or foreign data (SQLITE_CORRUPT, SQLITE_NOTADB), kIo for the rest.
  StoreError store_error() const;
};

template <typename T>
using DbResult = tl::expected<T, SqliteError>;

class Statement {
 public:
  Statement() = default;
  ~Statement();
  Statement(Statement&& o) noexcept : stmt_(o.stmt_), db_(o.db_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool prepared() const { return stmt_ != nullptr; }

  // Parameters are numbered from 1, as in SQL "?1".
  Statement& bind(int index, ByteSpan blob);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  Statement& bind_null(int index);

  // One step: true when a row is available, false when done.
  DbResult<bool> step();
  // Steps to the end (for statements without rows).
  DbResult<void> run();
  // Clears bindings and rewinds; done automatically by the next bind after a finished step.
  void reset();

  // Columns are numbered from 0. A NULL blob or text reads as empty.
  ByteSpan column_blob(int index) const;
  std::string column_text(int index) const;
  std::int64_t column_int(int index) const;
  bool column_is_null(int index) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
  bool needs_reset_ = false;
};

class Database {
 public:
  enum class Mode : std::uint8_t { kReadWrite, kReadWriteCreate };

  // Opens `path` (no URI interpretation). The connection waits up to
  // `busy_timeout_ms` for other connections' locks (synced vaults are shared).
  static DbResult<Database> open(const std::string& path, Mode mode, int busy_timeout_ms);

  Database() = default;
  ~Database();
  Database(Database&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Database& operator=(Database&& o) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  DbResult<Statement> prepare(std::string_view sql);
  // Runs one or more statements without results.
  DbResult<void> exec(const std::string& sql);
  // The single integer a query returns, or nullopt when it returns no row.
  DbResult<std::optional<std::int64_t>> query_int(std::string_view sql);
  std::int64_t changes() const;  // rows changed by the last statement
  void close();
  bool is_open() const { return db_ != nullptr; }

  SqliteError error(std::string_view what) const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT: takes the write lock at once (so two writers never deadlock on a
// lock upgrade) and rolls back unless commit() succeeded.
class Transaction {
 public:
  static DbResult<Transaction> begin(Database& db);
  ~Transaction();
  Transaction(Transaction&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  DbResult<void> commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

}  // namespace vfido::credstore::sqlite
