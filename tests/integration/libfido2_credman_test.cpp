// authenticatorCredentialManagement through libfido2 1.12 (custom I/O over the Unix socket
// transport): fido_credman_get_dev_metadata, _get_dev_rp, _get_dev_rk, _set_dev_rk and
// _del_dev_rk against a key with a PIN. libfido2 1.12 sends every request as the prototype
// command 0x41; it asks for a cm token with getPinUvAuthTokenUsingPinWithPermissions when the
// key offers pinUvAuthToken, and uses the legacy getPinToken otherwise (a FIDO_2_1_PRE key).
#include <doctest/doctest.h>

#include <openssl/sha.h>

#include <map>
#include <string>

#include "authenticator/ctap_constants.h"
#include "tests/support/libfido2_key.h"

namespace {

using vfido::Bytes;
using vfido::host::FidoCredmanMetadata;
using vfido::host::FidoCredmanRk;
using vfido::host::FidoCredmanRp;
using namespace vfido::test;

constexpr const char* kPin = "4711";

struct Counts {
  int status = FIDO_ERR_INTERNAL;
  std::uint64_t existing = 0;
  std::uint64_t remaining = 0;
};

Counts metadata(fido_dev_t* dev, const char* pin) {
  FidoCredmanMetadata m(fido_credman_metadata_new());
  REQUIRE(m);
  Counts c;
  c.status = fido_credman_get_dev_metadata(dev, m.get(), pin);
  c.existing = fido_credman_rk_existing(m.get());
  c.remaining = fido_credman_rk_remaining(m.get());
  return c;
}

struct Rp {
  std::string name;
  Bytes id_hash;
};

// fido_credman_get_dev_rp: RP ID -> name and ID hash.
int rps(fido_dev_t* dev, std::map<std::string, Rp>& out) {
  FidoCredmanRp rp(fido_credman_rp_new());
  REQUIRE(rp);
  const int r = fido_credman_get_dev_rp(dev, rp.get(), kPin);
  out.clear();
  for (std::size_t i = 0; i < fido_credman_rp_count(rp.get()); ++i) {
    const char* name = fido_credman_rp_name(rp.get(), i);
    out[fido_credman_rp_id(rp.get(), i)] =
        Rp{name == nullptr ? "" : name,
           bytes_of(fido_credman_rp_id_hash_ptr(rp.get(), i), fido_credman_rp_id_hash_len(rp.get(), i))};
  }
  return r;
}

struct Rk {
  Bytes user_id;
  std::string user_name;
  std::string display_name;
  int type = 0;
  Bytes public_key;
  int prot = 0;
};

// fido_credman_get_dev_rk: credential ID -> what the key told about it.
int rks(fido_dev_t* dev, const std::string& rp_id, std::map<Bytes, Rk>& out) {
  FidoCredmanRk rk(fido_credman_rk_new());
  REQUIRE(rk);
  const int r = fido_credman_get_dev_rk(dev, rp_id.c_str(), rk.get(), kPin);
  out.clear();
  for (std::size_t i = 0; i < fido_credman_rk_count(rk.get()); ++i) {
    const fido_cred_t* c = fido_credman_rk(rk.get(), i);
    REQUIRE(c != nullptr);
    const char* name = fido_cred_user_name(c);
    const char* display = fido_cred_display_name(c);
    out[bytes_of(fido_cred_id_ptr(c), fido_cred_id_len(c))] =
        Rk{bytes_of(fido_cred_user_id_ptr(c), fido_cred_user_id_len(c)), name == nullptr ? "" : name,
           display == nullptr ? "" : display, fido_cred_type(c),
           bytes_of(fido_cred_pubkey_ptr(c), fido_cred_pubkey_len(c)), fido_cred_prot(c)};
  }
  return r;
}

Bytes sha256(const std::string& s) {
  Bytes d(SHA256_DIGEST_LENGTH);
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
  return d;
}

Bytes public_key_of(const MadeCredential& m) {
  return bytes_of(fido_cred_pubkey_ptr(m.cred.get()), fido_cred_pubkey_len(m.cred.get()));
}

// fido_credman_set_dev_rk with a fido_cred_t that carries the credential ID and the new user.
int rename(fido_dev_t* dev, const Bytes& cred_id, const std::string& user_id, const char* name, const char* display) {
  FidoCred c(fido_cred_new());
  REQUIRE(c);
  REQUIRE(fido_cred_set_id(c.get(), cred_id.data(), cred_id.size()) == FIDO_OK);
  const Bytes uid = vfido::to_bytes(user_id);
  REQUIRE(fido_cred_set_user(c.get(), uid.data(), uid.size(), name, display, nullptr) == FIDO_OK);
  return fido_credman_set_dev_rk(dev, c.get(), kPin);
}

}  // namespace

