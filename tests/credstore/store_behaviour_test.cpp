// One behavioural suite over every CredentialStore: the memory store (the reference), the
// SQLite device store and the SQLite synced vault. Where the kinds differ on purpose (backup
// flags, counters, stateless IDs, "every vault credential is discoverable") the expectation
// names the difference.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/credstore/store_test_support.h"

using namespace vfido;
using namespace vfido::test;

namespace {

bool same_secret(const crypto::SecretBytes& a, const crypto::SecretBytes& b) {
  return std::equal(a.expose().begin(), a.expose().end(), b.expose().begin(), b.expose().end());
}

template <typename F>
CredentialRecord found(F& f, std::string_view rp, const Bytes& id) {
  auto r = f.get().find(rp, id);
  REQUIRE(r.has_value());
  REQUIRE(r->has_value());
  return std::move(**r);
}

}  // namespace

#define STORES MemoryFixture, DeviceFixture, VaultFixture

TEST_CASE_TEMPLATE("store: find only when the RP ID matches; unknown IDs are nullopt, not errors", F, STORES) {
  F f;
  SeededRng rng(1);
  CredentialRecord rec = record("example.com", {1}, false, rng);
  const Bytes pub = rec.public_key;
  auto id = f.get().create(std::move(rec), rng);
  REQUIRE(id.has_value());
  CHECK(id->size() >= 16);
  CHECK(id->size() <= 128);  // the default maxCredentialIdLength
  CredentialRecord c = found(f, "example.com", *id);
  CHECK(c.id == *id);
  CHECK(c.rp_id == "example.com");
  CHECK(c.alg == cose::kAlgEs256);
  CHECK(c.public_key == pub);
  CHECK(c.private_key.size() == 32);
  for (const Bytes& unknown : {Bytes(32, 0), Bytes(72, 0x01), Bytes(1, 0x01), Bytes{}}) {
    auto miss = f.get().find("example.com", unknown);
    REQUIRE(miss.has_value());
    CHECK_FALSE(miss->has_value());
  }
  auto other_rp = f.get().find("evil.example", *id);
  REQUIRE(other_rp.has_value());
  CHECK_FALSE(other_rp->has_value());
}

TEST_CASE_TEMPLATE("store: a discoverable record keeps every field", F, STORES) {
  F f;
  SeededRng rng(2);
  CredentialRecord rec = record("example.com", {7, 7}, true, rng);
  rec.user.icon = "https://example.com/i.png";
  rec.cred_protect = 2;
  rec.hmac_secret = true;
  rec.cred_blob = Bytes{1, 2, 3};
  rec.large_blob_key = crypto::SecretBytes(Bytes(32, 0x77));
  rec.backup_eligible = true;
  rec.backup_state = true;
  CredentialRecord expect = rec.clone();
  f.get().apply_policy(expect);
  auto id = f.get().create(std::move(rec), rng);
  REQUIRE(id.has_value());
  CredentialRecord c = found(f, "example.com", *id);
  CHECK(c.rp_name == expect.rp_name);
  CHECK(c.user == expect.user);
  CHECK(c.public_key == expect.public_key);
  CHECK(same_secret(c.private_key, expect.private_key));
  CHECK(c.discoverable);
  CHECK(c.cred_protect == 2);
  CHECK(c.hmac_secret);
  CHECK(c.cred_blob == Bytes{1, 2, 3});
  CHECK(same_secret(c.large_blob_key, expect.large_blob_key));
  CHECK(c.backup_eligible == expect.backup_eligible);
  CHECK(c.backup_state == expect.backup_state);
  CHECK(c.sign_count == 0);
  CHECK(c.created_seq > 0);
}

