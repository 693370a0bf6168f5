// libfido2 against the key over CTAP1/U2F (fido_dev_force_u2f: libfido2 then speaks U2F over
// CTAPHID_MSG): register with fido-u2f attestation verified by fido_cred_verify, authenticate
// verified by fido_assert_verify; and RS256/EdDSA credentials over CTAP2, verified by libfido2.
#include <doctest/doctest.h>

#include <array>
#include <string>

#include "tests/support/libfido2_key.h"

using namespace vfido::test;
using vfido::Bytes;

TEST_CASE("libfido2 u2f: register and authenticate over CTAP1 verify") {
  UnixKey k;
  auto dev = k.open();
  fido_dev_force_u2f(dev.get());
  CHECK_FALSE(fido_dev_is_fido2(dev.get()));

  MadeCredential m;
  REQUIRE(make_credential(dev.get(), COSE_ES256, false, "u2f.example", "erin", m) == FIDO_OK);
  CHECK(std::string(fido_cred_fmt(m.cred.get())) == "fido-u2f");
  CHECK(fido_cred_x5c_len(m.cred.get()) > 0);
  CHECK(fido_cred_verify(m.cred.get()) == FIDO_OK);  // the attestation signature over the x5c key

  FidoAssert as;
  REQUIRE(get_assertion(dev.get(), "u2f.example", {m.id}, as) == FIDO_OK);
  CHECK(fido_assert_verify(as.get(), 0, COSE_ES256, m.key.get()) == FIDO_OK);
  CHECK((fido_assert_flags(as.get(), 0) & CTAP_AUTHDATA_USER_PRESENT) != 0);
  const std::uint32_t first = fido_assert_sigcount(as.get(), 0);
  REQUIRE(get_assertion(dev.get(), "u2f.example", {m.id}, as) == FIDO_OK);
  CHECK(fido_assert_sigcount(as.get(), 0) == first + 1);
  // Another application: the key handle is not recognised.
  CHECK(get_assertion(dev.get(), "other.example", {m.id}, as) == FIDO_ERR_NO_CREDENTIALS);
}

TEST_CASE("libfido2 u2f: RS256 and EdDSA credentials over CTAP2 verify") {
  UnixKey k;
  auto dev = k.open();
  for (int alg : {COSE_RS256, COSE_EDDSA}) {
    CAPTURE(alg);
    MadeCredential m;
    REQUIRE(make_credential(dev.get(), alg, true, "algs.example", "frank" + std::to_string(-alg), m) == FIDO_OK);
    CHECK(fido_cred_type(m.cred.get()) == alg);
    CHECK(fido_cred_verify_self(m.cred.get()) == FIDO_OK);
    FidoAssert as;
    REQUIRE(get_assertion(dev.get(), "algs.example", {m.id}, as) == FIDO_OK);
    CHECK(fido_assert_verify(as.get(), 0, alg, m.key.get()) == FIDO_OK);
  }
}
