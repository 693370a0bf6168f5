// The control API end to end (style.md §15): libfido2 talks CTAP to a daemon key over its Unix
// socket while the test, like a script would, drives the daemon over its control socket —
// answering the touch libfido2 waits for, reading the credential back, flipping its backup
// state and seeing BS change in the next assertion, importing a credential and signing in with
// it, and moving large blobs both ways between libfido2 and the API.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/pkcs8.h"
#include "authenticator/env/rng.h"
#include "authenticator/base64.h"
#include "tests/support/libfido2_key.h"
#include "tests/tools/control_test_support.h"

namespace {

using namespace vfido;
using namespace vfido::test;
using vfido::base64url_encode;

struct FreeDeleter {
  void operator()(unsigned char* p) const { std::free(p); }
};

FidoDev open_k1(ApiDaemon& d) {
  int r = FIDO_ERR_INTERNAL;
  FidoDev dev = host::open_unix_device(d.dir.file("k1.sock"), &r, kTimeoutMs);
  INFO("fido_dev_open: " << host::fido_error_text(r));
  REQUIRE(dev);
  return dev;
}

// The pending request, once there is one (a libfido2 call on another thread is waiting for it).
json wait_for_pending(ApiDaemon& d) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    json requests = d.result("getPending")["requests"];
    if (!requests.empty()) return requests;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("no request came to wait for the user");
  return json::array();
}

// A discoverable ES256 credential through libfido2 (maybe with the largeBlobKey extension).
int make_resident(fido_dev_t* dev, FidoCred& cred, const std::string& user, bool large_blob_key = false) {
  cred.reset(fido_cred_new());
  REQUIRE(cred);
  fido_cred_t* c = cred.get();
  set_cdh(c, 0x41);
  const Bytes uid = to_bytes("id-" + user);
  REQUIRE(fido_cred_set_type(c, COSE_ES256) == FIDO_OK);
  REQUIRE(fido_cred_set_rp(c, "control.example", "Control RP") == FIDO_OK);
  REQUIRE(fido_cred_set_user(c, uid.data(), uid.size(), user.c_str(), user.c_str(), nullptr) == FIDO_OK);
  REQUIRE(fido_cred_set_rk(c, FIDO_OPT_TRUE) == FIDO_OK);
  if (large_blob_key) REQUIRE(fido_cred_set_extensions(c, FIDO_EXT_LARGEBLOB_KEY) == FIDO_OK);
  return fido_dev_make_cred(dev, c, nullptr);
}

// An assertion for `id` on rp, verified with `key`; returns the authenticator data flags.
std::uint8_t signed_in_flags(fido_dev_t* dev, const std::string& rp, const Bytes& id, int alg, const void* key,
                             FidoAssert& as) {
  REQUIRE(get_assertion(dev, rp, {id}, as) == FIDO_OK);
  REQUIRE(fido_assert_count(as.get()) == 1);
  CHECK(fido_assert_verify(as.get(), 0, alg, key) == FIDO_OK);
  return fido_assert_flags(as.get(), 0);
}

}  // namespace