TEST_CASE("libfido2 credman: metadata, RPs, credentials, update and delete round trip") {
  UnixKey k;
  FidoDev dev = k.open();
  CHECK(fido_dev_supports_credman(dev.get()));

  // Discoverable credentials before the PIN is set (no user verification needed yet), one
  // server-side credential that credential management must not list, then one made with the PIN.
  MadeCredential alice, bob, carol, server, dave;
  REQUIRE(make_credential(dev.get(), COSE_ES256, true, "example.com", "alice", alice) == FIDO_OK);
  REQUIRE(make_credential(dev.get(), COSE_EDDSA, true, "example.com", "bob", bob, nullptr,
                          FIDO_CRED_PROT_UV_REQUIRED) == FIDO_OK);
  REQUIRE(make_credential(dev.get(), COSE_ES256, true, "other.example", "carol", carol) == FIDO_OK);
  REQUIRE(make_credential(dev.get(), COSE_ES256, false, "example.com", "server", server) == FIDO_OK);
  REQUIRE(fido_dev_set_pin(dev.get(), kPin, nullptr) == FIDO_OK);
  REQUIRE(make_credential(dev.get(), COSE_ES256, true, "third.example", "dave", dave, kPin) == FIDO_OK);

  // getCredsMetadata.
  Counts c = metadata(dev.get(), kPin);
  REQUIRE(c.status == FIDO_OK);
  CHECK(c.existing == 4);
  CHECK(c.remaining == vfido::credstore::MemoryStore::kDefaultCapacity - 4);
  CHECK(metadata(dev.get(), "0000").status == FIDO_ERR_PIN_INVALID);

  // enumerateRPs: each RP once, with the rp.name makeCredential stored and SHA-256(rp.id).
  std::map<std::string, Rp> rp;
  REQUIRE(rps(dev.get(), rp) == FIDO_OK);
  REQUIRE(rp.size() == 3);
  for (const char* id : {"example.com", "other.example", "third.example"}) {
    CAPTURE(id);
    REQUIRE(rp.count(id) == 1);
    CHECK(rp[id].name == "Test RP");
    CHECK(rp[id].id_hash == sha256(id));
  }

  // enumerateCredentials for example.com (libfido2 asks for a token bound to the RP).
  std::map<Bytes, Rk> rk;
  REQUIRE(rks(dev.get(), "example.com", rk) == FIDO_OK);
  REQUIRE(rk.size() == 2);
  REQUIRE(rk.count(alice.id) == 1);
  REQUIRE(rk.count(bob.id) == 1);
  CHECK(rk[alice.id].user_id == vfido::to_bytes("uid:alice"));
  CHECK(rk[alice.id].user_name == "alice");
  CHECK(rk[alice.id].display_name == "alice");
  CHECK(rk[alice.id].type == COSE_ES256);
  CHECK(rk[alice.id].public_key == public_key_of(alice));
  CHECK(rk[alice.id].prot == FIDO_CRED_PROT_UV_OPTIONAL);
  CHECK(rk[bob.id].type == COSE_EDDSA);
  CHECK(rk[bob.id].public_key == public_key_of(bob));
  CHECK(rk[bob.id].prot == FIDO_CRED_PROT_UV_REQUIRED);
  CHECK(rks(dev.get(), "nobody.example", rk) == FIDO_ERR_NO_CREDENTIALS);

  // updateUserInformation (fido_credman_set_dev_rk, sent as 0x41 by libfido2 1.12).
  REQUIRE(rename(dev.get(), alice.id, "uid:alice", "alice.smith", "Alice Smith") == FIDO_OK);
  REQUIRE(rks(dev.get(), "example.com", rk) == FIDO_OK);
  CHECK(rk[alice.id].user_name == "alice.smith");
  CHECK(rk[alice.id].display_name == "Alice Smith");
  CHECK(rk[bob.id].user_name == "bob");
  CHECK(rename(dev.get(), alice.id, "uid:mallory", "m", "M") == FIDO_ERR_INVALID_PARAMETER);

  // deleteCredential.
  REQUIRE(fido_credman_del_dev_rk(dev.get(), alice.id.data(), alice.id.size(), kPin) == FIDO_OK);
  CHECK(fido_credman_del_dev_rk(dev.get(), alice.id.data(), alice.id.size(), kPin) == FIDO_ERR_NO_CREDENTIALS);
  CHECK(fido_credman_del_dev_rk(dev.get(), server.id.data(), server.id.size(), kPin) == FIDO_ERR_NO_CREDENTIALS);
  REQUIRE(rks(dev.get(), "example.com", rk) == FIDO_OK);
  CHECK(rk.size() == 1);
  CHECK(rk.count(bob.id) == 1);
  c = metadata(dev.get(), kPin);
  REQUIRE(c.status == FIDO_OK);
  CHECK(c.existing == 3);

  // The deleted credential no longer signs; the server-side one of the same RP still does.
  FidoAssert as;
  CHECK(get_assertion(dev.get(), "example.com", {alice.id}, as) == FIDO_ERR_NO_CREDENTIALS);
  REQUIRE(get_assertion(dev.get(), "example.com", {server.id}, as) == FIDO_OK);
  CHECK(fido_assert_verify(as.get(), 0, COSE_ES256, server.key.get()) == FIDO_OK);

  // Deleting the last credential of an RP removes the RP from the list.
  REQUIRE(fido_credman_del_dev_rk(dev.get(), carol.id.data(), carol.id.size(), kPin) == FIDO_OK);
  REQUIRE(rps(dev.get(), rp) == FIDO_OK);
  CHECK(rp.size() == 2);
  CHECK(rp.count("other.example") == 0);
}

