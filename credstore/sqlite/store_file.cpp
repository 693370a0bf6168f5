#include "credstore/sqlite/store_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "authenticator/crypto/aes.h"
#include "authenticator/crypto/hash.h"
#include "credstore/sqlite/schema.h"

// The meta table (schema.h) holds, by key:
//   kind              TEXT     "device" or "vault"
//   store_id          BLOB 16  random; binds the wrapped data key and the settings MAC
//   kdf               TEXT     "scrypt" (passphrase) or "keyfile"
//   salt              BLOB 16  scrypt salt / HKDF salt of the key file
//   scrypt_n/r/p      INTEGER  scrypt parameters (passphrase stores)
//   data_key          BLOB     the random 32-byte data key sealed under the KEK
//   capacity          INTEGER  discoverable credentials that fit, 0 = no limit
//   provider_aaguid   BLOB 16  vaults: the provider's AAGUID
//   provider_name     TEXT     vaults: the provider's name
//   new_backup_state  INTEGER  vaults: BS of new credentials (0/1)
//   settings_mac      BLOB 32  HMAC over the settings above
//   master_key, stateless_counter: device stores (device_store.cpp)

namespace vfido::credstore::sqlite {
namespace {

constexpr std::size_t kSaltLen = 16;
constexpr std::size_t kStoreIdLen = 16;
constexpr std::size_t kSqliteHeaderLen = 100;
constexpr std::string_view kDataKeyLabel = "vfido data key v1";

using Fail = tl::unexpected<OpenError>;

Fail error(OpenErrorCode code, const std::string& path, const std::string& what) {
  return Fail(OpenError{code, path + ": " + what});
}

std::string errno_text() { return std::strerror(errno); }

std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// mkdir -p with mode 0700 for every directory it makes.
tl::expected<void, std::string> make_dirs(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return tl::unexpected(dir + " is not a directory");
    return {};
  }
  if (errno != ENOENT) return tl::unexpected(dir + ": " + errno_text());
  const std::string parent = dir_of(dir);
  if (parent != dir) {
    auto p = make_dirs(parent);
    if (!p) return p;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return tl::unexpected("cannot create " + dir + ": " + errno_text());
  return {};
}

void remove_db_files(const std::string& path) {
  ::unlink(path.c_str());
  ::unlink((path + "-wal").c_str());
  ::unlink((path + "-shm").c_str());
  ::unlink((path + "-journal").c_str());
}

// The checks made on the raw file before SQLite opens it (https://sqlite.org/fileformat.html
// §1.3, the database header).
tl::expected<void, OpenError> check_header(const std::string& path, const struct stat& st) {
  if (st.st_size == 0) return error(OpenErrorCode::kEmpty, path, "the file is empty (0 bytes), not a vfido store");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return error(OpenErrorCode::kIo, path, errno_text());
  std::uint8_t h[kSqliteHeaderLen] = {};
  ssize_t n = ::pread(fd, h, sizeof h, 0);
  ::close(fd);
  if (n < 0) return error(OpenErrorCode::kIo, path, errno_text());
  static const char kMagic[] = "SQLite format 3";  // 16 bytes with its NUL
  if (static_cast<std::size_t>(n) < 16 || std::memcmp(h, kMagic, 16) != 0) {
    return error(OpenErrorCode::kNotSqlite, path, "not a vfido store (not an SQLite database)");
  }
  if (static_cast<std::size_t>(n) < kSqliteHeaderLen) {
    return error(OpenErrorCode::kTruncated, path, "truncated: the file ends inside the SQLite header");
  }
  const std::uint32_t app_id = be32(h + 68);
  if (app_id != static_cast<std::uint32_t>(kApplicationId)) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", app_id);
    return error(OpenErrorCode::kForeign, path,
                 std::string("an SQLite database, but not a vfido store (application_id ") + buf + ")");
  }
  // Bytes 16-17: page size (1 means 65536); 28-31: size in pages, valid when the change counter
  // (24-27) equals "version-valid-for" (92-95). While a WAL file exists the main file may lag
  // behind it (a checkpoint in progress), so the length check is only made without one.
  std::uint32_t page_size = std::uint32_t{h[16]} << 8 | h[17];
  if (page_size == 1) page_size = 65536;
  const std::uint32_t pages = be32(h + 28);
  const bool size_valid = pages != 0 && be32(h + 24) == be32(h + 92);
  struct stat wal {};
  const bool has_wal = ::stat((path + "-wal").c_str(), &wal) == 0 && wal.st_size > 0;
  if (size_valid && !has_wal) {
    const auto expected = static_cast<std::uint64_t>(pages) * page_size;
    if (static_cast<std::uint64_t>(st.st_size) < expected) {
      return error(OpenErrorCode::kTruncated, path,
                   "truncated: " + std::to_string(st.st_size) + " bytes, but its header says " +
                       std::to_string(expected));
    }
  }
  return {};
}

OpenError db_error(const std::string& path, const SqliteError& e) {
  const StoreError kind = e.store_error();
  return OpenError{kind == StoreError::kCorrupt ? OpenErrorCode::kDamaged : OpenErrorCode::kIo,
                   path + ": " + (kind == StoreError::kCorrupt ? "damaged: " : "") + e.message};
}

Bytes concat(std::string_view label, ByteSpan context) {
  Bytes out(label.begin(), label.end());
  out.insert(out.end(), context.begin(), context.end());
  return out;
}

Bytes seal_with(ByteSpan key, Rng& rng, std::string_view label, ByteSpan context, ByteSpan plaintext) {
  Bytes nonce = rng.bytes(crypto::kGcmNonceLen);
  auto sealed = crypto::aes256_gcm_seal(key, nonce, plaintext, concat(label, context));
  // Only a wrong key or nonce length can make it fail; both are fixed here.
  if (!sealed) std::abort();
  nonce.insert(nonce.end(), sealed->begin(), sealed->end());
  return nonce;
}

std::optional<crypto::SecretBytes> unseal_with(ByteSpan key, std::string_view label, ByteSpan context,
                                               ByteSpan sealed) {
  if (sealed.size() < crypto::kGcmNonceLen + crypto::kGcmTagLen) return std::nullopt;
  auto plain = crypto::aes256_gcm_open(key, sealed.first(crypto::kGcmNonceLen), sealed.subspan(crypto::kGcmNonceLen),
                                       concat(label, context));
  if (!plain) return std::nullopt;
  return std::move(*plain);
}

// The settings a store's behaviour depends on, in one byte string for the settings MAC.
Bytes settings_bytes(StoreKind kind, std::uint64_t capacity, const VaultProvider& provider, bool new_bs) {
  ByteWriter w;
  w.u8(static_cast<std::uint8_t>(kind));
  w.u32be(static_cast<std::uint32_t>(capacity >> 32)).u32be(static_cast<std::uint32_t>(capacity));
  w.bytes(provider.aaguid);
  w.u32be(static_cast<std::uint32_t>(provider.name.size())).bytes(as_span(provider.name));
  w.u8(new_bs ? 1 : 0);
  return std::move(w).take();
}

crypto::Sha256Digest settings_mac(ByteSpan data_key, ByteSpan store_id, ByteSpan settings) {
  auto mac_key = crypto::hkdf_sha256(store_id, data_key, as_span("vfido settings mac v1"), 32);
  return crypto::hmac_sha256(mac_key.expose(), settings);
}

DbResult<void> put_meta(Database& db, std::string_view key, ByteSpan value) {
  auto st = db.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2");
  if (!st) return tl::unexpected(st.error());
  return st->bind(1, key).bind(2, value).run();
}
DbResult<void> put_meta(Database& db, std::string_view key, std::string_view text) {
  auto st = db.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2");
  if (!st) return tl::unexpected(st.error());
  return st->bind(1, key).bind(2, text).run();
}
DbResult<void> put_meta(Database& db, std::string_view key, std::int64_t value) {
  auto st = db.prepare("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2");
  if (!st) return tl::unexpected(st.error());
  return st->bind(1, key).bind(2, value).run();
}

// A meta value as SQLite stores it; nullopt when absent.
struct MetaValue {
  Bytes bytes;         // blob or text
  std::int64_t integer = 0;
  bool is_integer = false;
};

DbResult<std::optional<MetaValue>> get_meta(Database& db, std::string_view key) {
  auto st = db.prepare("SELECT value, typeof(value) = 'integer' FROM meta WHERE key = ?1");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, key);
  auto row = st->step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return std::optional<MetaValue>();
  MetaValue v;
  v.is_integer = st->column_int(1) != 0;
  if (v.is_integer) {
    v.integer = st->column_int(0);
  } else {
    ByteSpan b = st->column_blob(0);
    v.bytes.assign(b.begin(), b.end());
  }
  return std::optional<MetaValue>(std::move(v));
}