TEST_CASE_TEMPLATE("store: apply_policy decides the backup flags of each kind", F, STORES) {
  F f;
  SeededRng rng(3);
  CredentialRecord rec = record("rp", {1}, false, rng);
  rec.backup_eligible = true;
  rec.backup_state = true;
  f.get().apply_policy(rec);
  switch (F::kBehaviour) {
    case Behaviour::kMemory:  // the profile's flags stand
      CHECK(rec.backup_eligible);
      CHECK(rec.backup_state);
      CHECK_FALSE(rec.discoverable);
      break;
    case Behaviour::kDevice:  // device-bound: never backed up
      CHECK_FALSE(rec.backup_eligible);
      CHECK_FALSE(rec.backup_state);
      CHECK_FALSE(rec.discoverable);
      break;
    case Behaviour::kVault:  // synced: BE, BS, always discoverable
      CHECK(rec.backup_eligible);
      CHECK(rec.backup_state);
      CHECK(rec.discoverable);
      break;
  }
}

TEST_CASE_TEMPLATE("store: discoverable credentials, newest first, replaced by (rp, user)", F, STORES) {
  F f;
  SeededRng rng(4);
  auto a = f.get().create(record("rp", {1}, true, rng), rng);
  auto b = f.get().create(record("rp", {2}, true, rng), rng);
  auto other = f.get().create(record("other", {1}, true, rng), rng);
  auto server_side = f.get().create(record("rp", {3}, false, rng), rng);
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(other);
  REQUIRE(server_side);
  // Same (rp_id, user.id) replaces (CTAP 2.1 §6.1.2 step 17).
  auto a2 = f.get().create(record("rp", {1}, true, rng), rng);
  REQUIRE(a2);
  CHECK(*a2 != *a);
  CHECK_FALSE(f.get().find("rp", *a)->has_value());
  auto list = f.get().find_discoverable("rp");
  REQUIRE(list.has_value());
  std::vector<Bytes> ids;
  for (const auto& c : *list) ids.push_back(c.id);
  if (F::kBehaviour == Behaviour::kVault) {
    // A vault keeps every credential discoverable.
    CHECK(ids == std::vector<Bytes>{*a2, *server_side, *b});
  } else {
    CHECK(ids == std::vector<Bytes>{*a2, *b});
  }
  for (const auto& c : *list) CHECK(c.user.name == "someone");
  CHECK(f.get().find_discoverable("nobody").value().empty());
  auto all = f.get().list_discoverable();
  REQUIRE(all.has_value());
  CHECK(all->size() == ids.size() + 1);
  CHECK(all->front().created_seq > all->back().created_seq);  // newest first
}

TEST_CASE_TEMPLATE("store: capacity counts discoverable credentials only", F, STORES) {
  F f(2);
  SeededRng rng(5);
  CHECK(f.get().remaining_discoverable().value() == 2);
  REQUIRE(f.get().create(record("rp", {1}, true, rng), rng));
  REQUIRE(f.get().create(record("rp", {2}, true, rng), rng));
  CHECK(f.get().remaining_discoverable().value() == 0);
  auto full = f.get().create(record("rp", {3}, true, rng), rng);
  REQUIRE_FALSE(full.has_value());
  CHECK(full.error() == StoreError::kFull);
  // Replacing needs no new slot, even when full.
  CHECK(f.get().create(record("rp", {1}, true, rng), rng).has_value());
  auto nd = f.get().create(record("rp", {4}, false, rng), rng);
  if (F::kBehaviour == Behaviour::kVault) {
    REQUIRE_FALSE(nd.has_value());  // every vault credential is discoverable
    CHECK(nd.error() == StoreError::kFull);
  } else {
    CHECK(nd.has_value());
  }
}

TEST_CASE_TEMPLATE("store: remove and update_user", F, STORES) {
  F f;
  SeededRng rng(6);
  auto a = f.get().create(record("rp", {1}, true, rng), rng);
  REQUIRE(a);
  UserEntity u;
  u.id = {1};
  u.name = "renamed";
  u.display_name = "Renamed";
  CHECK(f.get().update_user(*a, u).has_value());
  CHECK(found(f, "rp", *a).user == u);
  CHECK(f.get().update_user(Bytes(32, 9), u).error() == StoreError::kNotFound);
  CHECK(f.get().remove(*a).has_value());
  CHECK(f.get().remove(*a).error() == StoreError::kNotFound);
  CHECK_FALSE(f.get().find("rp", *a)->has_value());
  CHECK(f.get().find_discoverable("rp").value().empty());
}

