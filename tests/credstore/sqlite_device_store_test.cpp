// The SQLite device-bound store beyond the shared behaviour: stateless credential IDs (size,
// no state kept, tamper and foreign-device rejection, rotation at reset, the row fallback for
// records too large to wrap), persistence across restarts, the sealed device state, detection
// of edited or swapped rows, and the one-opener lock.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include "credstore/sqlite/database.h"
#include "credstore/sqlite/stateless_id.h"
#include "tests/credstore/store_test_support.h"

using namespace vfido;
using namespace vfido::test;
using credstore::sqlite::Database;
using credstore::sqlite::OpenErrorCode;

namespace {

std::unique_ptr<SqliteDeviceStore> open_device(const std::string& path, KeySource key = test_key()) {
  auto s = SqliteDeviceStore::open(path, key, create_options(StoreKind::kDevice));
  REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().message));
  return std::move(*s);
}

// A second connection for editing the file behind the store's back.
Database raw(const std::string& path) {
  auto db = Database::open(path, Database::Mode::kReadWrite, 5000);
  REQUIRE(db.has_value());
  return std::move(*db);
}

// Flips one bit of the `sealed` blob of the rows `where` selects in `table`.
void flip_sealed_bit(Database& db, const std::string& table, const std::string& where, std::size_t offset) {
  auto get = db.prepare("SELECT rowid, sealed FROM " + table + " WHERE " + where);
  REQUIRE(get);
  REQUIRE(get->step().value());
  const std::int64_t rowid = get->column_int(0);
  Bytes blob(get->column_blob(1).begin(), get->column_blob(1).end());
  get->reset();
  REQUIRE(offset < blob.size());
  blob[offset] ^= 0x01;
  auto put = db.prepare("UPDATE " + table + " SET sealed = ?1 WHERE rowid = ?2");
  REQUIRE(put);
  REQUIRE(put->bind(1, blob).bind(2, rowid).run());
}

std::size_t rows(const std::string& path) {
  Database db = raw(path);
  auto n = db.query_int("SELECT count(*) FROM credentials");
  REQUIRE(n.has_value());
  return static_cast<std::size_t>(n->value_or(0));
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return static_cast<unsigned>(st.st_mode & 07777);
}

}  // namespace

TEST_CASE("device store: a non-discoverable credential is stateless: its ID is all there is") {
  TempDir dir;
  const std::string path = dir.file("device.db");
  auto store = open_device(path);
  SeededRng rng(1);
  auto id = store->create(record("example.com", {1}, false, rng), rng);
  REQUIRE(id.has_value());
  CHECK(id->size() == 72);  // version, nonce, ES256 key and metadata, GCM tag
  CHECK((*id)[0] == credstore::sqlite::kStatelessIdVersion);
  CHECK(rows(path) == 0);
  auto c = store->find("example.com", *id);
  REQUIRE(c.has_value());
  REQUIRE(c->has_value());
  CHECK((*c)->public_key.size() == 65);
  CHECK_FALSE((*c)->discoverable);
  CHECK((*c)->user.id.empty());
  // The public key derived from the wrapped private key is the one made at registration.
  auto again = store->find("example.com", *id);
  CHECK((*again)->public_key == (*c)->public_key);
}

TEST_CASE("device store: an ID altered in any bit, or made by another device, is unknown") {
  TempDir dir;
  auto store = open_device(dir.file("a.db"));
  auto other = open_device(dir.file("b.db"));
  SeededRng rng(2);
  auto id = store->create(record("example.com", {1}, false, rng), rng);
  auto foreign = other->create(record("example.com", {1}, false, rng), rng);
  REQUIRE(id);
  REQUIRE(foreign);
  for (std::size_t byte = 0; byte < id->size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes bad = *id;
      bad[byte] ^= static_cast<std::uint8_t>(1u << bit);
      auto r = store->find("example.com", bad);
      REQUIRE(r.has_value());  // never an error
      CHECK_FALSE(r->has_value());
    }
  }
  Bytes shorter(id->begin(), id->end() - 1);
  CHECK_FALSE(store->find("example.com", shorter)->has_value());
  CHECK_FALSE(store->find("example.com", *foreign)->has_value());
  CHECK_FALSE(store->find("example.org", *id)->has_value());  // bound to the RP ID hash
  CHECK(store->find("example.com", *id)->has_value());
}