// Runs the migrations from `from` up to kSchemaVersion inside the caller's transaction.
DbResult<void> migrate(Database& db, std::int64_t from) {
  for (std::int64_t v = from; v < kSchemaVersion; ++v) {
    auto r = db.exec(std::string(kMigrations[v]));
    if (!r) return r;
  }
  auto st = db.prepare("UPDATE schema_version SET version = ?1");
  if (!st) return tl::unexpected(st.error());
  return st->bind(1, kSchemaVersion).run();
}

DbResult<void> configure(Database& db) {
  // WAL: readers never block the writer and a crash never leaves a half-written page behind;
  // synchronous=FULL syncs the WAL at every commit, so what create() acknowledged survives a
  // power cut too (https://sqlite.org/wal.html, https://sqlite.org/pragma.html#pragma_synchronous).
  auto mode = db.prepare("PRAGMA journal_mode = WAL");
  if (!mode) return tl::unexpected(mode.error());
  auto row = mode->step();
  if (!row) return tl::unexpected(row.error());
  return db.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF; PRAGMA trusted_schema = OFF");
}

// Builds a complete new store under a temporary name and links it into place. EEXIST from the
// link means another process made the store first: that is not an error for "create if
// missing"; the caller then opens what is there.
tl::expected<void, OpenError> create_store(const std::string& path, const KeySource& key, const NewStore& spec,
                                           bool must_create) {
  const std::string dir = dir_of(path);
  if (auto d = make_dirs(dir); !d) return error(OpenErrorCode::kIo, path, d.error());
  OpenSslRng rng;
  const std::string tmp = dir + "/." + base_of(path) + ".new-" + std::to_string(::getpid()) + "-" + to_hex(rng.bytes(4));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return error(OpenErrorCode::kIo, path, "cannot create " + tmp + ": " + errno_text());
  ::close(fd);

  auto build = [&]() -> tl::expected<void, OpenError> {
    auto db = Database::open(tmp, Database::Mode::kReadWrite, 5000);
    if (!db) return Fail(db_error(path, db.error()));
    auto fail_db = [&](const SqliteError& e) { return Fail(db_error(path, e)); };
    if (auto r = db->exec("PRAGMA application_id = " + std::to_string(kApplicationId)); !r) return fail_db(r.error());
    if (auto r = configure(*db); !r) return fail_db(r.error());
    auto tx = Transaction::begin(*db);
    if (!tx) return fail_db(tx.error());
    if (auto r = migrate(*db, 0); !r) return fail_db(r.error());

    const Bytes store_id = rng.bytes(kStoreIdLen);
    const Bytes salt = rng.bytes(kSaltLen);
    auto kek = key.derive_kek(salt, spec.scrypt);
    if (!kek) return error(OpenErrorCode::kIo, path, key.origin() + ": " + kek.error());
    crypto::SecretBytes data_key(32);
    rng.fill(data_key.expose_mut());
    const Bytes wrapped = seal_with(kek->expose(), rng, kDataKeyLabel, store_id, data_key.expose());
    const bool passphrase = key.kind() == KeySource::Kind::kPassphrase;
    // Provider settings exist only in vaults; a device store's MAC covers their defaults.
    const bool vault = spec.kind == StoreKind::kVault;
    const auto mac = settings_mac(data_key.expose(), store_id,
                                  settings_bytes(spec.kind, spec.capacity, vault ? spec.provider : VaultProvider{},
                                                 vault ? spec.new_backup_state : true));
    DbResult<void> r;
    auto put = [&](auto k, auto v) {
      if (r) r = put_meta(*db, k, v);
    };
    put("kind", store_kind_name(spec.kind));
    put("store_id", ByteSpan(store_id));
    put("kdf", std::string_view(passphrase ? "scrypt" : "keyfile"));
    put("salt", ByteSpan(salt));
    if (passphrase) {
      put("scrypt_n", static_cast<std::int64_t>(spec.scrypt.n));
      put("scrypt_r", static_cast<std::int64_t>(spec.scrypt.r));
      put("scrypt_p", static_cast<std::int64_t>(spec.scrypt.p));
    }
    put("data_key", ByteSpan(wrapped));
    put("capacity", static_cast<std::int64_t>(spec.capacity));
    if (spec.kind == StoreKind::kVault) {
      put("provider_aaguid", ByteSpan(spec.provider.aaguid));
      put("provider_name", std::string_view(spec.provider.name));
      put("new_backup_state", static_cast<std::int64_t>(spec.new_backup_state ? 1 : 0));
    }
    put("settings_mac", ByteSpan(mac));
    if (!r) return fail_db(r.error());
    if (auto c = tx->commit(); !c) return fail_db(c.error());
    db->close();  // checkpoints and removes the WAL: the file is complete on its own
    return {};
  };
  auto built = build();
  if (!built) {
    remove_db_files(tmp);
    return built;
  }
  if (::link(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    remove_db_files(tmp);
    if (err == EEXIST && !must_create) return {};  // made concurrently by another process: open that one
    if (err == EEXIST) return error(OpenErrorCode::kExists, path, "a file of that name exists already");
    return error(OpenErrorCode::kIo, path, std::string("cannot create: ") + std::strerror(err));
  }
  ::unlink(tmp.c_str());
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // the new directory entry survives a crash too
    ::close(dfd);
  }
  return {};
}