TEST_CASE_TEMPLATE("store: backup state switches per credential where BE is set", F, STORES) {
  F f;
  SeededRng rng(7);
  CredentialRecord rec = record("rp", {1}, true, rng);
  rec.backup_eligible = true;
  rec.backup_state = false;
  auto id = f.get().create(std::move(rec), rng);
  REQUIRE(id);
  const bool eligible = found(f, "rp", *id).backup_eligible;
  CHECK(eligible == (F::kBehaviour != Behaviour::kDevice));
  auto on = f.get().set_backup_state(*id, true);
  if (eligible) {
    REQUIRE(on.has_value());
    CHECK(found(f, "rp", *id).backup_state);
    REQUIRE(f.get().set_backup_state(*id, false).has_value());
    CHECK_FALSE(found(f, "rp", *id).backup_state);
  } else {
    // WebAuthn §6.1: BS=1 requires BE=1.
    REQUIRE_FALSE(on.has_value());
    CHECK_FALSE(found(f, "rp", *id).backup_state);
  }
  CHECK(f.get().set_backup_state(Bytes(32, 1), false).error() == StoreError::kNotFound);
}

TEST_CASE_TEMPLATE("store: signature counters", F, STORES) {
  F f;
  SeededRng rng(8);
  auto d1 = f.get().create(record("rp", {1}, true, rng), rng);
  auto d2 = f.get().create(record("rp", {2}, true, rng), rng);
  auto s1 = f.get().create(record("rp", {3}, false, rng), rng);
  auto s2 = f.get().create(record("rp", {4}, false, rng), rng);
  REQUIRE(d1);
  REQUIRE(d2);
  REQUIRE(s1);
  REQUIRE(s2);
  auto next = [&](const Bytes& id) { return f.get().next_sign_count(found(f, "rp", id)).value(); };
  switch (F::kBehaviour) {
    case Behaviour::kMemory:
      CHECK(next(*d1) == 1);
      CHECK(next(*d1) == 2);
      CHECK(next(*d2) == 1);
      CHECK(next(*s1) == 1);
      CHECK(next(*s2) == 1);
      CHECK(found(f, "rp", *d1).sign_count == 2);
      break;
    case Behaviour::kDevice:
      // Stored credentials count on their own; stateless ones share the device's counter.
      CHECK(next(*d1) == 1);
      CHECK(next(*d1) == 2);
      CHECK(next(*d2) == 1);
      CHECK(next(*s1) == 1);
      CHECK(next(*s2) == 2);
      CHECK(next(*s1) == 3);
      CHECK(found(f, "rp", *d1).sign_count == 2);
      break;
    case Behaviour::kVault:
      // WebAuthn §6.1.1: synced credentials keep the counter at 0.
      CHECK(next(*d1) == 0);
      CHECK(next(*d1) == 0);
      CHECK(next(*s1) == 0);
      break;
  }
}

TEST_CASE_TEMPLATE("store: reset forgets every credential, stateless ones included", F, STORES) {
  F f;
  SeededRng rng(9);
  auto d = f.get().create(record("rp", {1}, true, rng), rng);
  auto s = f.get().create(record("rp", {2}, false, rng), rng);
  REQUIRE(d);
  REQUIRE(s);
  const std::uint64_t seq_before = found(f, "rp", *d).created_seq;
  REQUIRE(f.get().reset(rng).has_value());
  CHECK_FALSE(f.get().find("rp", *d)->has_value());
  CHECK_FALSE(f.get().find("rp", *s)->has_value());
  CHECK(f.get().list_discoverable().value().empty());
  auto again = f.get().create(record("rp", {1}, true, rng), rng);
  REQUIRE(again);
  CHECK(found(f, "rp", *again).created_seq > seq_before);  // the sequence keeps increasing
}
