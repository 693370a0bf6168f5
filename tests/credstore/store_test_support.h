// Shared pieces of the credential store tests: records to store, fast keys for SQLite stores,
// and one fixture per store kind so that one behavioural suite runs over all of them
// (store_behaviour_test.cpp). Header-only.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "authenticator/crypto/keys.h"
#include "authenticator/env/rng.h"
#include "credstore/memory_store.h"
#include "credstore/sqlite/device_store.h"
#include "credstore/sqlite/vault_store.h"
#include "tests/support/temp_dir.h"

namespace vfido::test {

using credstore::sqlite::KeySource;
using credstore::sqlite::NewStore;
using credstore::sqlite::OpenOptions;
using credstore::sqlite::SqliteDeviceStore;
using credstore::sqlite::SqliteVault;
using credstore::sqlite::StoreKind;

// A real ES256 key pair from `rng`, so records are usable by the core and by key derivation.
inline CredentialRecord record(std::string rp, Bytes user_id, bool discoverable, Rng& rng) {
  auto key = crypto::PrivateKey::generate(cose::kAlgEs256, rng);
  REQUIRE(key.has_value());
  CredentialRecord r;
  r.rp_id = std::move(rp);
  r.rp_name = "Example RP";
  // The core hands every store the user; stores drop it for non-discoverable credentials.
  r.user.id = std::move(user_id);
  r.user.name = "someone";
  r.user.display_name = "Some One";
  r.alg = cose::kAlgEs256;
  r.private_key = key->private_bytes().clone();
  r.public_key = key->public_bytes();
  r.discoverable = discoverable;
  return r;
}

// A fixed 32-byte key for test stores: key-file stores skip scrypt, so tests stay fast.
inline KeySource test_key(std::uint8_t fill = 0x4B) { return KeySource::key(Bytes(32, fill)); }

// Cheap scrypt for passphrase tests (the parameters are stored in the file).
inline NewStore cheap_scrypt(NewStore s) {
  s.scrypt = crypto::ScryptParams{.n = 1024, .r = 8, .p = 1};
  return s;
}

inline OpenOptions create_options(StoreKind kind, std::uint64_t capacity = 100, bool new_backup_state = true) {
  OpenOptions o;
  NewStore s;
  s.kind = kind;
  s.capacity = capacity;
  s.new_backup_state = new_backup_state;
  s.provider.name = "Test Vault";
  s.provider.aaguid = {0xea, 0x9b, 0x8d, 0x66, 0x4d, 0x01, 0x1d, 0x21, 0x3c, 0xe4, 0xb6, 0xb4, 0x8c, 0xb5, 0x75, 0xd4};
  o.create = cheap_scrypt(s);
  return o;
}

// What a store does with backup flags and counters, for expectations that differ by kind.
enum class Behaviour { kMemory, kDevice, kVault };

struct MemoryFixture {
  static constexpr Behaviour kBehaviour = Behaviour::kMemory;
  explicit MemoryFixture(std::size_t capacity = 100) : store(capacity) {}
  CredentialStore& get() { return store; }
  credstore::MemoryStore store;
};

// A SQLite store of one kind in a fresh temporary directory.
template <typename Store, StoreKind kKind, Behaviour kB>
struct SqliteFixture {
  static constexpr Behaviour kBehaviour = kB;
  explicit SqliteFixture(std::size_t capacity = 100) {
    auto s = Store::open(dir.file("store.db"), test_key(), create_options(kKind, capacity));
    REQUIRE_MESSAGE(s.has_value(), (s ? "" : s.error().message));
    store = std::move(*s);
  }
  CredentialStore& get() { return *store; }
  TempDir dir;
  std::unique_ptr<Store> store;
};

using DeviceFixture = SqliteFixture<SqliteDeviceStore, StoreKind::kDevice, Behaviour::kDevice>;
using VaultFixture = SqliteFixture<SqliteVault, StoreKind::kVault, Behaviour::kVault>;

}  // namespace vfido::test
