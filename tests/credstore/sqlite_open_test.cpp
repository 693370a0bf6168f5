// Opening store files that are not what they should be: every case is an OpenError whose
// message starts with the file's path and names the problem; none crashes, and none yields a
// store that is silently empty.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "credstore/sqlite/database.h"
#include "credstore/sqlite/open_store.h"
#include "credstore/sqlite/schema.h"
#include "tests/credstore/store_test_support.h"

using namespace vfido;
using namespace vfido::test;
using credstore::sqlite::Database;
using credstore::sqlite::OpenError;
using credstore::sqlite::OpenErrorCode;
using credstore::sqlite::StoreFile;

namespace {

void write_file(const std::string& path, const Bytes& content, mode_t mode = 0600) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
  ::fchmod(fd, mode);
  ::close(fd);
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Opening `path` with `key` must fail with `code`, the message naming the file and `words`.
void expect_error(const std::string& path, const KeySource& key, OpenErrorCode code, const std::string& words,
                  const OpenOptions& options = {}) {
  auto r = credstore::sqlite::open_store(path, key, options);
  REQUIRE_FALSE(r.has_value());
  CAPTURE(r.error().message);
  CHECK(static_cast<int>(r.error().code) == static_cast<int>(code));
  CHECK(r.error().message.rfind(path + ": ", 0) == 0);
  CHECK(r.error().message.find(words) != std::string::npos);
}

// A closed device store with three credentials; returns their IDs.
std::vector<Bytes> make_store(const std::string& path, KeySource key = test_key()) {
  auto s = SqliteDeviceStore::open(path, key, create_options(StoreKind::kDevice));
  REQUIRE(s.has_value());
  SeededRng rng(1);
  std::vector<Bytes> ids;
  for (std::uint8_t i = 1; i <= 3; ++i) ids.push_back((*s)->create(record("rp", {i}, true, rng), rng).value());
  return ids;
}

}  // namespace

TEST_CASE("open: no file, an empty file, not SQLite, a directory, a symbolic link") {
  TempDir dir;
  expect_error(dir.file("none.db"), test_key(), OpenErrorCode::kMissing, "no such store");
  write_file(dir.file("empty.db"), {});
  expect_error(dir.file("empty.db"), test_key(), OpenErrorCode::kEmpty, "empty (0 bytes)");
  // An empty file is never taken for a new store, even when creating is allowed.
  expect_error(dir.file("empty.db"), test_key(), OpenErrorCode::kEmpty, "empty", create_options(StoreKind::kDevice));
  write_file(dir.file("text.db"), to_bytes("hello, I am a text file\n"));
  expect_error(dir.file("text.db"), test_key(), OpenErrorCode::kNotSqlite, "not an SQLite database");
  SeededRng rng(9);
  write_file(dir.file("random.db"), rng.bytes(8192));
  expect_error(dir.file("random.db"), test_key(), OpenErrorCode::kNotSqlite, "not an SQLite database");
  REQUIRE(::mkdir(dir.file("adir.db").c_str(), 0700) == 0);
  expect_error(dir.file("adir.db"), test_key(), OpenErrorCode::kNotRegular, "not a regular file");
  make_store(dir.file("real.db"));
  REQUIRE(::symlink(dir.file("real.db").c_str(), dir.file("link.db").c_str()) == 0);
  expect_error(dir.file("link.db"), test_key(), OpenErrorCode::kNotRegular, "symbolic link");
}

TEST_CASE("open: a store in a directory reached through a symbolic link is fine") {
  TempDir dir;
  REQUIRE(::mkdir(dir.file("real").c_str(), 0700) == 0);
  REQUIRE(::symlink(dir.file("real").c_str(), dir.file("link").c_str()) == 0);
  const std::vector<Bytes> ids = make_store(dir.file("link/store.db"));
  auto s = SqliteDeviceStore::open(dir.file("link/store.db"), test_key(), OpenOptions{});
  REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().message));
  CHECK((*s)->list_stored().value().size() == ids.size());
}

