// Key derivations by purpose (hybrid-protocol.md §2, §4.5, §4.6, §9.2).
#include <doctest/doctest.h>

#include "tests/transports/hybrid/hybrid_test_util.h"
#include "transports/hybrid/derive.h"
#include "transports/hybrid/linking.h"

namespace vfido::cable {
namespace {

using test::hex;

std::string derived(std::string_view secret, std::string_view salt, DerivedValueType t, std::size_t n) {
  return to_hex(derive(hex(secret), hex(salt), t, n).expose());
}

TEST_CASE("derive: the purpose numbers are frozen protocol constants") {
  CHECK(static_cast<std::uint32_t>(DerivedValueType::kEidKey) == 1);
  CHECK(static_cast<std::uint32_t>(DerivedValueType::kTunnelId) == 2);
  CHECK(static_cast<std::uint32_t>(DerivedValueType::kPsk) == 3);
  CHECK(static_cast<std::uint32_t>(DerivedValueType::kPairedSecret) == 4);
  CHECK(static_cast<std::uint32_t>(DerivedValueType::kIdentityKeySeed) == 5);
  CHECK(static_cast<std::uint32_t>(DerivedValueType::kPerContactIdSecret) == 6);
}

TEST_CASE("derive: libwebauthn's HKDF vectors (§4.6)") {
  CHECK(derived("00112233445566778899aabbccddeeff", "", DerivedValueType::kEidKey, 64) ==
        "efafab5b2c84a11c80e3ad0770353138b414a859ccd3afcc99e3d3250dba65084ede8e38e75432617c0ccae1ffe5d8143df0db0cd6d296f4"
        "89419cd6411ee505");
  CHECK(derived("00112233445566778899aabbccddeeff", "ffeeddccbbaa998877665544332211", DerivedValueType::kEidKey, 64) ==
        "168cf3dd220a7907f8bac30f559be92a3b6d937fe5594beeaf1e50e35976b7d654dd550e22ae4c801b9d1cdbf0d2b1472daa1328661eb8"
        "89acae3023b7ffa509");
  // Output prefixes do not depend on the length.
  CHECK(derived("00112233445566778899aabbccddeeff", "", DerivedValueType::kEidKey, 16) == "efafab5b2c84a11c80e3ad0770353138");
}

TEST_CASE("derive: webauthn-rs decrypt_known secret (§4.5)") {
  const std::string_view secret = "01fea6f7c4807493dc256f9eacf756c9";
  CHECK(derived(secret, "", DerivedValueType::kEidKey, 64) ==
        "66e7d568ef48471de6b84f6f2e7af841cf901e384174f1e668c6b93a1cc4e2d8927395271dcf6397ca338711157764814f141a8fd4bde2"
        "dfa53100c5f4d64794");
  CHECK(derived(secret, "", DerivedValueType::kTunnelId, 16) == "367cbbf5f5085df4098476afe4b9b1d2");
  CHECK(derived(secret, "008bb5c5c9a44d913a5eb20265550000", DerivedValueType::kPsk, 32) ==
        "839f4fa0f797563fc485031e4bec7e60b0f07fbc58fcda6815c8e9b1eec698bb");
}

TEST_CASE("derive: the all-zero QR secret (§4.5)") {
  const std::string zero(32, '0');
  CHECK(derived(zero, "", DerivedValueType::kTunnelId, 16) == "3eef97097986413b059eaa2a30d653d4");
  CHECK(derived(zero, "", DerivedValueType::kEidKey, 64) ==
        "5bb826f01e9c8344e2fd4eed6f2068c6d73875044660738090642d7cb0d0ad018d8ab27a807018ed049c6e88575f21e620fdb49fed4525"
        "5499f20d304877897f");
  CHECK(derived(zero, "00098b736b36a98cb9a42f090a0b80f9", DerivedValueType::kPsk, 32) ==
        "1e887a78fb7426148b114a9dfd7b296eb26bebb43934688b7c28e274e0a6bf7d");
}

TEST_CASE("derive: linked flow and phone-side derivations (§9.1, §9.2)") {
  CHECK(derived("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "101112131415161718191a1b1c1d1e1f",
                DerivedValueType::kEidKey, 64) ==
        "e33dba9a551062d8906ce5cf6455c1980a04e9aea84e909c3ea479724c5510a66dbe5bfd970dfbb488bc48b3826ca4b783136031088aed"
        "25cd20cbb3eb7366bb");
  const Bytes root(32, 0x11);
  CHECK(to_hex(per_contact_secret(root, hex("c0ffee")).expose()) ==
        "c3199edb5655f61df0a6302ecadf33303dd59c8c05e949dff2e2b5748cb87f09");
  CHECK(to_hex(paired_link_secret(root, hex("c0ffee"), hex("0102030405060708")).expose()) ==
        "a49282f68459e1eb7e79a0733042a9ea3ae15562969c6339e4dc1dc48eac8747");
  CHECK(to_hex(derive(root, {}, DerivedValueType::kIdentityKeySeed, 32).expose()) ==
        "13b22312dc86637efb7c46054519392efb65f12e2ec2ded540c3be4eaa615bfe");
  // The seed is a valid scalar, so it is the identity key's scalar.
  auto identity = identity_key_from_root(root);
  REQUIRE(identity.has_value());
  CHECK(to_hex(identity->scalar().expose()) == "13b22312dc86637efb7c46054519392efb65f12e2ec2ded540c3be4eaa615bfe");
}

}  // namespace
}  // namespace vfido::cable
