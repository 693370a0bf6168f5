// End to end through libfido2 over the Unix socket transport, with the key backed by each kind
// of store: memory, SQLite device-bound, SQLite synced vault. libfido2 registers and signs in;
// the flags (BE/BS) and signature counters it sees must be those of the store's kind; the
// SQLite stores keep credentials across key restarts; two keys share one vault.
#include <doctest/doctest.h>

#include <memory>

#include "tests/credstore/store_test_support.h"
#include "tests/support/libfido2_key.h"

using namespace vfido;
using namespace vfido::test;
using host::FidoAssert;
using host::FidoDev;

namespace {

constexpr std::uint8_t kUpAt = CTAP_AUTHDATA_USER_PRESENT | CTAP_AUTHDATA_ATT_CRED;
constexpr std::uint8_t kBe = 0x08;  // WebAuthn §6.1 flags bit 3
constexpr std::uint8_t kBs = 0x10;  // bit 4

std::unique_ptr<SqliteVault> open_vault(const std::string& path, bool new_backup_state = true) {
  auto v = SqliteVault::open(path, test_key(), create_options(StoreKind::kVault, 0, new_backup_state));
  REQUIRE_MESSAGE(v.has_value(), (v ? "" : v.error().message));
  return std::move(*v);
}

std::unique_ptr<SqliteDeviceStore> open_device(const std::string& path) {
  auto d = SqliteDeviceStore::open(path, test_key(), create_options(StoreKind::kDevice, 0));
  REQUIRE_MESSAGE(d.has_value(), (d ? "" : d.error().message));
  return std::move(*d);
}

host::KeyOptions on(CredentialStore& store, StateStore* state = nullptr) {
  host::KeyOptions o;
  o.store = &store;
  o.state = state;
  o.profile.client_pin = true;  // so that the key has device state worth keeping (its PIN)
  return o;
}

struct Assertion {
  Bytes id;
  std::uint8_t flags = 0;
  std::uint32_t counter = 0;
};

// getAssertion through libfido2; each assertion verified with the key of the credential it names.
std::vector<Assertion> sign_in(fido_dev_t* dev, const std::string& rp, const std::vector<Bytes>& allow,
                               const std::vector<const MadeCredential*>& known) {
  FidoAssert as;
  int r = get_assertion(dev, rp, allow, as);
  REQUIRE_MESSAGE(r == FIDO_OK, host::fido_error_text(r));
  std::vector<Assertion> out;
  for (std::size_t i = 0; i < fido_assert_count(as.get()); ++i) {
    Assertion a{bytes_of(fido_assert_id_ptr(as.get(), i), fido_assert_id_len(as.get(), i)),
                fido_assert_flags(as.get(), i), fido_assert_sigcount(as.get(), i)};
    const MadeCredential* m = nullptr;
    for (const auto* k : known) {
      if (k->id == a.id) m = k;
    }
    REQUIRE_MESSAGE(m != nullptr, "an assertion from an unknown credential");
    CHECK(fido_assert_verify(as.get(), i, COSE_ES256, m->key.get()) == FIDO_OK);
    out.push_back(a);
  }
  return out;
}

MadeCredential registered(fido_dev_t* dev, bool rk, const std::string& rp, const std::string& user) {
  MadeCredential m;
  int r = make_credential(dev, COSE_ES256, rk, rp, user, m);
  REQUIRE_MESSAGE(r == FIDO_OK, host::fido_error_text(r));
  CHECK(fido_cred_verify_self(m.cred.get()) == FIDO_OK);
  CHECK(fido_cred_sigcount(m.cred.get()) == 0);
  return m;
}

struct MemoryBacked {
  static constexpr const char* kName = "memory";
  credstore::MemoryStore store;
  CredentialStore& get() { return store; }
};
struct DeviceBacked {
  static constexpr const char* kName = "sqlite device";
  TempDir dir;
  std::unique_ptr<SqliteDeviceStore> store = open_device(dir.file("device.db"));
  CredentialStore& get() { return *store; }
};
struct VaultBacked {
  static constexpr const char* kName = "sqlite vault";
  TempDir dir;
  std::unique_ptr<SqliteVault> store = open_vault(dir.file("vault.db"));
  CredentialStore& get() { return *store; }
};

}  // namespace

TEST_CASE_TEMPLATE("store e2e: libfido2 registers and signs in; flags and counters match the store", S, MemoryBacked,
                   DeviceBacked, VaultBacked) {
  S s;
  CAPTURE(S::kName);
  const bool synced = std::string(S::kName) == "sqlite vault";
  const bool device = std::string(S::kName) == "sqlite device";
  UnixKey k(on(s.get()));
  FidoDev dev = k.open();

  MadeCredential alice = registered(dev.get(), false, "example.com", "alice");
  const std::uint8_t reg_flags = fido_cred_flags(alice.cred.get());
  CHECK(reg_flags == (synced ? kUpAt | kBe | kBs : kUpAt));
  if (device) CHECK(alice.id.size() == 72);  // a stateless ID

  auto first = sign_in(dev.get(), "example.com", {alice.id}, {&alice});
  auto second = sign_in(dev.get(), "example.com", {alice.id}, {&alice});
  REQUIRE(first.size() == 1);
  REQUIRE(second.size() == 1);
  CHECK(first[0].flags == (synced ? CTAP_AUTHDATA_USER_PRESENT | kBe | kBs : CTAP_AUTHDATA_USER_PRESENT));
  CHECK(first[0].counter == (synced ? 0u : 1u));
  CHECK(second[0].counter == (synced ? 0u : 2u));

  MadeCredential bob = registered(dev.get(), true, "example.com", "bob");
  if (device) CHECK(bob.id.size() == 32);  // a stored row
  auto discovered = sign_in(dev.get(), "example.com", {}, {&alice, &bob});
  // A vault keeps every passkey discoverable, alice's too (newest first).
  REQUIRE(discovered.size() == (synced ? 2u : 1u));
  CHECK(discovered[0].id == bob.id);
  CHECK(discovered[0].counter == (synced ? 0u : 1u));  // bob's own counter
  if (synced) {
    CHECK(discovered[1].id == alice.id);
    for (const auto& a : discovered) CHECK((a.flags & (kBe | kBs)) == (kBe | kBs));
  }
}