TEST_CASE("device store: reset rotates the master key, so old stateless IDs stop working") {
  TempDir dir;
  const std::string path = dir.file("device.db");
  SeededRng rng(3);
  Bytes id;
  {
    auto store = open_device(path);
    id = store->create(record("rp", {1}, false, rng), rng).value();
    REQUIRE(store->reset(rng).has_value());
    CHECK_FALSE(store->find("rp", id)->has_value());
    auto fresh = store->create(record("rp", {1}, false, rng), rng);
    REQUIRE(fresh);
    CHECK(store->find("rp", *fresh)->has_value());
  }
  auto reopened = open_device(path);  // the rotation is persistent
  CHECK_FALSE(reopened->find("rp", id)->has_value());
}

TEST_CASE("device store: records too large for a 128-byte ID are kept as rows with random IDs") {
  TempDir dir;
  const std::string path = dir.file("device.db");
  auto store = open_device(path);
  SeededRng rng(4);
  CredentialRecord big = record("rp", {1}, false, rng);
  // Stand-in for an RSA key (RS256): far more key material than fits a 128-byte ID.
  big.alg = -257;
  big.private_key = crypto::SecretBytes(Bytes(1200, 0x52));
  big.public_key = Bytes(270, 0x30);
  auto id = store->create(std::move(big), rng);
  REQUIRE(id.has_value());
  CHECK(id->size() == 32);
  CHECK(rows(path) == 1);
  auto c = store->find("rp", *id);
  REQUIRE(c->has_value());
  CHECK((*c)->alg == -257);
  CHECK((*c)->private_key.size() == 1200);
  CHECK_FALSE((*c)->discoverable);
  CHECK((*c)->user.id.empty());  // a non-discoverable credential keeps no user
  // A credBlob too large for the ID goes to a row as well; a small one stays in the ID.
  CredentialRecord blob = record("rp", {2}, false, rng);
  blob.cred_blob = Bytes(64, 0xB1);
  CHECK(store->create(std::move(blob), rng).value().size() == 32);
  CredentialRecord small = record("rp", {3}, false, rng);
  small.cred_blob = Bytes(32, 0xB1);
  auto small_id = store->create(std::move(small), rng);
  REQUIRE(small_id);
  CHECK(small_id->size() <= 128);
  CHECK(store->find("rp", *small_id).value()->cred_blob == Bytes(32, 0xB1));
  // Per-credential counters for stored rows.
  CHECK(store->next_sign_count(**c).value() == 1);
  CHECK(store->next_sign_count(**c).value() == 2);
}

TEST_CASE("device store: credentials, counters and device state persist across restarts") {
  TempDir dir;
  const std::string path = dir.file("device.db");
  SeededRng rng(5);
  Bytes disc, stateless;
  Bytes public_key;
  {
    auto store = open_device(path);
    disc = store->create(record("rp", {1}, true, rng), rng).value();
    stateless = store->create(record("rp", {2}, false, rng), rng).value();
    public_key = store->find("rp", stateless).value()->public_key;
    CHECK(store->next_sign_count(store->find("rp", disc).value().value()).value() == 1);
    CHECK(store->next_sign_count(store->find("rp", stateless).value().value()).value() == 1);
    CHECK_FALSE(store->load_state().value().has_value());
    REQUIRE(store->save_state(Bytes{1, 2, 3}).has_value());
    REQUIRE(store->save_state(Bytes{4, 5, 6, 7}).has_value());
  }
  auto store = open_device(path);
  auto d = store->find("rp", disc);
  REQUIRE(d->has_value());
  CHECK((*d)->user.name == "someone");
  CHECK((*d)->sign_count == 1);
  CHECK(store->find_discoverable("rp").value().size() == 1);
  auto s = store->find("rp", stateless);
  REQUIRE(s->has_value());
  CHECK((*s)->public_key == public_key);
  CHECK(store->next_sign_count(**d).value() == 2);
  CHECK(store->next_sign_count(**s).value() == 2);  // the device counter continues
  auto state = store->load_state();
  REQUIRE(state.has_value());
  REQUIRE(state->has_value());
  CHECK(**state == Bytes{4, 5, 6, 7});
}

