#include <doctest/doctest.h>

#include "authenticator/env/rng.h"
#include "credstore/memory_store.h"

using namespace vfido;
using vfido::credstore::MemoryStore;

namespace {

CredentialRecord record(std::string rp, Bytes user_id, bool discoverable) {
  CredentialRecord r;
  r.rp_id = std::move(rp);
  r.user.id = std::move(user_id);
  r.user.name = "someone";
  r.alg = cose::kAlgEs256;
  r.private_key = crypto::SecretBytes(Bytes(32, 0x5E));
  r.public_key = Bytes(65, 0x04);
  r.discoverable = discoverable;
  return r;
}

}  // namespace

TEST_CASE("memory_store: IDs are 32 bytes from the rng, unique and deterministic") {
  SeededRng rng1(5);
  SeededRng rng2(5);
  MemoryStore a;
  MemoryStore b;
  auto id1 = a.create(record("rp", {1}, false), rng1);
  auto id2 = a.create(record("rp", {2}, false), rng1);
  auto id1b = b.create(record("rp", {1}, false), rng2);
  REQUIRE(id1.has_value());
  REQUIRE(id2.has_value());
  REQUIRE(id1b.has_value());
  CHECK(id1->size() == 32);
  CHECK(*id1 != *id2);
  CHECK(*id1 == *id1b);
  SeededRng fresh(5);
  CHECK(*id1 == fresh.bytes(32));
}

TEST_CASE("memory_store: find only when the RP ID matches") {
  SeededRng rng(1);
  MemoryStore s;
  auto id = s.create(record("example.com", {1}, false), rng);
  REQUIRE(id.has_value());
  auto hit = s.find("example.com", *id);
  REQUIRE(hit.has_value());
  REQUIRE(hit->has_value());
  CHECK((*hit)->id == *id);
  CHECK((*hit)->rp_id == "example.com");
  CHECK((*hit)->private_key.expose().size() == 32);
  CHECK((*hit)->created_seq > 0);
  auto other_rp = s.find("evil.example", *id);
  REQUIRE(other_rp.has_value());
  CHECK_FALSE(other_rp->has_value());
  auto unknown = s.find("example.com", Bytes(32, 0));
  REQUIRE(unknown.has_value());
  CHECK_FALSE(unknown->has_value());
}

TEST_CASE("memory_store: per-credential counters increase") {
  SeededRng rng(1);
  MemoryStore s;
  auto a = s.create(record("rp", {1}, false), rng);
  auto b = s.create(record("rp", {2}, false), rng);
  CredentialRecord ca = std::move(s.find("rp", *a)->value());
  CredentialRecord cb = std::move(s.find("rp", *b)->value());
  CHECK(ca.sign_count == 0);
  CHECK(s.next_sign_count(ca).value() == 1);
  CHECK(s.next_sign_count(ca).value() == 2);
  CHECK(s.next_sign_count(cb).value() == 1);
  CHECK(s.find("rp", *a)->value().sign_count == 2);
  CredentialRecord gone = ca.clone();
  gone.id = Bytes(32, 0xEE);
  CHECK(s.next_sign_count(gone).error() == StoreError::kNotFound);
}

TEST_CASE("memory_store: discoverable capacity, replacement and newest-first order") {
  SeededRng rng(1);
  MemoryStore s(2);
  CHECK(s.remaining_discoverable().value() == 2);
  auto a = s.create(record("rp", {1}, true), rng);
  auto b = s.create(record("rp", {2}, true), rng);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  CHECK(s.remaining_discoverable().value() == 0);
  CHECK(s.create(record("rp", {3}, true), rng).error() == StoreError::kFull);
  // Non-discoverable credentials need no slot.
  CHECK(s.create(record("rp", {3}, false), rng).has_value());
  // Same (rp_id, user.id) replaces, even when full.
  auto a2 = s.create(record("rp", {1}, true), rng);
  REQUIRE(a2.has_value());
  CHECK(*a2 != *a);
  CHECK_FALSE(s.find("rp", *a)->has_value());
  auto list = s.find_discoverable("rp");
  REQUIRE(list.has_value());
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].id == *a2);  // newest first
  CHECK((*list)[1].id == *b);
  CHECK(s.find_discoverable("other").value().empty());
  CHECK(s.list_discoverable().value().size() == 2);
}

TEST_CASE("memory_store: remove, update_user and reset") {
  SeededRng rng(1);
  MemoryStore s;
  auto a = s.create(record("rp", {1}, true), rng);
  auto b = s.create(record("rp", {2}, false), rng);
  UserEntity u;
  u.id = {1};
  u.name = "renamed";
  CHECK(s.update_user(*a, u).has_value());
  CHECK(s.find("rp", *a)->value().user.name == "renamed");
  CHECK(s.update_user(*b, u).error() == StoreError::kNotFound);  // not discoverable
  CHECK(s.remove(*a).has_value());
  CHECK(s.remove(*a).error() == StoreError::kNotFound);
  CHECK(s.size() == 1);
  CHECK(s.reset(rng).has_value());
  CHECK(s.size() == 0);
  CHECK_FALSE(s.find("rp", *b)->has_value());
  auto c = s.create(record("rp", {3}, true), rng);
  REQUIRE(c.has_value());
  CHECK(s.find("rp", *c)->value().created_seq > 2);  // sequence keeps increasing
}