TEST_CASE("libfido2 credman: a FIDO_2_1_PRE key is managed with the getPinToken token") {
  KeyOptions o;
  o.profile.versions = {"FIDO_2_0", "FIDO_2_1_PRE"};
  o.profile.pin_uv_auth_token = false;  // no permissions: libfido2 falls back to getPinToken
  UnixKey k(o);
  FidoDev dev = k.open();
  CHECK(fido_dev_supports_credman(dev.get()));
  CHECK_FALSE(fido_dev_supports_permissions(dev.get()));

  MadeCredential alice, bob;
  REQUIRE(make_credential(dev.get(), COSE_ES256, true, "example.com", "alice", alice) == FIDO_OK);
  REQUIRE(make_credential(dev.get(), COSE_EDDSA, true, "example.com", "bob", bob) == FIDO_OK);
  REQUIRE(fido_dev_set_pin(dev.get(), kPin, nullptr) == FIDO_OK);

  Counts c = metadata(dev.get(), kPin);
  REQUIRE(c.status == FIDO_OK);
  CHECK(c.existing == 2);
  std::map<std::string, Rp> rp;
  REQUIRE(rps(dev.get(), rp) == FIDO_OK);
  CHECK(rp.size() == 1);
  std::map<Bytes, Rk> rk;
  REQUIRE(rks(dev.get(), "example.com", rk) == FIDO_OK);
  CHECK(rk.size() == 2);
  CHECK(rk[bob.id].public_key == public_key_of(bob));
  // The prototype of a FIDO_2_1_PRE key has no updateUserInformation.
  CHECK(rename(dev.get(), alice.id, "uid:alice", "a", "A") ==
        static_cast<int>(vfido::CtapStatus::kInvalidSubcommand));
  REQUIRE(fido_credman_del_dev_rk(dev.get(), alice.id.data(), alice.id.size(), kPin) == FIDO_OK);
  REQUIRE(rks(dev.get(), "example.com", rk) == FIDO_OK);
  CHECK(rk.size() == 1);
}