TEST_CASE("device store: edited or swapped rows are detected, not used") {
  TempDir dir;
  const std::string path = dir.file("device.db");
  auto store = open_device(path);
  SeededRng rng(6);
  Bytes a = store->create(record("rp", {1}, true, rng), rng).value();
  Bytes b = store->create(record("rp", {2}, true, rng), rng).value();
  REQUIRE(store->save_state(Bytes{9, 9}).has_value());

  SUBCASE("a flipped byte in a sealed record") {
    Database db = raw(path);
    flip_sealed_bit(db, "credentials", "seq = (SELECT min(seq) FROM credentials)", 20);
    auto r = store->find("rp", a);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == StoreError::kCorrupt);
    CHECK(store->last_error().find("does not open") != std::string::npos);
    CHECK_FALSE(store->find_discoverable("rp").has_value());
  }
  SUBCASE("two rows' records swapped") {
    Database db = raw(path);
    auto st = db.prepare("SELECT sealed FROM credentials ORDER BY seq");
    REQUIRE(st);
    REQUIRE(st->step().value());
    Bytes first(st->column_blob(0).begin(), st->column_blob(0).end());
    REQUIRE(st->step().value());
    Bytes second(st->column_blob(0).begin(), st->column_blob(0).end());
    st->reset();
    auto up = db.prepare("UPDATE credentials SET sealed = ?1 WHERE id = ?2");
    REQUIRE(up);
    REQUIRE(up->bind(1, second).bind(2, a).run());
    REQUIRE(up->bind(1, first).bind(2, b).run());
    CHECK(store->find("rp", a).error() == StoreError::kCorrupt);
    CHECK(store->find("rp", b).error() == StoreError::kCorrupt);
  }
  SUBCASE("a lookup column moved to another RP") {
    Database db = raw(path);
    REQUIRE(db.exec("UPDATE credentials SET discoverable = 0"));
    CHECK(store->find("rp", a).error() == StoreError::kCorrupt);
  }
  SUBCASE("the sealed device state") {
    Database db = raw(path);
    flip_sealed_bit(db, "device_state", "id = 1", 13);
    CHECK(store->load_state().error() == StoreError::kCorrupt);
  }
}

TEST_CASE("device store: one opener at a time, with the owner's pid in the error") {
  TempDir dir;
  const std::string path = dir.file("device.db");
  auto store = open_device(path);
  auto second = SqliteDeviceStore::open(path, test_key(), OpenOptions{});
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code == OpenErrorCode::kInUse);
  CHECK(second.error().message == path + ": in use by pid " + std::to_string(::getpid()) +
                                      " (a device store is opened by one key at a time)");
  store.reset();  // closing releases the lock
  CHECK(SqliteDeviceStore::open(path, test_key(), OpenOptions{}).has_value());
}

TEST_CASE("device store: files are private: 0600 file, 0700 directory, WAL journal") {
  TempDir dir;
  const std::string path = dir.file("new/sub/device.db");
  auto store = open_device(path);
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(dir.file("new")) == 0700);
  CHECK(mode_of(dir.file("new/sub")) == 0700);
  SeededRng rng(7);
  REQUIRE(store->create(record("rp", {1}, true, rng), rng));
  CHECK(mode_of(path + "-wal") == 0600);
  Database db = raw(path);
  auto st = db.prepare("PRAGMA journal_mode");
  REQUIRE(st);
  REQUIRE(st->step().value());
  CHECK(st->column_text(0) == "wal");
}

TEST_CASE("device store: find_discoverable is served by an index, whatever the table size") {
  TempDir dir;
  const std::string path = dir.file("device.db");
  auto store = open_device(path);
  Database db = raw(path);
  auto st = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM credentials WHERE rp_key = x'00' AND discoverable = 1 "
                       "ORDER BY seq DESC");
  REQUIRE(st);
  std::string plan;
  while (st->step().value()) plan += st->column_text(3) + "\n";
  CAPTURE(plan);
  CHECK(plan.find("USING INDEX credentials_by_rp") != std::string::npos);
  CHECK(plan.find("TEMP B-TREE") == std::string::npos);  // no sort step
}