TEST_CASE("open: SQLite databases that are not vfido stores") {
  TempDir dir;
  {
    auto db = Database::open(dir.file("other.db"), Database::Mode::kReadWriteCreate, 1000);
    REQUIRE(db);
    REQUIRE(db->exec("CREATE TABLE t (x); INSERT INTO t VALUES (1)"));
  }
  expect_error(dir.file("other.db"), test_key(), OpenErrorCode::kForeign, "not a vfido store (application_id 0x00000000)");
  {
    auto db = Database::open(dir.file("ours.db"), Database::Mode::kReadWriteCreate, 1000);
    REQUIRE(db);
    REQUIRE(db->exec("PRAGMA application_id = " + std::to_string(credstore::sqlite::kApplicationId) +
                     "; CREATE TABLE t (x)"));
  }
  expect_error(dir.file("ours.db"), test_key(), OpenErrorCode::kDamaged, "no schema_version table");
}

TEST_CASE("open: a truncated store is refused, at every length") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  make_store(path);
  const Bytes whole = read_file(path);
  REQUIRE(whole.size() >= 4096);
  for (std::size_t len : {std::size_t{1}, std::size_t{50}, std::size_t{100}, std::size_t{4095}, std::size_t{4096},
                          whole.size() / 2, whole.size() - 4096, whole.size() - 1}) {
    CAPTURE(len);
    const std::string cut = dir.file("cut.db");
    write_file(cut, Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(len)));
    auto r = credstore::sqlite::open_store(cut, test_key(), OpenOptions{});
    REQUIRE_FALSE(r.has_value());
    CAPTURE(r.error().message);
    CHECK(r.error().message.rfind(cut + ": ", 0) == 0);
    CHECK((r.error().code == OpenErrorCode::kTruncated || r.error().code == OpenErrorCode::kNotSqlite));
  }
}

TEST_CASE("open: a damaged page anywhere is an error, never a store with credentials missing") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  const std::vector<Bytes> ids = make_store(path);
  const Bytes whole = read_file(path);
  const std::size_t page = 4096;
  REQUIRE(whole.size() % page == 0);
  SeededRng rng(3);
  int refused = 0;
  int failed_read = 0;
  for (std::size_t p = 0; p < whole.size() / page; ++p) {
    CAPTURE(p);
    // The last quarter of a page: where SQLite keeps the cell contents of a b-tree page.
    Bytes damaged = whole;
    Bytes junk = rng.bytes(page / 4);
    std::copy(junk.begin(), junk.end(), damaged.begin() + static_cast<std::ptrdiff_t>(p * page + 3 * page / 4));
    const std::string bad = dir.file("bad.db");
    write_file(bad, damaged);
    auto r = credstore::sqlite::open_store(bad, test_key(), OpenOptions{});
    if (!r) {
      CAPTURE(r.error().message);
      CHECK(r.error().message.rfind(bad + ": ", 0) == 0);
      ++refused;
      continue;
    }
    // It opened: then every credential must be there, or reading must fail loudly.
    auto all = r->store->list_stored();
    if (!all) {
      CHECK(r->store->last_error().rfind(bad + ": ", 0) == 0);
      ++failed_read;
      continue;
    }
    std::vector<Bytes> got;
    for (const auto& c : *all) got.push_back(c.id);
    for (const auto& id : ids) CHECK(std::find(got.begin(), got.end(), id) != got.end());
  }
  // Most pages hold something: the damage must have been noticed on several of them.
  CHECK(refused + failed_read >= 3);
}

TEST_CASE("open: a store written by a newer vfido is refused") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  make_store(path);
  {
    auto db = Database::open(path, Database::Mode::kReadWrite, 1000);
    REQUIRE(db);
    REQUIRE(db->exec("UPDATE schema_version SET version = 99"));
  }
  expect_error(path, test_key(), OpenErrorCode::kNewerSchema, "schema version 99 was written by a newer vfido");
}