TEST_CASE("credential_store: clone copies everything, errors map to CTAP statuses") {
  CredentialRecord r = record("rp", {9}, true);
  r.id = {1, 2, 3};
  r.sign_count = 7;
  r.created_seq = 4;
  r.cred_protect = 2;
  r.backup_eligible = true;
  CredentialRecord c = r.clone();
  CHECK(c.id == r.id);
  CHECK(c.user == r.user);
  CHECK(c.private_key.expose().size() == r.private_key.expose().size());
  CHECK(std::equal(c.private_key.expose().begin(), c.private_key.expose().end(), r.private_key.expose().begin()));
  CHECK(c.sign_count == 7);
  CHECK(c.created_seq == 4);
  CHECK(c.cred_protect == 2);
  CHECK(c.backup_eligible);
  CHECK(to_ctap_status(StoreError::kFull) == CtapStatus::kKeyStoreFull);
  CHECK(to_ctap_status(StoreError::kNotFound) == CtapStatus::kOther);
  CHECK(to_ctap_status(StoreError::kIo) == CtapStatus::kOther);
  CHECK(to_ctap_status(StoreError::kCorrupt) == CtapStatus::kOther);
  CHECK(store_error_name(StoreError::kFull) == "full");
}

TEST_CASE("memory_store: set_backup_state flips BS of a backup-eligible credential only") {
  SeededRng rng(3);
  MemoryStore s;
  CredentialRecord eligible = record("rp", {1}, true);
  eligible.backup_eligible = true;
  auto synced = s.create(std::move(eligible), rng);
  auto bound = s.create(record("rp", {2}, true), rng);
  REQUIRE(synced.has_value());
  REQUIRE(bound.has_value());
  REQUIRE(s.set_backup_state(*synced, true).has_value());
  CHECK((*s.find("rp", *synced))->backup_state);
  REQUIRE(s.set_backup_state(*synced, false).has_value());
  CHECK_FALSE((*s.find("rp", *synced))->backup_state);
  // WebAuthn §6.1: BS=1 needs BE=1; clearing it is always allowed.
  CHECK(s.set_backup_state(*bound, true).error() == StoreError::kNotFound);
  CHECK(s.set_backup_state(*bound, false).has_value());
  CHECK(s.set_backup_state(Bytes(32, 0xEE), false).error() == StoreError::kNotFound);
}

TEST_CASE("memory_store: list_stored lists discoverable and other credentials, newest first") {
  SeededRng rng(4);
  MemoryStore s;
  auto a = s.create(record("rp", {1}, false), rng);
  auto b = s.create(record("rp", {2}, true), rng);
  auto all = s.list_stored();
  REQUIRE(all.has_value());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].id == *b);
  CHECK((*all)[1].id == *a);
  CHECK(s.list_discoverable()->size() == 1);
}

TEST_CASE("memory_store: import keeps the given ID and counter, replaces by ID and by (rp, user)") {
  SeededRng rng(6);
  MemoryStore s(2);
  CredentialRecord in = record("rp", {1}, true);
  in.id = Bytes(20, 0xA1);
  in.sign_count = 7;
  REQUIRE(s.import(std::move(in)).has_value());
  auto found = s.find("rp", Bytes(20, 0xA1));
  REQUIRE(found.has_value());
  REQUIRE(found->has_value());
  CHECK((*found)->sign_count == 7);
  CHECK(*s.next_sign_count(**found) == 8);

  // Same ID: replaced, no new slot.
  CredentialRecord again = record("rp", {9}, true);
  again.id = Bytes(20, 0xA1);
  REQUIRE(s.import(std::move(again)).has_value());
  CHECK(s.size() == 1);
  CHECK((*s.find("rp", Bytes(20, 0xA1)))->user.id == Bytes{9});

  // Same (rp, user) under another ID: the old one goes (CTAP 2.1 §6.1.2 step 17).
  CredentialRecord same_user = record("rp", {9}, true);
  same_user.id = Bytes(20, 0xB2);
  REQUIRE(s.import(std::move(same_user)).has_value());
  CHECK(s.size() == 1);
  CHECK_FALSE(s.find("rp", Bytes(20, 0xA1))->has_value());

  // Full: refused, and a failed replacement by ID keeps the old credential.
  CredentialRecord second = record("rp", {2}, true);
  second.id = Bytes(20, 0xC3);
  REQUIRE(s.import(std::move(second)).has_value());
  CredentialRecord third = record("rp", {3}, true);
  third.id = Bytes(20, 0xD4);
  CHECK(s.import(std::move(third)).error() == StoreError::kFull);
  CHECK(s.size() == 2);

  // A non-discoverable import keeps no user entity; an empty ID is refused.
  CredentialRecord server_side = record("rp", {4}, false);
  server_side.id = Bytes(20, 0xE5);
  REQUIRE(s.import(std::move(server_side)).has_value());
  CHECK((*s.find("rp", Bytes(20, 0xE5)))->user == UserEntity{});
  CHECK(s.import(record("rp", {5}, false)).error() == StoreError::kCorrupt);
}