// flock on "PATH.lock" for the life of a device store; the file holds the owner's pid.
tl::expected<int, OpenError> lock_store(const std::string& path) {
  const std::string lock_path = path + ".lock";
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return error(OpenErrorCode::kIo, path, "cannot open lock file " + lock_path + ": " + errno_text());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (err != EWOULDBLOCK) return error(OpenErrorCode::kIo, path, "cannot lock " + lock_path + ": " + std::strerror(err));
    std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("unknown");
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    return error(OpenErrorCode::kInUse, path, "in use by pid " + pid + " (a device store is opened by one key at a time)");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The lock holds without the pid; only the message of a second opener suffers.
  }
  return fd;
}

std::optional<StoreKind> parse_kind(const Bytes& b) {
  const std::string s(b.begin(), b.end());
  if (s == "device") return StoreKind::kDevice;
  if (s == "vault") return StoreKind::kVault;
  return std::nullopt;
}

// Opens an existing file for reading its settings: every check up to the schema version.
tl::expected<Database, OpenError> open_checked(const std::string& path, const OpenOptions& options,
                                               std::int64_t* version_out) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return error(OpenErrorCode::kMissing, path, "no such store");
    return error(OpenErrorCode::kIo, path, errno_text());
  }
  if (S_ISLNK(st.st_mode)) return error(OpenErrorCode::kNotRegular, path, "a symbolic link; give the store's real path");
  if (!S_ISREG(st.st_mode)) return error(OpenErrorCode::kNotRegular, path, "not a regular file");
  if (auto h = check_header(path, st); !h) return Fail(h.error());

  auto db = Database::open(path, Database::Mode::kReadWrite, options.busy_timeout_ms);
  if (!db) return Fail(db_error(path, db.error()));
  if (auto r = configure(*db); !r) return Fail(db_error(path, r.error()));
  auto version = db->query_int("SELECT version FROM schema_version");
  if (!version) {
    if (version.error().store_error() == StoreError::kCorrupt) return Fail(db_error(path, version.error()));
    return error(OpenErrorCode::kDamaged, path, "damaged: no schema_version table (" + version.error().message + ")");
  }
  if (!*version) return error(OpenErrorCode::kDamaged, path, "damaged: schema_version is empty");
  if (**version > kSchemaVersion) {
    return error(OpenErrorCode::kNewerSchema, path,
                 "schema version " + std::to_string(**version) + " was written by a newer vfido (this one knows up to " +
                     std::to_string(kSchemaVersion) + "); upgrade vfido");
  }
  if (**version < 1) return error(OpenErrorCode::kDamaged, path, "damaged: schema version " + std::to_string(**version));
  if (static_cast<std::uint64_t>(st.st_size) <= options.quick_check_max_bytes) {
    auto check = db->prepare("PRAGMA quick_check");
    if (!check) return Fail(db_error(path, check.error()));
    auto row = check->step();
    if (!row) return Fail(db_error(path, row.error()));
    const std::string verdict = *row ? check->column_text(0) : "no answer";
    if (verdict != "ok") return error(OpenErrorCode::kDamaged, path, "damaged: " + verdict);
  }
  *version_out = **version;
  return std::move(*db);
}