TEST_CASE("open: wrong passphrase, wrong key file, or the wrong kind of key") {
  TempDir dir;
  const std::string by_pass = dir.file("pass.db");
  auto made = SqliteDeviceStore::open(by_pass, KeySource::passphrase("correct horse"), create_options(StoreKind::kDevice));
  REQUIRE(made.has_value());
  made->reset();
  expect_error(by_pass, KeySource::passphrase("correct hose"), OpenErrorCode::kWrongKey, "wrong passphrase");
  expect_error(by_pass, test_key(), OpenErrorCode::kWrongKeyKind, "protected by a passphrase, but a key file was given");
  CHECK(SqliteDeviceStore::open(by_pass, KeySource::passphrase("correct horse"), OpenOptions{}).has_value());

  const std::string by_key = dir.file("key.db");
  make_store(by_key, test_key(0x01));
  expect_error(by_key, test_key(0x02), OpenErrorCode::kWrongKey, "wrong key");
  expect_error(by_key, KeySource::passphrase("x"), OpenErrorCode::kWrongKeyKind, "protected by a key file");
}

TEST_CASE("open: edited settings are caught by their MAC") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  make_store(path);
  SUBCASE("capacity") {
    auto db = Database::open(path, Database::Mode::kReadWrite, 1000);
    REQUIRE(db->exec("UPDATE meta SET value = 100000 WHERE key = 'capacity'"));
  }
  SUBCASE("kind") {
    auto db = Database::open(path, Database::Mode::kReadWrite, 1000);
    REQUIRE(db->exec("UPDATE meta SET value = 'vault' WHERE key = 'kind'"));
    REQUIRE(db->exec("INSERT INTO meta VALUES ('provider_aaguid', zeroblob(16)), ('provider_name', 'x'), "
                     "('new_backup_state', 1)"));
  }
  expect_error(path, test_key(), OpenErrorCode::kDamaged, "settings were modified");
}

TEST_CASE("open: a setting missing or implausible is damage, named") {
  TempDir dir;
  const std::string path = dir.file("store.db");
  auto made = SqliteDeviceStore::open(path, KeySource::passphrase("pw"), create_options(StoreKind::kDevice));
  REQUIRE(made);
  made->reset();
  SUBCASE("scrypt N") {
    auto db = Database::open(path, Database::Mode::kReadWrite, 1000);
    REQUIRE(db->exec("UPDATE meta SET value = 1099511627776 WHERE key = 'scrypt_n'"));
    expect_error(path, KeySource::passphrase("pw"), OpenErrorCode::kDamaged, "implausible scrypt parameters");
  }
  SUBCASE("salt") {
    auto db = Database::open(path, Database::Mode::kReadWrite, 1000);
    REQUIRE(db->exec("DELETE FROM meta WHERE key = 'salt'"));
    expect_error(path, KeySource::passphrase("pw"), OpenErrorCode::kDamaged, "setting \"salt\" is missing");
  }
}

TEST_CASE("open: a vault is not a device store, and the reverse") {
  TempDir dir;
  make_store(dir.file("device.db"));
  {
    auto v = SqliteVault::open(dir.file("vault.db"), test_key(), create_options(StoreKind::kVault));
    REQUIRE(v);
  }
  auto as_device = SqliteDeviceStore::open(dir.file("vault.db"), test_key(), OpenOptions{});
  REQUIRE_FALSE(as_device);
  CHECK(as_device.error().code == OpenErrorCode::kWrongStoreKind);
  CHECK(as_device.error().message == dir.file("vault.db") + ": a synced vault, not a device store");
  auto as_vault = SqliteVault::open(dir.file("device.db"), test_key(), OpenOptions{});
  REQUIRE_FALSE(as_vault);
  CHECK(as_vault.error().code == OpenErrorCode::kWrongStoreKind);
  OpenOptions again = create_options(StoreKind::kVault);
  again.must_create = true;
  expect_error(dir.file("vault.db"), test_key(), OpenErrorCode::kExists, "exists already", again);
}