TEST_CASE("control api with libfido2: answer the touch, read the credential back, flip BS, import and sign in") {
  host::KeySpec spec;
  spec.presence = host::PresenceMode::kApi;
  spec.profile.backup_eligible = true;  // a passkey provider's model: BE=1, BS=0 at first
  ApiDaemon d(spec);
  FidoDev dev = open_k1(d);

  // 1. makeCredential waits for the user; the test answers through getPending/answerPending.
  FidoCred cred;
  auto made = std::async(std::launch::async, [&] { return make_resident(dev.get(), cred, "carol"); });
  json pending = wait_for_pending(d);
  REQUIRE(pending.size() == 1);
  CHECK(pending[0]["purpose"] == "makeCredential");
  CHECK(pending[0]["rpId"] == "control.example");
  CHECK(pending[0]["userName"] == "carol");
  CHECK(pending[0]["via"] == "api");
  CHECK(d.result("answerPending", {{"requestId", pending[0]["requestId"]}, {"approve", true}})["approved"] == true);
  const int r = made.get();
  INFO(host::fido_error_text(r));
  REQUIRE(r == FIDO_OK);
  CHECK(fido_cred_verify_self(cred.get()) == FIDO_OK);
  const Bytes id = bytes_of(fido_cred_id_ptr(cred.get()), fido_cred_id_len(cred.get()));
  host::PublicKey pub;
  REQUIRE(pub.load(COSE_ES256, fido_cred_pubkey_ptr(cred.get()), fido_cred_pubkey_len(cred.get())));
  CHECK((fido_cred_flags(cred.get()) & 0x18) == 0x08);  // BE, not BS

  // 2. getCredentials has it, with the key that verifies libfido2's assertions.
  json creds = d.result("getCredentials")["credentials"];
  REQUIRE(creds.size() == 1);
  CHECK(creds[0]["credentialId"] == base64url_encode(id));
  CHECK(creds[0]["rpId"] == "control.example");
  CHECK(creds[0]["isResidentCredential"] == true);
  CHECK(creds[0]["userHandle"] == base64url_encode(to_bytes("id-carol")));
  CHECK(creds[0]["userName"] == "carol");
  CHECK(creds[0]["backupEligibility"] == true);
  CHECK(creds[0]["backupState"] == false);
  auto exported = vfido::base64url_decode(creds[0]["privateKey"].get<std::string>());
  REQUIRE(exported.has_value());
  auto key = crypto::private_key_from_pkcs8(*exported);
  REQUIRE(key.has_value());
  // libfido2 gives x||y; the key's public point is 04||x||y.
  CHECK(Bytes(key->public_bytes().begin() + 1, key->public_bytes().end()) ==
        bytes_of(fido_cred_pubkey_ptr(cred.get()), fido_cred_pubkey_len(cred.get())));

  // 3. A denied touch: libfido2 gets OPERATION_DENIED.
  FidoAssert as;
  auto denied = std::async(std::launch::async, [&] { return get_assertion(dev.get(), "control.example", {id}, as); });
  wait_for_pending(d);
  CHECK(d.result("answerPending", {{"approve", false}})["approved"] == false);
  CHECK(denied.get() == FIDO_ERR_OPERATION_DENIED);

  // 4. Approve automatically from now on; BS is 0, then 1 after setBackupState, then 0 again.
  REQUIRE(d.result("setPresenceMode", {{"presence", "approve"}})["presence"] == "approve");
  CHECK((signed_in_flags(dev.get(), "control.example", id, COSE_ES256, pub.get(), as) & 0x18) == 0x08);
  CHECK(d.result("setBackupState", {{"credentialId", base64url_encode(id)}, {"backupState", true}})["backupState"] ==
        true);
  CHECK((signed_in_flags(dev.get(), "control.example", id, COSE_ES256, pub.get(), as) & 0x18) == 0x18);
  CHECK(d.result("getCredentials")["credentials"][0]["backupState"] == true);
  d.result("setBackupState", {{"credentialId", base64url_encode(id)}, {"backupState", false}});
  CHECK((signed_in_flags(dev.get(), "control.example", id, COSE_ES256, pub.get(), as) & 0x18) == 0x08);

  // 5. Import a credential with its private key and sign in with it; the counter goes on from
  // signCount.
  OpenSslRng rng;
  auto imported = crypto::PrivateKey::generate(cose::kAlgEs256, rng);
  REQUIRE(imported.has_value());
  auto der = crypto::private_key_to_pkcs8(*imported);
  REQUIRE(der.has_value());
  const Bytes imported_id(32, 0x6B);
  REQUIRE(d.result("addCredential", {{"credentialId", base64url_encode(imported_id)},
                                     {"isResidentCredential", true},
                                     {"rpId", "imported.example"},
                                     {"privateKey", base64url_encode(der->expose())},
                                     {"userHandle", base64url_encode(to_bytes("dave"))},
                                     {"userName", "dave"},
                                     {"signCount", 100},
                                     {"backupEligibility", true},
                                     {"backupState", true}})
              .is_null());
  std::unique_ptr<es256_pk_t, host::Es256PkDeleter> imported_pub(es256_pk_new());
  REQUIRE(es256_pk_from_ptr(imported_pub.get(), imported->public_bytes().data(), imported->public_bytes().size()) ==
          FIDO_OK);
  CHECK((signed_in_flags(dev.get(), "imported.example", imported_id, COSE_ES256, imported_pub.get(), as) & 0x18) ==
        0x18);
  CHECK(fido_assert_sigcount(as.get(), 0) == 101);
  // Discoverably too: the user handle comes back.
  REQUIRE(get_assertion(dev.get(), "imported.example", {}, as) == FIDO_OK);
  CHECK(bytes_of(fido_assert_user_id_ptr(as.get(), 0), fido_assert_user_id_len(as.get(), 0)) == to_bytes("dave"));
  CHECK(fido_assert_verify(as.get(), 0, COSE_ES256, imported_pub.get()) == FIDO_OK);

  // 6. removeCredential: libfido2 finds it no more.
  REQUIRE(d.result("removeCredential", {{"credentialId", base64url_encode(imported_id)}}).is_null());
  CHECK(get_assertion(dev.get(), "imported.example", {imported_id}, as) == FIDO_ERR_NO_CREDENTIALS);
}