TEST_CASE("store e2e: a vault credential reports BS=0 until it is marked synced, on another device") {
  TempDir dir;
  auto vault = open_vault(dir.file("vault.db"), false);
  UnixKey k(on(*vault));
  FidoDev dev = k.open();
  MadeCredential m = registered(dev.get(), true, "example.com", "carol");
  CHECK(fido_cred_flags(m.cred.get()) == (kUpAt | kBe));
  CHECK(sign_in(dev.get(), "example.com", {m.id}, {&m})[0].flags == (CTAP_AUTHDATA_USER_PRESENT | kBe));
  // The vault's "upload" happens elsewhere: another object on the same file.
  auto elsewhere = open_vault(dir.file("vault.db"));
  REQUIRE(elsewhere->set_backup_state(m.id, true).has_value());
  CHECK(sign_in(dev.get(), "example.com", {m.id}, {&m})[0].flags == (CTAP_AUTHDATA_USER_PRESENT | kBe | kBs));
}

TEST_CASE("store e2e: two keys on one vault: registered on one, signed in and deleted on the other") {
  TempDir dir;
  auto vault_a = open_vault(dir.file("vault.db"));
  auto vault_b = open_vault(dir.file("vault.db"));
  UnixKey phone(on(*vault_a));
  UnixKey laptop(on(*vault_b));
  FidoDev on_phone = phone.open();
  FidoDev on_laptop = laptop.open();
  MadeCredential m = registered(on_phone.get(), false, "example.com", "dave");
  auto found = sign_in(on_laptop.get(), "example.com", {}, {&m});
  REQUIRE(found.size() == 1);
  CHECK(found[0].id == m.id);
  CHECK(found[0].counter == 0);
  // Deleted through a third handle (as `vfido creds delete` would): gone for both keys.
  auto tool = open_vault(dir.file("vault.db"));
  REQUIRE(tool->remove(m.id).has_value());
  FidoAssert as;
  CHECK(get_assertion(on_phone.get(), "example.com", {}, as) == FIDO_ERR_NO_CREDENTIALS);
  CHECK(get_assertion(on_laptop.get(), "example.com", {m.id}, as) == FIDO_ERR_NO_CREDENTIALS);
}

TEST_CASE("store e2e: a device store keeps credentials, counters and state across key restarts") {
  TempDir dir;
  const std::string path = dir.file("device.db");
  MadeCredential stateless;
  MadeCredential resident;
  {
    auto store = open_device(path);
    UnixKey k(on(*store, store.get()));
    FidoDev dev = k.open();
    stateless = registered(dev.get(), false, "example.com", "erin");
    resident = registered(dev.get(), true, "example.com", "frank");
    CHECK(sign_in(dev.get(), "example.com", {stateless.id}, {&stateless})[0].counter == 1);
    CHECK(sign_in(dev.get(), "example.com", {}, {&resident})[0].counter == 1);
    CHECK_FALSE(fido_dev_has_pin(dev.get()));
    REQUIRE(fido_dev_set_pin(dev.get(), "4321", nullptr) == FIDO_OK);
    dev.reset();
    k.key.stop();
  }
  auto store = open_device(path);
  CHECK(store->load_state().value().has_value());  // the core saved its DeviceState there
  UnixKey k(on(*store, store.get()));
  FidoDev dev = k.open();
  CHECK(fido_dev_has_pin(dev.get()));  // the PIN set before the restart
  int retries = -1;
  REQUIRE(fido_dev_get_retry_count(dev.get(), &retries) == FIDO_OK);
  CHECK(retries == 8);
  CHECK(sign_in(dev.get(), "example.com", {stateless.id}, {&stateless})[0].counter == 2);
  auto again = sign_in(dev.get(), "example.com", {}, {&resident});
  REQUIRE(again.size() == 1);
  CHECK(again[0].counter == 2);
  // An ID from another device store is unknown to this key.
  TempDir other_dir;
  auto other = open_device(other_dir.file("other.db"));
  {
    UnixKey o(on(*other, other.get()));
    FidoDev odev = o.open();
    MadeCredential foreign = registered(odev.get(), false, "example.com", "grace");
    FidoAssert as;
    CHECK(get_assertion(dev.get(), "example.com", {foreign.id}, as) == FIDO_ERR_NO_CREDENTIALS);
  }
}