TEST_CASE("inspect: a store's plaintext settings, without its key") {
  TempDir dir;
  {
    auto v = SqliteVault::open(dir.file("vault.db"), KeySource::passphrase("pw"), create_options(StoreKind::kVault));
    REQUIRE(v);
    SeededRng rng(1);
    REQUIRE((*v)->create(record("rp", {1}, true, rng), rng));
  }
  auto info = StoreFile::inspect(dir.file("vault.db"));
  REQUIRE(info.has_value());
  CHECK(info->kind == StoreKind::kVault);
  CHECK(info->key_kind == KeySource::Kind::kPassphrase);
  CHECK(info->provider.name == "Test Vault");
  CHECK(info->provider.aaguid[0] == 0xea);
  CHECK(info->credentials == 1);
  CHECK(info->schema_version == credstore::sqlite::kSchemaVersion);
  write_file(dir.file("junk.db"), to_bytes("junk"));
  auto bad = StoreFile::inspect(dir.file("junk.db"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == OpenErrorCode::kNotSqlite);
}

TEST_CASE("key sources: passphrase and key files, with their errors") {
  TempDir dir;
  auto missing = KeySource::from_passphrase_file(dir.file("nope"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error() == "passphrase file " + dir.file("nope") + ": No such file or directory");
  write_file(dir.file("empty-line"), to_bytes("\nsecond line"));
  CHECK(KeySource::from_passphrase_file(dir.file("empty-line")).error().find("the first line is empty") !=
        std::string::npos);
  write_file(dir.file("pass"), to_bytes("hunter2\n"));
  auto pass = KeySource::from_passphrase_file(dir.file("pass"));
  REQUIRE(pass);
  CHECK(pass->kind() == KeySource::Kind::kPassphrase);

  write_file(dir.file("short.key"), Bytes(31, 1));
  CHECK(KeySource::from_key_file(dir.file("short.key"), false).error().find("expected 32 bytes or 64 hex digits") !=
        std::string::npos);
  write_file(dir.file("open.key"), Bytes(32, 1), 0644);
  CHECK(KeySource::from_key_file(dir.file("open.key"), false).error().find("accessible by others (mode 0644)") !=
        std::string::npos);
  write_file(dir.file("raw.key"), Bytes(32, 0xAB));
  write_file(dir.file("hex.key"), to_bytes(std::string(64, 'a') + "\n"));
  write_file(dir.file("badhex.key"), to_bytes(std::string(63, 'a') + "g"));
  CHECK(KeySource::from_key_file(dir.file("badhex.key"), false).error().find("not 64 hex digits") != std::string::npos);
  // Raw and hex forms of the same key open the same store.
  const std::string path = dir.file("store.db");
  make_store(path, *KeySource::from_key_file(dir.file("raw.key"), false));
  CHECK_FALSE(SqliteDeviceStore::open(path, *KeySource::from_key_file(dir.file("hex.key"), false), {}).has_value());
  std::string ab_hex;
  for (int i = 0; i < 32; ++i) ab_hex += "aB";
  write_file(dir.file("ab.key"), to_bytes(ab_hex + "\r\n"));
  CHECK(SqliteDeviceStore::open(path, *KeySource::from_key_file(dir.file("ab.key"), false), {}).has_value());

  CHECK_FALSE(KeySource::from_key_file(dir.file("new.key"), false).has_value());
  auto made = KeySource::from_key_file(dir.file("new.key"), true);
  REQUIRE(made);
  CHECK(made->created());
  struct stat st {};
  REQUIRE(::stat(dir.file("new.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(read_file(dir.file("new.key")).size() == 65);  // 64 hex digits and a newline
  auto again = KeySource::from_key_file(dir.file("new.key"), true);
  REQUIRE(again);
  CHECK_FALSE(again->created());
}
