// Every built-in authenticator model registers and signs in through libfido2, and the relying
// party sees what the model promises: its AAGUID, BE/BS flags, attestation format, UV when the
// model verifies users itself, and counters that stay 0 for synced providers.
#include <doctest/doctest.h>

#include <array>
#include <string>

#include "profiles/profile_json.h"
#include "profiles/registry.h"
#include "tests/support/attested_profiles.h"
#include "tests/support/libfido2_key.h"

using namespace vfido::test;
using vfido::Bytes;
using vfido::host::FidoAssert;
using vfido::host::FidoCred;
using vfido::host::PublicKey;

TEST_CASE("libfido2 profiles: every built-in model registers and signs in as it promises") {
  for (const auto& profile : attested_builtins()) {
    CAPTURE(profile.id);
    const auto& m = profile.model;
    vfido::host::KeyOptions options;
    options.profile = m;
    UnixKey k(options);
    auto dev = k.open();
    const bool uv = m.built_in_uv.value_or(false);
    const int alg = static_cast<int>(m.algorithms.front());

    FidoCred cred(fido_cred_new());
    set_cdh(cred.get(), 0x51);
    const Bytes uid = {1, 2, 3, 4, 5};
    REQUIRE(fido_cred_set_type(cred.get(), alg) == FIDO_OK);
    REQUIRE(fido_cred_set_rp(cred.get(), "profiles.example", "Profiles") == FIDO_OK);
    REQUIRE(fido_cred_set_user(cred.get(), uid.data(), uid.size(), "dana", "Dana", nullptr) == FIDO_OK);
    REQUIRE(fido_cred_set_rk(cred.get(), FIDO_OPT_TRUE) == FIDO_OK);
    if (uv) REQUIRE(fido_cred_set_uv(cred.get(), FIDO_OPT_TRUE) == FIDO_OK);
    REQUIRE(fido_dev_make_cred(dev.get(), cred.get(), nullptr) == FIDO_OK);

    CHECK(bytes_of(fido_cred_aaguid_ptr(cred.get()), fido_cred_aaguid_len(cred.get())) ==
          Bytes(m.aaguid.begin(), m.aaguid.end()));
    const std::uint8_t flags = fido_cred_flags(cred.get());
    CHECK(((flags & 0x08) != 0) == m.backup_eligible);  // BE
    CHECK(((flags & 0x10) != 0) == m.backup_state);     // BS
    CHECK(((flags & CTAP_AUTHDATA_USER_VERIFIED) != 0) == uv);
    const std::string fmt = fido_cred_fmt(cred.get());
    if (m.attestation == vfido::AttestationMode::kNone) {
      CHECK(fmt == "none");
    } else if (m.attestation == vfido::AttestationMode::kSelf) {
      CHECK(fmt == "packed");
      CHECK(fido_cred_x5c_len(cred.get()) == 0);
      CHECK(fido_cred_verify_self(cred.get()) == FIDO_OK);
    } else {
      // Basic attestation: libfido2 checks the signature with the certificate in x5c.
      CHECK(fmt == "packed");
      CHECK(fido_cred_x5c_len(cred.get()) > 0);
      CHECK(fido_cred_verify(cred.get()) == FIDO_OK);
      CHECK(fido_cred_verify_self(cred.get()) != FIDO_OK);
    }
    PublicKey key;
    REQUIRE(key.load(alg, fido_cred_pubkey_ptr(cred.get()), fido_cred_pubkey_len(cred.get())));

    for (int round = 0; round < 2; ++round) {
      FidoAssert as(fido_assert_new());
      std::array<unsigned char, 32> cdh{};
      cdh.fill(static_cast<unsigned char>(0x60 + round));
      REQUIRE(fido_assert_set_clientdata_hash(as.get(), cdh.data(), cdh.size()) == FIDO_OK);
      REQUIRE(fido_assert_set_rp(as.get(), "profiles.example") == FIDO_OK);
      if (uv) REQUIRE(fido_assert_set_uv(as.get(), FIDO_OPT_TRUE) == FIDO_OK);
      REQUIRE(fido_dev_get_assert(dev.get(), as.get(), nullptr) == FIDO_OK);
      REQUIRE(fido_assert_count(as.get()) == 1);
      CHECK(fido_assert_verify(as.get(), 0, alg, key.get()) == FIDO_OK);
      const std::uint32_t expected = m.sign_counter == vfido::SignCounter::kZero ? 0u : static_cast<std::uint32_t>(round + 1);
      CHECK(fido_assert_sigcount(as.get(), 0) == expected);
      CHECK(((fido_assert_flags(as.get(), 0) & 0x08) != 0) == m.backup_eligible);
    }
  }
}