tl::expected<MetaValue, OpenError> required_meta(Database& db, const std::string& path, std::string_view key,
                                                 bool integer) {
  auto v = get_meta(db, key);
  if (!v) return Fail(db_error(path, v.error()));
  if (!*v || (*v)->is_integer != integer) {
    return error(OpenErrorCode::kDamaged, path, "damaged: setting \"" + std::string(key) + "\" is missing or mistyped");
  }
  return std::move(**v);
}

}  // namespace

std::string_view store_kind_name(StoreKind kind) { return kind == StoreKind::kVault ? "vault" : "device"; }

tl::expected<std::unique_ptr<StoreFile>, OpenError> StoreFile::open(const std::string& path, const KeySource& key,
                                                                    const OpenOptions& options) {
  if (path.empty()) return error(OpenErrorCode::kMissing, "(empty path)", "no store path given");
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) {
    if (!options.create) return error(OpenErrorCode::kMissing, path, "no such store");
    if (auto c = create_store(path, key, *options.create, options.must_create); !c) return Fail(c.error());
  } else if (options.must_create) {
    return error(OpenErrorCode::kExists, path, "a file of that name exists already");
  }
  std::int64_t version = 0;
  auto db = open_checked(path, options, &version);
  if (!db) return Fail(db.error());

  std::unique_ptr<StoreFile> f(new StoreFile());
  f->path_ = path;
  f->db_ = std::move(*db);
  // The kind first: a device store is locked before anything is written to it.
  if (auto k = f->load_kind_and_lock(); !k) return Fail(k.error());
  if (version < kSchemaVersion) {
    // Older file: add what the newer schema has, under the write lock (another process may be
    // doing the same; the version is read again inside the transaction).
    auto tx = Transaction::begin(f->db_);
    if (!tx) return Fail(db_error(path, tx.error()));
    auto again = f->db_.query_int("SELECT version FROM schema_version");
    if (!again || !*again) return error(OpenErrorCode::kDamaged, path, "damaged: schema_version unreadable");
    if (**again < kSchemaVersion) {
      if (auto r = migrate(f->db_, **again); !r) return Fail(db_error(path, r.error()));
    }
    if (auto r = tx->commit(); !r) return Fail(db_error(path, r.error()));
  }
  if (auto l = f->load(key); !l) return Fail(l.error());
  return f;
}