TEST_CASE("control api with libfido2: large blobs go both ways") {
  // libfido2 1.12 writes large blobs without a PIN only to keys without pinUvAuthToken (see
  // libfido2_large_blobs_test.cpp).
  host::KeySpec spec;
  spec.profile.versions = {"FIDO_2_0", "FIDO_2_1_PRE"};
  spec.profile.pin_uv_auth_token = false;
  ApiDaemon d(spec);
  FidoDev dev = open_k1(d);

  // Imported through the API, read by libfido2 with the largeBlobKey an assertion gives.
  OpenSslRng rng;
  auto key = crypto::PrivateKey::generate(cose::kAlgEs256, rng);
  REQUIRE(key.has_value());
  const Bytes blob = to_bytes("a blob that came in through addCredential, for libfido2 to read back");
  const Bytes id(16, 0x42);
  REQUIRE(d.result("addCredential", {{"credentialId", base64url_encode(id)},
                                     {"isResidentCredential", true},
                                     {"rpId", "control.example"},
                                     {"privateKey", base64url_encode(crypto::private_key_to_pkcs8(*key)->expose())},
                                     {"userHandle", "ZXZl"},
                                     {"signCount", 0},
                                     {"largeBlob", base64url_encode(blob)}})
              .is_null());
  FidoAssert as(fido_assert_new());
  REQUIRE(as);
  const unsigned char cdh[32] = {0x22};
  REQUIRE(fido_assert_set_clientdata_hash(as.get(), cdh, sizeof(cdh)) == FIDO_OK);
  REQUIRE(fido_assert_set_rp(as.get(), "control.example") == FIDO_OK);
  REQUIRE(fido_assert_set_extensions(as.get(), FIDO_EXT_LARGEBLOB_KEY) == FIDO_OK);
  REQUIRE(fido_assert_allow_cred(as.get(), id.data(), id.size()) == FIDO_OK);
  REQUIRE(fido_dev_get_assert(dev.get(), as.get(), nullptr) == FIDO_OK);
  const Bytes lbk = bytes_of(fido_assert_largeblob_key_ptr(as.get(), 0), fido_assert_largeblob_key_len(as.get(), 0));
  REQUIRE(lbk.size() == 32);
  unsigned char* got = nullptr;
  std::size_t got_len = 0;
  REQUIRE(fido_dev_largeblob_get(dev.get(), lbk.data(), lbk.size(), &got, &got_len) == FIDO_OK);
  std::unique_ptr<unsigned char, FreeDeleter> owned(got);
  CHECK(bytes_of(got, got_len) == blob);

  // Written by libfido2 (DEFLATE, sealed under the credential's key), read through the API.
  FidoCred cred;
  REQUIRE(make_resident(dev.get(), cred, "frank", true) == FIDO_OK);
  const Bytes frank_key = bytes_of(fido_cred_largeblob_key_ptr(cred.get()), fido_cred_largeblob_key_len(cred.get()));
  REQUIRE(frank_key.size() == 32);
  const Bytes written = to_bytes(std::string(600, 'z') + " written by libfido2");
  REQUIRE(fido_dev_largeblob_set(dev.get(), frank_key.data(), frank_key.size(), written.data(), written.size(),
                                 nullptr) == FIDO_OK);
  const Bytes frank_id = bytes_of(fido_cred_id_ptr(cred.get()), fido_cred_id_len(cred.get()));
  bool seen = false;
  const json creds = d.result("getCredentials")["credentials"];
  for (const json& c : creds) {
    if (c["credentialId"] != base64url_encode(frank_id)) continue;
    seen = true;
    CHECK(c["largeBlob"] == base64url_encode(written));
  }
  CHECK(seen);
}
