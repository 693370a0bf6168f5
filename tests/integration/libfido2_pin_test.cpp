// libfido2 against the key with a PIN (CTAP 2.1 §6.5) and the §12 extensions: set and change
// the PIN, retry counters and the power-cycle block, credentials made and asserted with
// pinUvAuthTokens (UV flag), credProtect, hmac-secret and credBlob — each verified with
// libfido2's own verification functions.
#include <doctest/doctest.h>

#include <array>
#include <string>

#include "tests/support/libfido2_key.h"

using namespace vfido::test;
using vfido::Bytes;
using vfido::host::FidoAssert;
using vfido::host::FidoCred;
using vfido::host::FidoDev;
using vfido::host::PublicKey;

namespace {

constexpr const char* kRp = "pin.example";
constexpr const char* kPin = "4711";

struct Made {
  FidoCred cred;
  Bytes id;
  PublicKey key;
};

int make(fido_dev_t* dev, Made& out, const char* pin, bool rk, int ext = 0, int prot = 0, const Bytes& blob = {},
         int alg = COSE_ES256) {
  out.cred.reset(fido_cred_new());
  fido_cred_t* c = out.cred.get();
  set_cdh(c, 0x31);
  const Bytes uid = {0x75, 0x69, 0x64, static_cast<std::uint8_t>(rk ? 1 : 0)};
  REQUIRE(fido_cred_set_type(c, alg) == FIDO_OK);
  REQUIRE(fido_cred_set_rp(c, kRp, "PIN RP") == FIDO_OK);
  REQUIRE(fido_cred_set_user(c, uid.data(), uid.size(), "carol", "Carol", nullptr) == FIDO_OK);
  REQUIRE(fido_cred_set_rk(c, rk ? FIDO_OPT_TRUE : FIDO_OPT_OMIT) == FIDO_OK);
  if (ext != 0) REQUIRE(fido_cred_set_extensions(c, ext) == FIDO_OK);
  if (prot != 0) REQUIRE(fido_cred_set_prot(c, prot) == FIDO_OK);
  if (!blob.empty()) REQUIRE(fido_cred_set_blob(c, blob.data(), blob.size()) == FIDO_OK);
  int r = fido_dev_make_cred(dev, c, pin);
  if (r != FIDO_OK) return r;
  CHECK(fido_cred_verify_self(c) == FIDO_OK);
  out.id = bytes_of(fido_cred_id_ptr(c), fido_cred_id_len(c));
  REQUIRE(out.key.load(alg, fido_cred_pubkey_ptr(c), fido_cred_pubkey_len(c)));
  return r;
}

int assert_with(fido_dev_t* dev, FidoAssert& as, const char* pin, const Bytes& allow, int ext = 0,
                const Bytes& salt = {}) {
  as.reset(fido_assert_new());
  std::array<unsigned char, 32> cdh{};
  cdh.fill(0x42);
  REQUIRE(fido_assert_set_clientdata_hash(as.get(), cdh.data(), cdh.size()) == FIDO_OK);
  REQUIRE(fido_assert_set_rp(as.get(), kRp) == FIDO_OK);
  if (!allow.empty()) REQUIRE(fido_assert_allow_cred(as.get(), allow.data(), allow.size()) == FIDO_OK);
  if (ext != 0) REQUIRE(fido_assert_set_extensions(as.get(), ext) == FIDO_OK);
  if (!salt.empty()) REQUIRE(fido_assert_set_hmac_salt(as.get(), salt.data(), salt.size()) == FIDO_OK);
  return fido_dev_get_assert(dev, as.get(), pin);
}

}  // namespace