tl::expected<void, OpenError> StoreFile::load_kind_and_lock() {
  auto kind = required_meta(db_, path_, "kind", false);
  if (!kind) return Fail(kind.error());
  auto parsed_kind = parse_kind(kind->bytes);
  if (!parsed_kind) return error(OpenErrorCode::kDamaged, path_, "damaged: unknown store kind");
  kind_ = *parsed_kind;
  // A device store belongs to one key at a time.
  if (kind_ == StoreKind::kDevice) {
    auto fd = lock_store(path_);
    if (!fd) return Fail(fd.error());
    lock_fd_ = *fd;
  }
  return {};
}

tl::expected<void, OpenError> StoreFile::load(const KeySource& key) {
  const std::string& path = path_;
  auto store_id = required_meta(db_, path, "store_id", false);
  auto kdf = required_meta(db_, path, "kdf", false);
  auto salt = required_meta(db_, path, "salt", false);
  auto wrapped = required_meta(db_, path, "data_key", false);
  auto capacity = required_meta(db_, path, "capacity", true);
  auto mac = required_meta(db_, path, "settings_mac", false);
  for (auto* r : {&store_id, &kdf, &salt, &wrapped, &mac}) {
    if (!*r) return Fail(r->error());
  }
  if (!capacity) return Fail(capacity.error());
  store_id_ = store_id->bytes;
  capacity_ = capacity->integer < 0 ? 0 : static_cast<std::uint64_t>(capacity->integer);

  const std::string kdf_name(kdf->bytes.begin(), kdf->bytes.end());
  KeySource::Kind needed;
  crypto::ScryptParams params;
  if (kdf_name == "scrypt") {
    needed = KeySource::Kind::kPassphrase;
    auto n = required_meta(db_, path, "scrypt_n", true);
    auto r = required_meta(db_, path, "scrypt_r", true);
    auto p = required_meta(db_, path, "scrypt_p", true);
    if (!n || !r || !p) return Fail(!n ? n.error() : !r ? r.error() : p.error());
    if (n->integer <= 0 || r->integer <= 0 || p->integer <= 0 || r->integer > 0xFFFF || p->integer > 0xFFFF) {
      return error(OpenErrorCode::kDamaged, path, "damaged: implausible scrypt parameters");
    }
    params = crypto::ScryptParams{static_cast<std::uint64_t>(n->integer), static_cast<std::uint32_t>(r->integer),
                                  static_cast<std::uint32_t>(p->integer)};
    if (!params.plausible()) return error(OpenErrorCode::kDamaged, path, "damaged: implausible scrypt parameters");
  } else if (kdf_name == "keyfile") {
    needed = KeySource::Kind::kKeyFile;
  } else {
    return error(OpenErrorCode::kDamaged, path, "damaged: unknown key derivation \"" + kdf_name + "\"");
  }
  if (key.kind() != needed) {
    return error(OpenErrorCode::kWrongKeyKind, path,
                 std::string("protected by a ") + std::string(key_kind_name(needed)) + ", but a " +
                     std::string(key_kind_name(key.kind())) + " was given (" + key.origin() + ")");
  }
  auto kek = key.derive_kek(salt->bytes, params);
  if (!kek) return error(OpenErrorCode::kIo, path, key.origin() + ": " + kek.error());
  auto data_key = unseal_with(kek->expose(), kDataKeyLabel, store_id_, wrapped->bytes);
  if (!data_key || data_key->size() != 32) {
    return error(OpenErrorCode::kWrongKey, path,
                 needed == KeySource::Kind::kPassphrase ? "wrong passphrase (" + key.origin() + ")"
                                                        : "wrong key (" + key.origin() + " does not open this store)");
  }
  data_key_ = std::move(*data_key);
  index_key_ = crypto::hkdf_sha256(store_id_, data_key_.expose(), as_span("vfido index v1"), 32);

  if (kind_ == StoreKind::kVault) {
    auto aaguid = required_meta(db_, path, "provider_aaguid", false);
    auto name = required_meta(db_, path, "provider_name", false);
    auto bs = required_meta(db_, path, "new_backup_state", true);
    if (!aaguid || !name || !bs) return Fail(!aaguid ? aaguid.error() : !name ? name.error() : bs.error());
    if (aaguid->bytes.size() != kAaguidLen) return error(OpenErrorCode::kDamaged, path, "damaged: provider AAGUID");
    std::copy(aaguid->bytes.begin(), aaguid->bytes.end(), provider_.aaguid.begin());
    provider_.name.assign(name->bytes.begin(), name->bytes.end());
    new_backup_state_ = bs->integer != 0;
  }
  const auto expected = settings_mac(data_key_.expose(), store_id_,
                                     settings_bytes(kind_, capacity_, provider_, new_backup_state_));
  if (!crypto::equal_ct(expected, mac->bytes)) {
    return error(OpenErrorCode::kDamaged, path, "damaged: the store's settings were modified (settings MAC mismatch)");
  }
  return {};
}

