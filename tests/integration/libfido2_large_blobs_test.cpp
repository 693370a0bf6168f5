// authenticatorLargeBlobs (CTAP 2.1 §6.10) through libfido2's largeBlob API over the Unix socket
// transport: per-credential blobs encrypted with the largeBlobKey of a discoverable credential,
// with and without a PIN, in one fragment and in several.
//
// libfido2 1.12 asks a key that offers pinUvAuthToken for a token before every large-blob write,
// even when the key has no PIN (the spec needs none then); without a PIN or built-in UV it gives
// up with FIDO_ERR_PIN_REQUIRED before sending anything. So writes without a PIN go to a key
// without pinUvAuthToken (FIDO_2_0 + FIDO_2_1_PRE), where libfido2 sends them as they are.
#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "authenticator/bytes.h"
#include "authenticator/cbor/codec.h"
#include "tests/support/libfido2_key.h"

namespace {

using vfido::Bytes;
using vfido::host::FidoAssert;
using vfido::host::FidoCred;
using vfido::host::FidoDev;
using vfido::host::KeyOptions;
using vfido::test::bytes_of;
using vfido::test::UnixKey;

struct FreeDeleter {
  void operator()(unsigned char* p) const { std::free(p); }
};

// A discoverable ES256 credential with the largeBlobKey extension; returns its key.
Bytes large_blob_credential(fido_dev_t* dev, const std::string& user, const char* pin) {
  FidoCred cred(fido_cred_new());
  REQUIRE(cred);
  fido_cred_t* c = cred.get();
  const unsigned char cdh[32] = {0x11};
  const Bytes uid = vfido::to_bytes(user);
  REQUIRE(fido_cred_set_clientdata_hash(c, cdh, sizeof(cdh)) == FIDO_OK);
  REQUIRE(fido_cred_set_type(c, COSE_ES256) == FIDO_OK);
  REQUIRE(fido_cred_set_rp(c, "blobs.example", "Blobs") == FIDO_OK);
  REQUIRE(fido_cred_set_user(c, uid.data(), uid.size(), user.c_str(), user.c_str(), nullptr) == FIDO_OK);
  REQUIRE(fido_cred_set_rk(c, FIDO_OPT_TRUE) == FIDO_OK);
  REQUIRE(fido_cred_set_extensions(c, FIDO_EXT_LARGEBLOB_KEY) == FIDO_OK);
  const int r = fido_dev_make_cred(dev, c, pin);
  INFO(vfido::host::fido_error_text(r));
  REQUIRE(r == FIDO_OK);
  REQUIRE(fido_cred_largeblob_key_len(c) == 32);
  return bytes_of(fido_cred_largeblob_key_ptr(c), fido_cred_largeblob_key_len(c));
}

// fido_dev_largeblob_get: the libfido2 status, and the blob on success.
int get_blob(fido_dev_t* dev, const Bytes& key, Bytes& out) {
  unsigned char* ptr = nullptr;
  std::size_t len = 0;
  const int r = fido_dev_largeblob_get(dev, key.data(), key.size(), &ptr, &len);
  std::unique_ptr<unsigned char, FreeDeleter> owned(ptr);
  out = bytes_of(ptr, len);
  return r;
}

int set_blob(fido_dev_t* dev, const Bytes& key, const Bytes& blob, const char* pin) {
  return fido_dev_largeblob_set(dev, key.data(), key.size(), blob.data(), blob.size(), pin);
}

// Bytes that deflate does not shrink, so that the array spans several fragments.
Bytes noise(std::size_t n, std::uint32_t seed) {
  Bytes b(n);
  for (auto& x : b) {
    seed = seed * 1103515245u + 12345u;
    x = static_cast<std::uint8_t>(seed >> 16);
  }
  return b;
}

// A key with largeBlobs and a PIN, but no pinUvAuthToken (see the top of this file).
KeyOptions without_pin_uv_auth_token() {
  KeyOptions o;
  o.profile.versions = {"FIDO_2_0", "FIDO_2_1_PRE"};
  o.profile.pin_uv_auth_token = false;
  return o;
}

}  // namespace

