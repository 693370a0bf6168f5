// Authenticator::import_credential (WebAuthn L3 §11.5 Add Credential): an imported credential
// signs in like one the key made, and every check of credential_import.h refuses what it must.
#include <doctest/doctest.h>

#include "authenticator/credential_import.h"
#include "authenticator/crypto/hash.h"
#include "authenticator/crypto/pkcs8.h"
#include "authenticator/large_blob_array.h"
#include "tests/support/test_env.h"

using namespace vfido;
using namespace vfido::test;

namespace {

struct Key {
  crypto::PrivateKey key;
  crypto::SecretBytes pkcs8;
};

Key new_key(Rng& rng, std::int64_t alg = cose::kAlgEs256) {
  auto key = crypto::PrivateKey::generate(alg, rng);
  REQUIRE(key.has_value());
  auto der = crypto::private_key_to_pkcs8(*key);
  REQUIRE(der.has_value());
  return Key{std::move(*key), std::move(*der)};
}

CredentialImport resident(const Key& k, Bytes id = filled(16, 0xC1)) {
  CredentialImport in;
  in.id = std::move(id);
  in.rp_id = "example.com";
  in.discoverable = true;
  in.private_key_pkcs8 = k.pkcs8.clone();
  in.user_handle = {0x75, 0x31};
  in.user_name = "imported";
  in.user_display_name = "Imported User";
  return in;
}

// The error of an import that must fail.
std::string refused(Authenticator& a, CredentialImport in) {
  auto r = a.import_credential(std::move(in));
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

}  // namespace

TEST_CASE("import_credential: a resident credential signs in without an allowList, counting from signCount") {
  TestDevice d;
  Key k = new_key(d.t.rng);
  CredentialImport in = resident(k);
  in.sign_count = 41;
  REQUIRE(d.auth.import_credential(std::move(in)).has_value());

  GetAssertionArgs ga;  // no allowList: discoverable credentials of example.com
  Reply r = call(d.auth, get_assertion_msg(ga));
  AuthenticatorData ad = verified(r, k.key.public_cose(), ga.client_data_hash);
  CHECK(r.at(1).find("id")->as_bytes() == filled(16, 0xC1));
  CHECK(r.at(4).find("id")->as_bytes() == Bytes{0x75, 0x31});
  CHECK(ad.sign_count == 42);
  CHECK(ad.flags == flags::kUp);  // the default profile is device-bound: BE=0, BS=0

  auto stored = d.t.store.list_stored();
  REQUIRE(stored.has_value());
  REQUIRE(stored->size() == 1);
  CHECK(stored->front().user.name == "imported");
  CHECK(stored->front().user.display_name == "Imported User");
  CHECK(stored->front().alg == cose::kAlgEs256);
}

TEST_CASE("import_credential: a non-resident EdDSA credential signs in through its allowList, with backup flags") {
  TestDevice d;
  Key k = new_key(d.t.rng, cose::kAlgEdDsa);
  CredentialImport in;
  in.id = filled(40, 0x42);
  in.rp_id = "login.example.org";
  in.private_key_pkcs8 = k.pkcs8.clone();
  in.alg = cose::kAlgEdDsa;
  in.backup_eligible = true;
  in.backup_state = true;
  REQUIRE(d.auth.import_credential(std::move(in)).has_value());

  GetAssertionArgs ga;
  ga.rp_id = "login.example.org";
  CHECK(call(d.auth, get_assertion_msg(ga)).status == CtapStatus::kNoCredentials);  // not discoverable
  ga.allow = {filled(40, 0x42)};
  Reply r = call(d.auth, get_assertion_msg(ga));
  AuthenticatorData ad = verified(r, k.key.public_cose(), ga.client_data_hash);
  CHECK(ad.flags == (flags::kUp | flags::kBe | flags::kBs));
  CHECK(ad.sign_count == 1);
  ga.rp_id = "example.com";  // bound to its RP ID
  CHECK(call(d.auth, get_assertion_msg(ga)).status == CtapStatus::kNoCredentials);
}

TEST_CASE("import_credential: the same ID again replaces the credential") {
  TestDevice d;
  Key first = new_key(d.t.rng);
  Key second = new_key(d.t.rng);
  REQUIRE(d.auth.import_credential(resident(first)).has_value());
  CredentialImport again = resident(second);
  again.user_handle = {0x99};  // another user: still the same credential ID
  REQUIRE(d.auth.import_credential(std::move(again)).has_value());
  CHECK(d.t.store.size() == 1);
  GetAssertionArgs ga;
  Reply r = call(d.auth, get_assertion_msg(ga));
  verified(r, second.key.public_cose(), ga.client_data_hash);
  CHECK(r.at(4).find("id")->as_bytes() == Bytes{0x99});
}

TEST_CASE("import_credential: each check refuses what it must, naming the parameter") {
  TestDevice d;
  Key k = new_key(d.t.rng);

  SUBCASE("credentialId length: 16 to maxCredentialIdLength") {
    CHECK(refused(d.auth, resident(k, filled(15, 1))).find("credentialId must be 16 to 128 bytes") == 0);
    CHECK(refused(d.auth, resident(k, filled(129, 1))).find("credentialId") == 0);
    CHECK(d.auth.import_credential(resident(k, filled(128, 1))).has_value());
  }
  SUBCASE("rpId must be a valid domain string") {
    for (const char* bad : {"", "Example.com", "example.com.", ".example.com", "exa mple.com", "-a.com", "a-.com",
                            "127.0.0.1", "https://example.com", "b\xc3\xa4r.de", "a..b"}) {
      CAPTURE(bad);
      CredentialImport in = resident(k);
      in.rp_id = bad;
      CHECK(refused(d.auth, std::move(in)).find("rpId") == 0);
    }
    for (const char* good : {"localhost", "example.com", "xn--br-via.de", "a-b.c0.example"}) {
      CAPTURE(good);
      CHECK(valid_rp_id(good));
    }
    CHECK_FALSE(valid_rp_id(std::string(64, 'a') + ".com"));  // a label of 64
    CHECK(valid_rp_id(std::string(63, 'a') + ".com"));
  }
  SUBCASE("privateKey: garbage, a key of the wrong algorithm, an algorithm the model lacks") {
    CredentialImport garbage = resident(k);
    garbage.private_key_pkcs8 = crypto::SecretBytes(to_bytes("not a key"));
    CHECK(refused(d.auth, std::move(garbage)).find("privateKey is not an unencrypted PKCS #8") == 0);
    CredentialImport wrong_alg = resident(k);
    wrong_alg.alg = cose::kAlgEdDsa;
    CHECK(refused(d.auth, std::move(wrong_alg)) == "privateKey is an ES256 key, not EdDSA");
    AuthenticatorProfile es256_only;
    es256_only.algorithms = {cose::kAlgEs256};
    TestDevice narrow(es256_only);
    Key ed = new_key(d.t.rng, cose::kAlgEdDsa);
    CHECK(refused(narrow.auth, resident(ed)) == "this authenticator model (vfido) does not sign with EdDSA");
    Key rsa = new_key(d.t.rng, cose::kAlgRs256);  // the default profile offers RS256 too
    CHECK(d.auth.import_credential(resident(rsa)).has_value());
  }
  SUBCASE("user entity: required for a resident credential, refused for another") {
    CredentialImport no_user = resident(k);
    no_user.user_handle.clear();
    CHECK(refused(d.auth, std::move(no_user)).find("userHandle must be 1 to 64 bytes") == 0);
    CredentialImport long_user = resident(k);
    long_user.user_handle = filled(65, 7);
    CHECK(refused(d.auth, std::move(long_user)).find("userHandle") == 0);
    CredentialImport server_side = resident(k);
    server_side.discoverable = false;
    CHECK(refused(d.auth, std::move(server_side)).find("kept only for a resident credential") != std::string::npos);
    CredentialImport long_name = resident(k);
    long_name.user_name = std::string(65, 'n');
    CHECK(refused(d.auth, std::move(long_name)) == "userName is longer than 64 bytes");
  }
  SUBCASE("backupState without backupEligibility") {
    CredentialImport in = resident(k);
    in.backup_state = true;
    CHECK(refused(d.auth, std::move(in)).find("backupState true needs backupEligibility true") == 0);
  }
  SUBCASE("largeBlob needs a resident credential") {
    CredentialImport in = resident(k);
    in.discoverable = false;
    in.user_handle.clear();
    in.user_name.reset();
    in.user_display_name.reset();
    in.large_blob = LargeBlob{Bytes{1, 2, 3}, 3};
    CHECK(refused(d.auth, std::move(in)) == "largeBlob needs a resident credential (isResidentCredential true)");
  }
  CHECK(d.t.store.size() <= 1);  // nothing refused was stored
}

TEST_CASE("import_credential: a model without resident keys or large blobs refuses them") {
  AuthenticatorProfile p;
  p.resident_keys = false;
  p.cred_mgmt = false;
  p.large_blobs = false;
  p.extensions = {"credProtect", "hmac-secret"};
  TestDevice d(p);
  Key k = new_key(d.t.rng);
  CHECK(refused(d.auth, resident(k)) == "isResidentCredential: this authenticator model (vfido) has no resident keys");
  AuthenticatorProfile no_blobs;
  no_blobs.large_blobs = false;
  no_blobs.extensions = {"credProtect", "hmac-secret"};
  TestDevice d2(no_blobs);
  CredentialImport in = resident(k);
  in.large_blob = LargeBlob{Bytes{1}, 1};
  CHECK(refused(d2.auth, std::move(in)).find("has no large-blob storage") != std::string::npos);
}

TEST_CASE("import_credential: a full store refuses another resident credential") {
  TestDevice d(AuthenticatorProfile{}, PresenceMode::kAutoApprove, 1);
  Key k = new_key(d.t.rng);
  REQUIRE(d.auth.import_credential(resident(k, filled(16, 1))).has_value());
  CredentialImport other = resident(k, filled(16, 2));
  other.user_handle = {0x02};
  CHECK(refused(d.auth, std::move(other)) == "the key has no room for another resident credential");
  // Replacing the credential with the same ID needs no new slot.
  CHECK(d.auth.import_credential(resident(k, filled(16, 1))).has_value());
}

TEST_CASE("import_credential: a largeBlob is sealed into the large-blob array under a new largeBlobKey") {
  TestDevice d;
  Key k = new_key(d.t.rng);
  CredentialImport in = resident(k);
  const LargeBlob blob{Bytes{0x4b, 0x4c, 0x04, 0x00}, 2};  // whatever the caller compressed
  in.large_blob = blob;
  REQUIRE(d.auth.import_credential(std::move(in)).has_value());

  auto stored = d.t.store.list_stored();
  REQUIRE(stored.has_value());
  REQUIRE(stored->size() == 1);
  const CredentialRecord& rec = stored->front();
  CHECK(rec.large_blob_key.size() == 32);
  auto back = d.auth.large_blob_of(rec);
  REQUIRE(back.has_value());
  CHECK(back->compressed == blob.compressed);
  CHECK(back->orig_size == 2);

  // The array is well formed (hash, one entry) and the entry opens only under that key.
  const Bytes& array = d.auth.device_state().large_blob_array;
  auto entries = large_blob_entries(array);
  REQUIRE(entries.has_value());
  CHECK(entries->size() == 1);
  CHECK_FALSE(open_large_blob(*entries, filled(32, 0)).has_value());
  // A platform reads it through authenticatorLargeBlobs like any other.
  cbor::Value get = cbor::Value::map();
  get.set(0x01, cbor::Value::uint(array.size()));
  get.set(0x03, cbor::Value::uint(0));
  Reply r = call(d.auth, message(CtapCommand::kLargeBlobs, get));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(r.at(1).as_bytes() == array);
  // A credential without a largeBlobKey has no blob.
  CredentialRecord plain = rec.clone();
  plain.large_blob_key = crypto::SecretBytes();
  CHECK_FALSE(d.auth.large_blob_of(plain).has_value());
}

TEST_CASE("import_credential: a largeBlob that does not fit the model's array is refused before anything is stored") {
  AuthenticatorProfile p;
  p.max_serialized_large_blob_array = 1024;
  TestDevice d(p);
  Key k = new_key(d.t.rng);
  CredentialImport in = resident(k);
  in.large_blob = LargeBlob{Bytes(1000, 0x55), 5000};
  CHECK(refused(d.auth, std::move(in)).find("largeBlob does not fit") == 0);
  CHECK(d.t.store.size() == 0);
  CHECK(d.auth.device_state().large_blob_array == initial_large_blob_array());
}
