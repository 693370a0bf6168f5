// makeCredential follows the store's policy (CredentialStore::apply_policy): the backup flags it
// reports are those the store keeps, whatever the profile says, and a store that keeps every
// credential discoverable (a synced vault) gets the user entity even for rk=false.
#include <doctest/doctest.h>

#include "authenticator/crypto/pkcs8.h"
#include "tests/support/test_env.h"

using namespace vfido;
using namespace vfido::test;

namespace {

// A memory store with a synced vault's policy: BE=1, BS as configured, always discoverable.
class VaultPolicyStore final : public CredentialStore {
 public:
  explicit VaultPolicyStore(bool backup_state) : backup_state_(backup_state) {}
  void apply_policy(CredentialRecord& rec) const override {
    rec.backup_eligible = true;
    rec.backup_state = backup_state_;
    rec.discoverable = true;
  }
  StoreResult<Bytes> create(CredentialRecord rec, Rng& rng) override {
    apply_policy(rec);
    return inner_.create(std::move(rec), rng);
  }
  StoreResult<std::optional<CredentialRecord>> find(std::string_view rp_id, ByteSpan id) override {
    return inner_.find(rp_id, id);
  }
  StoreResult<std::vector<CredentialRecord>> find_discoverable(std::string_view rp_id) override {
    return inner_.find_discoverable(rp_id);
  }
  StoreResult<std::uint32_t> next_sign_count(const CredentialRecord&) override { return 0u; }
  StoreResult<void> remove(ByteSpan id) override { return inner_.remove(id); }
  StoreResult<void> update_user(ByteSpan id, const UserEntity& user) override { return inner_.update_user(id, user); }
  StoreResult<void> set_backup_state(ByteSpan id, bool on) override { return inner_.set_backup_state(id, on); }
  StoreResult<std::vector<CredentialRecord>> list_discoverable() override { return inner_.list_discoverable(); }
  StoreResult<std::size_t> remaining_discoverable() override { return inner_.remaining_discoverable(); }
  StoreResult<void> reset(Rng& rng) override { return inner_.reset(rng); }

 private:
  bool backup_state_;
  credstore::MemoryStore inner_;
};

struct PolicyDevice {
  explicit PolicyDevice(bool backup_state)
      : store(backup_state),
        env{t.clock, t.rng, t.auto_presence, store, t.state, t.log},
        auth(AuthenticatorProfile{}, env) {}
  TestEnv t;
  VaultPolicyStore store;
  Env env;
  Authenticator auth;
};

}  // namespace

TEST_CASE("store policy: makeCredential reports the backup flags the store keeps, not the profile's") {
  for (bool bs : {false, true}) {
    CAPTURE(bs);
    PolicyDevice d(bs);  // the default profile is device-bound (BE=0)
    Registered reg = register_credential(d.auth, {});
    CHECK(reg.auth_data.flags == (0x41 | 0x08 | (bs ? 0x10 : 0)));
    // The assertion carries the stored flags too, and the store's counter (0).
    GetAssertionArgs ga;
    ga.allow = {reg.id};
    Reply r = call(d.auth, get_assertion_msg(ga));
    REQUIRE(r.status == CtapStatus::kOk);
    auto ad = AuthenticatorData::parse(r.at(2).as_bytes());
    REQUIRE(ad.has_value());
    CHECK(ad->flags == (0x01 | 0x08 | (bs ? 0x10 : 0)));
    CHECK(ad->sign_count == 0);
  }
}

TEST_CASE("store policy: a store that keeps every credential discoverable gets the user for rk=false") {
  PolicyDevice d(true);
  MakeCredentialArgs a;
  a.rk = false;
  a.user_id = {0x0A, 0x0B};
  Registered reg = register_credential(d.auth, a);
  Reply r = call(d.auth, get_assertion_msg(GetAssertionArgs{}));  // no allowList
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(r.at(1).find("id")->as_bytes() == reg.id);
  CHECK(r.at(4).find("id")->as_bytes() == Bytes{0x0A, 0x0B});
}

TEST_CASE("store policy: the default policy keeps a non-discoverable credential without a user") {
  TestDevice d;
  MakeCredentialArgs a;
  a.rk = false;
  Registered reg = register_credential(d.auth, a);
  auto stored = d.t.store.find("example.com", reg.id);
  REQUIRE(stored->has_value());
  CHECK_FALSE((*stored)->discoverable);
  CHECK((*stored)->user.id.empty());
}

TEST_CASE("store policy: an import whose backup flags or discoverability the store would change is refused") {
  PolicyDevice d(false);
  auto key = crypto::PrivateKey::generate(cose::kAlgEs256, d.t.rng);
  REQUIRE(key.has_value());
  auto der = crypto::private_key_to_pkcs8(*key);
  REQUIRE(der.has_value());
  auto import = [&](bool be, bool rk) {
    CredentialImport in;
    in.id = filled(16, 0x33);
    in.rp_id = "example.com";
    in.discoverable = rk;
    in.private_key_pkcs8 = der->clone();
    if (rk) in.user_handle = {0x01};
    in.backup_eligible = be;
    return d.auth.import_credential(std::move(in));
  };
  auto device_bound = import(false, true);
  REQUIRE_FALSE(device_bound.has_value());
  CHECK(device_bound.error().find("synced vault") != std::string::npos);
  auto server_side = import(true, false);
  REQUIRE_FALSE(server_side.has_value());
  CHECK(server_side.error().find("keeps every credential discoverable") != std::string::npos);
  // What the policy accepts reaches the store, which here cannot import (the port's default).
  auto as_kept = import(true, true);
  REQUIRE_FALSE(as_kept.has_value());
  CHECK(as_kept.error() == "the credential store refused it: not supported by this store");
}
