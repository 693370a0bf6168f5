// authenticatorConfig (CTAP 2.1 §6.11) through libfido2 over the Unix socket transport:
// fido_dev_enable_entattest, fido_dev_toggle_always_uv, fido_dev_set_pin_minlen(_rpid),
// fido_dev_force_pin_change, each read back through fido_dev_get_cbor_info, with and without a
// PIN; and the minPinLength extension (fido_cred_pin_minlen).
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include <fido/config.h>

#include "authenticator/authenticator_data.h"
#include "tests/support/libfido2_key.h"

namespace {

using vfido::host::FidoCborInfo;
using vfido::host::FidoCred;
using vfido::host::FidoDev;
using vfido::test::UnixKey;

FidoCborInfo info(fido_dev_t* dev) {
  FidoCborInfo ci(fido_cbor_info_new());
  REQUIRE(ci);
  REQUIRE(fido_dev_get_cbor_info(dev, ci.get()) == FIDO_OK);
  return ci;
}

std::optional<bool> option(fido_dev_t* dev, const std::string& name) {
  FidoCborInfo ci = info(dev);
  char** names = fido_cbor_info_options_name_ptr(ci.get());
  const bool* values = fido_cbor_info_options_value_ptr(ci.get());
  for (std::size_t i = 0; i < fido_cbor_info_options_len(ci.get()); ++i) {
    if (name == names[i]) return values[i];
  }
  return std::nullopt;
}

// makeCredential with the minPinLength extension; the minimum in the authenticator data's
// extensions, 0 when none was reported. (fido_cred_pin_minlen() in libfido2 1.12 returns the
// value the request asked with, so the authenticator data is read here.)
std::size_t reported_min_pin_length(fido_dev_t* dev, const char* rp, const char* pin) {
  FidoCred cred(fido_cred_new());
  REQUIRE(cred);
  fido_cred_t* c = cred.get();
  const unsigned char cdh[32] = {0x33};
  const unsigned char uid[4] = {1, 2, 3, 4};
  REQUIRE(fido_cred_set_clientdata_hash(c, cdh, sizeof(cdh)) == FIDO_OK);
  REQUIRE(fido_cred_set_type(c, COSE_ES256) == FIDO_OK);
  REQUIRE(fido_cred_set_rp(c, rp, nullptr) == FIDO_OK);
  REQUIRE(fido_cred_set_user(c, uid, sizeof(uid), "dave", nullptr, nullptr) == FIDO_OK);
  REQUIRE(fido_cred_set_pin_minlen(c, 1) == FIDO_OK);  // asks for the extension
  const int r = fido_dev_make_cred(dev, c, pin);
  INFO(vfido::host::fido_error_text(r));
  REQUIRE(r == FIDO_OK);
  auto ad = vfido::AuthenticatorData::parse(
      vfido::ByteSpan(fido_cred_authdata_raw_ptr(c), fido_cred_authdata_raw_len(c)));
  REQUIRE(ad.has_value());
  if (!ad->extensions) return 0;
  const vfido::cbor::Value* v = ad->extensions->find("minPinLength");
  return v == nullptr ? 0 : static_cast<std::size_t>(v->as_uint());
}

}  // namespace

TEST_CASE("libfido2 config: enterprise attestation and alwaysUv without a PIN") {
  UnixKey k;
  FidoDev dev = k.open();
  CHECK(option(dev.get(), "ep") == false);
  CHECK(option(dev.get(), "authnrCfg") == true);
  REQUIRE(fido_dev_enable_entattest(dev.get(), nullptr) == FIDO_OK);
  CHECK(option(dev.get(), "ep") == true);

  CHECK(option(dev.get(), "alwaysUv") == false);
  REQUIRE(fido_dev_toggle_always_uv(dev.get(), nullptr) == FIDO_OK);
  CHECK(option(dev.get(), "alwaysUv") == true);
  CHECK(option(dev.get(), "makeCredUvNotRqd") == false);
  // alwaysUv without a PIN: enableEnterpriseAttestation now wants a token, toggleAlwaysUv not.
  CHECK(fido_dev_enable_entattest(dev.get(), nullptr) == FIDO_ERR_PIN_REQUIRED);
  REQUIRE(fido_dev_toggle_always_uv(dev.get(), nullptr) == FIDO_OK);
  CHECK(option(dev.get(), "alwaysUv") == false);
}