TEST_CASE("libfido2 pin: set, change, retries, the three-strikes block and a power cycle") {
  UnixKey k;
  FidoDev dev = k.open();
  CHECK(fido_dev_has_pin(dev.get()) == false);
  REQUIRE(fido_dev_set_pin(dev.get(), kPin, nullptr) == FIDO_OK);
  dev = k.open();  // re-read getInfo
  CHECK(fido_dev_has_pin(dev.get()));
  int retries = -1;
  REQUIRE(fido_dev_get_retry_count(dev.get(), &retries) == FIDO_OK);
  CHECK(retries == 8);

  CHECK(fido_dev_set_pin(dev.get(), "5555", "0000") == FIDO_ERR_PIN_INVALID);
  CHECK(fido_dev_set_pin(dev.get(), "5555", "0001") == FIDO_ERR_PIN_INVALID);
  CHECK(fido_dev_set_pin(dev.get(), "5555", "0002") == FIDO_ERR_PIN_AUTH_BLOCKED);
  CHECK(fido_dev_set_pin(dev.get(), "5555", kPin) == FIDO_ERR_PIN_AUTH_BLOCKED);
  REQUIRE(fido_dev_get_retry_count(dev.get(), &retries) == FIDO_OK);
  CHECK(retries == 5);

  k.power_cycle();
  dev = k.open();
  REQUIRE(fido_dev_set_pin(dev.get(), "5555", kPin) == FIDO_OK);
  REQUIRE(fido_dev_get_retry_count(dev.get(), &retries) == FIDO_OK);
  CHECK(retries == 8);
  CHECK(fido_dev_set_pin(dev.get(), "66", "5555") == FIDO_ERR_PIN_POLICY_VIOLATION);
}

TEST_CASE("libfido2 pin: credentials and assertions with a PIN carry UV and verify") {
  UnixKey k;
  FidoDev dev = k.open();
  REQUIRE(fido_dev_set_pin(dev.get(), kPin, nullptr) == FIDO_OK);
  dev = k.open();

  Made rk;
  // A discoverable credential on a protected key needs the PIN.
  CHECK(make(dev.get(), rk, nullptr, true) == FIDO_ERR_PIN_REQUIRED);
  REQUIRE(make(dev.get(), rk, kPin, true) == FIDO_OK);
  CHECK((fido_cred_flags(rk.cred.get()) & CTAP_AUTHDATA_USER_VERIFIED) != 0);
  // makeCredUvNotRqd: a server-side credential without the PIN, without UV.
  Made plain;
  REQUIRE(make(dev.get(), plain, nullptr, false) == FIDO_OK);
  CHECK((fido_cred_flags(plain.cred.get()) & CTAP_AUTHDATA_USER_VERIFIED) == 0);

  FidoAssert as;
  REQUIRE(assert_with(dev.get(), as, kPin, {}) == FIDO_OK);
  REQUIRE(fido_assert_count(as.get()) == 1);
  CHECK((fido_assert_flags(as.get(), 0) & CTAP_AUTHDATA_USER_VERIFIED) != 0);
  CHECK(std::string(fido_assert_user_name(as.get(), 0)) == "carol");  // with UV: the name
  CHECK(fido_assert_verify(as.get(), 0, COSE_ES256, rk.key.get()) == FIDO_OK);

  REQUIRE(assert_with(dev.get(), as, nullptr, plain.id) == FIDO_OK);
  CHECK((fido_assert_flags(as.get(), 0) & CTAP_AUTHDATA_USER_VERIFIED) == 0);
  CHECK(fido_assert_verify(as.get(), 0, COSE_ES256, plain.key.get()) == FIDO_OK);

  CHECK(assert_with(dev.get(), as, "9999", {}) == FIDO_ERR_PIN_INVALID);
}

TEST_CASE("libfido2 pin: credProtect uvRequired is invisible without the PIN") {
  UnixKey k;
  FidoDev dev = k.open();
  REQUIRE(fido_dev_set_pin(dev.get(), kPin, nullptr) == FIDO_OK);
  dev = k.open();
  Made m;
  REQUIRE(make(dev.get(), m, kPin, true, FIDO_EXT_CRED_PROTECT, FIDO_CRED_PROT_UV_REQUIRED) == FIDO_OK);
  CHECK(fido_cred_prot(m.cred.get()) == FIDO_CRED_PROT_UV_REQUIRED);
  FidoAssert as;
  CHECK(assert_with(dev.get(), as, nullptr, m.id) == FIDO_ERR_NO_CREDENTIALS);
  REQUIRE(assert_with(dev.get(), as, kPin, m.id) == FIDO_OK);
  CHECK(fido_assert_verify(as.get(), 0, COSE_ES256, m.key.get()) == FIDO_OK);
}