tl::expected<StoreInfo, OpenError> StoreFile::inspect(const std::string& path) {
  std::int64_t version = 0;
  OpenOptions options;
  options.quick_check_max_bytes = 0;
  auto db = open_checked(path, options, &version);
  if (!db) return Fail(db.error());
  StoreInfo info{};
  info.schema_version = version;
  auto kind = required_meta(*db, path, "kind", false);
  auto kdf = required_meta(*db, path, "kdf", false);
  if (!kind) return Fail(kind.error());
  if (!kdf) return Fail(kdf.error());
  auto k = parse_kind(kind->bytes);
  if (!k) return error(OpenErrorCode::kDamaged, path, "damaged: unknown store kind");
  info.kind = *k;
  info.key_kind = std::string(kdf->bytes.begin(), kdf->bytes.end()) == "scrypt" ? KeySource::Kind::kPassphrase
                                                                                 : KeySource::Kind::kKeyFile;
  if (info.kind == StoreKind::kVault) {
    auto aaguid = required_meta(*db, path, "provider_aaguid", false);
    auto name = required_meta(*db, path, "provider_name", false);
    if (!aaguid || !name) return Fail(!aaguid ? aaguid.error() : name.error());
    if (aaguid->bytes.size() == kAaguidLen) std::copy(aaguid->bytes.begin(), aaguid->bytes.end(), info.provider.aaguid.begin());
    info.provider.name.assign(name->bytes.begin(), name->bytes.end());
  }
  auto count = db->query_int("SELECT count(*) FROM credentials");
  if (!count || !*count) return Fail(db_error(path, count ? SqliteError{0, "count failed"} : count.error()));
  info.credentials = static_cast<std::uint64_t>(**count);
  return info;
}

