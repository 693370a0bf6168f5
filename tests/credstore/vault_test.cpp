// Several devices on one synced vault: objects in one process and devices in other processes
// see each other's credentials at once; a deletion anywhere removes the credential everywhere;
// concurrent writers wait for each other instead of failing.
#include <doctest/doctest.h>

#include "tests/credstore/process_support.h"
#include "tests/credstore/store_test_support.h"

using namespace vfido;
using namespace vfido::test;

namespace {

std::unique_ptr<SqliteVault> open_vault(const std::string& path, bool new_backup_state = true) {
  auto v = SqliteVault::open(path, test_key(), create_options(StoreKind::kVault, 0, new_backup_state));
  REQUIRE_MESSAGE(v.has_value(), (v ? "" : v.error().message));
  return std::move(*v);
}

}  // namespace

TEST_CASE("vault: two devices in one process share credentials, deletions and backup state") {
  TempDir dir;
  const std::string path = dir.file("vault.db");
  auto phone = open_vault(path, false);
  auto laptop = open_vault(path);  // a vault is not locked: both are open at once
  SeededRng rng(1);
  auto id = phone->create(record("example.com", {1}, true, rng), rng);
  REQUIRE(id.has_value());
  // Made on the phone, usable on the laptop at once.
  auto seen = laptop->find("example.com", *id);
  REQUIRE(seen->has_value());
  CHECK((*seen)->backup_eligible);
  CHECK_FALSE((*seen)->backup_state);  // this vault marks new credentials "not yet synced"
  CHECK(laptop->find_discoverable("example.com").value().size() == 1);
  CHECK(laptop->next_sign_count(**seen).value() == 0);
  // "Synced": switched on one device, seen on the other.
  REQUIRE(phone->set_backup_state(*id, true).has_value());
  CHECK(laptop->find("example.com", *id).value()->backup_state);
  // Same account registered again from the laptop replaces the phone's credential everywhere.
  auto replaced = laptop->create(record("example.com", {1}, true, rng), rng);
  REQUIRE(replaced);
  CHECK_FALSE(phone->find("example.com", *id)->has_value());
  // Deleted on the phone: gone on the laptop.
  REQUIRE(phone->remove(*replaced).has_value());
  CHECK_FALSE(laptop->find("example.com", *replaced)->has_value());
  CHECK(laptop->list_discoverable().value().empty());
  CHECK(laptop->provider().name == "Test Vault");
  CHECK(phone->provider().aaguid == laptop->provider().aaguid);
}

TEST_CASE("vault: a device in another process sees what this one does, and the reverse") {
  TempDir dir;
  const std::string path = dir.file("vault.db");
  auto here = open_vault(path);
  Pipe ids;      // child -> parent: the ID it made
  Pipe go;       // parent -> child: "I deleted it"
  Pipe answer;   // child -> parent: what it saw afterwards
  pid_t child = spawn([&] {
    auto there = SqliteVault::open(path, test_key(), OpenOptions{});
    if (!there) return 10;
    SeededRng rng(2);
    auto id = (*there)->create(record("example.com", {9}, true, rng), rng);
    if (!id || !ids.write_all(*id)) return 11;
    if (!go.read_exact(1)) return 12;
    auto after = (*there)->find("example.com", *id);
    auto listed = (*there)->find_discoverable("example.com");
    const std::uint8_t verdict = (after && !after->has_value() && listed && listed->empty()) ? 1 : 0;
    answer.write_all(ByteSpan(&verdict, 1));
    return 0;
  });
  auto id = ids.read_exact(32);
  REQUIRE(id.has_value());
  auto c = here->find("example.com", *id);
  REQUIRE(c.has_value());
  REQUIRE(c->has_value());
  CHECK((*c)->user.id == Bytes{9});
  CHECK((*c)->backup_state);
  REQUIRE(here->remove(*id).has_value());
  const std::uint8_t one = 1;
  REQUIRE(go.write_all(ByteSpan(&one, 1)));
  auto verdict = answer.read_exact(1);
  REQUIRE(verdict.has_value());
  CHECK((*verdict)[0] == 1);  // the other process saw the deletion
  CHECK(wait_child(child) == 0);
}

TEST_CASE("vault: concurrent writers in several processes all succeed") {
  TempDir dir;
  const std::string path = dir.file("vault.db");
  open_vault(path).reset();
  constexpr int kWriters = 3;
  constexpr int kEach = 25;
  std::vector<pid_t> children;
  for (int w = 0; w < kWriters; ++w) {
    children.push_back(spawn([&, w] {
      auto v = SqliteVault::open(path, test_key(), OpenOptions{});
      if (!v) return 10;
      SeededRng rng(static_cast<std::uint64_t>(100 + w));
      for (int i = 0; i < kEach; ++i) {
        auto rec = record("rp" + std::to_string(w), {static_cast<std::uint8_t>(i)}, true, rng);
        if (!(*v)->create(std::move(rec), rng)) return 20 + i;
      }
      return 0;
    }));
  }
  for (pid_t c : children) CHECK(wait_child(c) == 0);
  auto v = open_vault(path);
  CHECK(v->list_discoverable().value().size() == kWriters * kEach);
  for (int w = 0; w < kWriters; ++w) CHECK(v->find_discoverable("rp" + std::to_string(w)).value().size() == kEach);
}