TEST_CASE("libfido2 pin: hmac-secret outputs are stable per salt and differ with UV") {
  UnixKey k;
  FidoDev dev = k.open();
  Made m;
  REQUIRE(make(dev.get(), m, nullptr, false, FIDO_EXT_HMAC_SECRET) == FIDO_OK);
  CHECK((fido_cred_flags(m.cred.get()) & CTAP_AUTHDATA_EXT_DATA) != 0);
  const Bytes salt(32, 0x77);
  const Bytes salt2(64, 0x78);
  FidoAssert as;
  REQUIRE(assert_with(dev.get(), as, nullptr, m.id, FIDO_EXT_HMAC_SECRET, salt) == FIDO_OK);
  CHECK(fido_assert_verify(as.get(), 0, COSE_ES256, m.key.get()) == FIDO_OK);
  const Bytes out1 = bytes_of(fido_assert_hmac_secret_ptr(as.get(), 0), fido_assert_hmac_secret_len(as.get(), 0));
  REQUIRE(out1.size() == 32);
  REQUIRE(assert_with(dev.get(), as, nullptr, m.id, FIDO_EXT_HMAC_SECRET, salt) == FIDO_OK);
  CHECK(bytes_of(fido_assert_hmac_secret_ptr(as.get(), 0), fido_assert_hmac_secret_len(as.get(), 0)) == out1);
  REQUIRE(assert_with(dev.get(), as, nullptr, m.id, FIDO_EXT_HMAC_SECRET, salt2) == FIDO_OK);
  CHECK(fido_assert_hmac_secret_len(as.get(), 0) == 64);

  REQUIRE(fido_dev_set_pin(dev.get(), kPin, nullptr) == FIDO_OK);
  dev = k.open();
  REQUIRE(assert_with(dev.get(), as, kPin, m.id, FIDO_EXT_HMAC_SECRET, salt) == FIDO_OK);
  CHECK((fido_assert_flags(as.get(), 0) & CTAP_AUTHDATA_USER_VERIFIED) != 0);
  const Bytes out_uv = bytes_of(fido_assert_hmac_secret_ptr(as.get(), 0), fido_assert_hmac_secret_len(as.get(), 0));
  REQUIRE(out_uv.size() == 32);
  CHECK(out_uv != out1);
}

TEST_CASE("libfido2 pin: credBlob is stored and read back") {
  UnixKey k;
  FidoDev dev = k.open();
  const Bytes blob = {'v', 'f', 'i', 'd', 'o', '-', 'b', 'l', 'o', 'b'};
  REQUIRE(fido_dev_set_pin(dev.get(), kPin, nullptr) == FIDO_OK);
  dev = k.open();
  Made m;
  REQUIRE(make(dev.get(), m, kPin, true, FIDO_EXT_CRED_BLOB, 0, blob) == FIDO_OK);
  FidoAssert as;
  REQUIRE(assert_with(dev.get(), as, kPin, m.id, FIDO_EXT_CRED_BLOB) == FIDO_OK);
  CHECK(bytes_of(fido_assert_blob_ptr(as.get(), 0), fido_assert_blob_len(as.get(), 0)) == blob);
}

TEST_CASE("libfido2 pin: EdDSA credentials with a PIN verify") {
  UnixKey k;
  FidoDev dev = k.open();
  REQUIRE(fido_dev_set_pin(dev.get(), kPin, nullptr) == FIDO_OK);
  dev = k.open();
  Made m;
  REQUIRE(make(dev.get(), m, kPin, true, 0, 0, {}, COSE_EDDSA) == FIDO_OK);
  FidoAssert as;
  REQUIRE(assert_with(dev.get(), as, kPin, m.id) == FIDO_OK);
  CHECK(fido_assert_verify(as.get(), 0, COSE_EDDSA, m.key.get()) == FIDO_OK);
}