StoreFile::~StoreFile() {
  db_.close();
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Bytes StoreFile::seal(std::string_view label, ByteSpan context, ByteSpan plaintext) {
  return seal_with(data_key_.expose(), rng_, label, context, plaintext);
}

std::optional<crypto::SecretBytes> StoreFile::unseal(std::string_view label, ByteSpan context, ByteSpan sealed) const {
  return unseal_with(data_key_.expose(), label, context, sealed);
}

Bytes StoreFile::index_hash(std::string_view domain, ByteSpan data) const {
  ByteWriter w(domain.size() + 1 + data.size());
  w.bytes(as_span(domain)).u8(0).bytes(data);
  auto mac = crypto::hmac_sha256(index_key_.expose(), w.view());
  return Bytes(mac.begin(), mac.begin() + 16);
}

DbResult<std::optional<Bytes>> StoreFile::meta_blob(std::string_view key) {
  auto v = get_meta(db_, key);
  if (!v) return tl::unexpected(v.error());
  if (!*v || (*v)->is_integer) return std::optional<Bytes>();
  return std::optional<Bytes>(std::move((*v)->bytes));
}

DbResult<void> StoreFile::set_meta(std::string_view key, ByteSpan value) { return put_meta(db_, key, value); }
DbResult<void> StoreFile::set_meta(std::string_view key, std::int64_t value) { return put_meta(db_, key, value); }

}  // namespace vfido::credstore::sqlite