TEST_CASE("libfido2 largeBlobs: set, get, replace and remove without a PIN") {
  UnixKey k(without_pin_uv_auth_token());
  FidoDev dev = k.open();
  const Bytes alice = large_blob_credential(dev.get(), "alice", nullptr);
  const Bytes bob = large_blob_credential(dev.get(), "bob", nullptr);
  REQUIRE(alice != bob);

  Bytes out;
  CHECK(get_blob(dev.get(), alice, out) == FIDO_ERR_NOTFOUND);  // the empty array
  const Bytes first = vfido::to_bytes("a first blob for alice");
  REQUIRE(set_blob(dev.get(), alice, first, nullptr) == FIDO_OK);
  REQUIRE(get_blob(dev.get(), alice, out) == FIDO_OK);
  CHECK(out == first);
  CHECK(get_blob(dev.get(), bob, out) == FIDO_ERR_NOTFOUND);  // bob's key opens nothing

  // A large blob: the array no longer fits one fragment (maxMsgSize - 64 bytes).
  const Bytes big = noise(3000, 7);
  REQUIRE(set_blob(dev.get(), bob, big, nullptr) == FIDO_OK);
  REQUIRE(get_blob(dev.get(), bob, out) == FIDO_OK);
  CHECK(out == big);
  REQUIRE(get_blob(dev.get(), alice, out) == FIDO_OK);
  CHECK(out == first);

  // The raw array: two entries, as CBOR that decodes strictly.
  unsigned char* raw = nullptr;
  std::size_t raw_len = 0;
  REQUIRE(fido_dev_largeblob_get_array(dev.get(), &raw, &raw_len) == FIDO_OK);
  std::unique_ptr<unsigned char, FreeDeleter> owned(raw);
  auto array = vfido::cbor::decode(vfido::ByteSpan(raw, raw_len));
  REQUIRE(array.has_value());
  CHECK(array->as_array().size() == 2);
  CHECK(k.key.running());

  // Replace alice's, then remove it.
  const Bytes second = vfido::to_bytes("alice's second blob");
  REQUIRE(set_blob(dev.get(), alice, second, nullptr) == FIDO_OK);
  REQUIRE(get_blob(dev.get(), alice, out) == FIDO_OK);
  CHECK(out == second);
  REQUIRE(fido_dev_largeblob_remove(dev.get(), alice.data(), alice.size(), nullptr) == FIDO_OK);
  CHECK(get_blob(dev.get(), alice, out) == FIDO_ERR_NOTFOUND);
  REQUIRE(get_blob(dev.get(), bob, out) == FIDO_OK);
  CHECK(out == big);
}

TEST_CASE("libfido2 largeBlobs: with a PIN, writes need it; the key also comes with an assertion") {
  UnixKey k;
  FidoDev dev = k.open();
  REQUIRE(fido_dev_set_pin(dev.get(), "1234", nullptr) == FIDO_OK);
  const Bytes key = large_blob_credential(dev.get(), "carol", "1234");

  const Bytes blob = noise(2000, 3);
  CHECK(set_blob(dev.get(), key, blob, "9999") == FIDO_ERR_PIN_INVALID);
  CHECK(set_blob(dev.get(), key, blob, nullptr) == FIDO_ERR_PIN_REQUIRED);
  REQUIRE(set_blob(dev.get(), key, blob, "1234") == FIDO_OK);
  Bytes out;
  REQUIRE(get_blob(dev.get(), key, out) == FIDO_OK);  // reads need no PIN
  CHECK(out == blob);

  // getAssertion with the largeBlobKey extension hands out the same key.
  FidoAssert as(fido_assert_new());
  REQUIRE(as);
  const unsigned char cdh[32] = {0x22};
  REQUIRE(fido_assert_set_clientdata_hash(as.get(), cdh, sizeof(cdh)) == FIDO_OK);
  REQUIRE(fido_assert_set_rp(as.get(), "blobs.example") == FIDO_OK);
  REQUIRE(fido_assert_set_extensions(as.get(), FIDO_EXT_LARGEBLOB_KEY) == FIDO_OK);
  REQUIRE(fido_dev_get_assert(dev.get(), as.get(), "1234") == FIDO_OK);
  REQUIRE(fido_assert_count(as.get()) == 1);
  CHECK(bytes_of(fido_assert_largeblob_key_ptr(as.get(), 0), fido_assert_largeblob_key_len(as.get(), 0)) == key);
}