TEST_CASE("libfido2 config: with a PIN every subcommand needs it") {
  UnixKey k;
  FidoDev dev = k.open();
  REQUIRE(fido_dev_set_pin(dev.get(), "123456", nullptr) == FIDO_OK);
  CHECK(fido_dev_toggle_always_uv(dev.get(), "654321") == FIDO_ERR_PIN_INVALID);
  REQUIRE(fido_dev_toggle_always_uv(dev.get(), "123456") == FIDO_OK);
  CHECK(option(dev.get(), "alwaysUv") == true);
  REQUIRE(fido_dev_enable_entattest(dev.get(), "123456") == FIDO_OK);
  CHECK(option(dev.get(), "ep") == true);
  REQUIRE(fido_dev_toggle_always_uv(dev.get(), "123456") == FIDO_OK);
  CHECK(option(dev.get(), "alwaysUv") == false);
}

TEST_CASE("libfido2 config: setMinPINLength, its RP IDs, forcePINChange") {
  UnixKey k;
  FidoDev dev = k.open();
  CHECK(fido_cbor_info_minpinlen(info(dev.get()).get()) == 4);
  CHECK(fido_cbor_info_maxrpid_minpinlen(info(dev.get()).get()) ==
        vfido::AuthenticatorProfile{}.max_rp_ids_for_set_min_pin_length);

  SUBCASE("without a PIN") {
    REQUIRE(fido_dev_set_pin_minlen(dev.get(), 6, nullptr) == FIDO_OK);
    CHECK(fido_cbor_info_minpinlen(info(dev.get()).get()) == 6);
    CHECK(fido_dev_set_pin_minlen(dev.get(), 5, nullptr) == FIDO_ERR_PIN_POLICY_VIOLATION);
    CHECK(fido_dev_force_pin_change(dev.get(), nullptr) == FIDO_ERR_PIN_NOT_SET);
    // The PIN must now have 6 code points.
    CHECK(fido_dev_set_pin(dev.get(), "12345", nullptr) == FIDO_ERR_PIN_POLICY_VIOLATION);
    CHECK(fido_dev_set_pin(dev.get(), "123456", nullptr) == FIDO_OK);
  }
  SUBCASE("with a PIN: a minimum above the PIN's length forces a change") {
    REQUIRE(fido_dev_set_pin(dev.get(), "1234", nullptr) == FIDO_OK);
    CHECK(fido_dev_set_pin_minlen(dev.get(), 6, nullptr) == FIDO_ERR_PIN_REQUIRED);
    REQUIRE(fido_dev_set_pin_minlen(dev.get(), 6, "1234") == FIDO_OK);
    FidoCborInfo ci = info(dev.get());
    CHECK(fido_cbor_info_minpinlen(ci.get()) == 6);
    CHECK(fido_cbor_info_new_pin_required(ci.get()));
    // The old PIN gives no token any more; a PIN change clears the flag.
    CHECK(fido_dev_toggle_always_uv(dev.get(), "1234") != FIDO_OK);
    CHECK(fido_dev_set_pin(dev.get(), "12345", "1234") == FIDO_ERR_PIN_POLICY_VIOLATION);
    REQUIRE(fido_dev_set_pin(dev.get(), "123456", "1234") == FIDO_OK);
    CHECK_FALSE(fido_cbor_info_new_pin_required(info(dev.get()).get()));
    // fido_dev_force_pin_change forces the next change explicitly.
    REQUIRE(fido_dev_force_pin_change(dev.get(), "123456") == FIDO_OK);
    CHECK(fido_cbor_info_new_pin_required(info(dev.get()).get()));
    REQUIRE(fido_dev_set_pin(dev.get(), "654321", "123456") == FIDO_OK);
    CHECK_FALSE(fido_cbor_info_new_pin_required(info(dev.get()).get()));
  }
  SUBCASE("the RP ID list decides who the minPinLength extension reports to") {
    const char* const rpids[] = {"listed.example"};
    REQUIRE(fido_dev_set_pin_minlen_rpid(dev.get(), rpids, 1, nullptr) == FIDO_OK);
    REQUIRE(fido_dev_set_pin_minlen(dev.get(), 7, nullptr) == FIDO_OK);
    CHECK(reported_min_pin_length(dev.get(), "listed.example", nullptr) == 7);
    CHECK(reported_min_pin_length(dev.get(), "other.example", nullptr) == 0);
  }
}
