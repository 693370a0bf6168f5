// The BLE advert: EID encryption, tag, trial decryption (hybrid-protocol.md §4), and its BLE
// advertising-data form (§4.4).
#include <doctest/doctest.h>

#include "authenticator/env/rng.h"
#include "tests/transports/hybrid/hybrid_test_util.h"
#include "transports/hybrid/advertising_data.h"
#include "transports/hybrid/derive.h"
#include "transports/hybrid/eid.h"

namespace vfido::cable {
namespace {

using test::hex;
using test::hex_array;

// §4.5 [R, V]: webauthn-rs decrypt_known.
constexpr std::string_view kKnownKey =
    "66e7d568ef48471de6b84f6f2e7af841cf901e384174f1e668c6b93a1cc4e2d8927395271dcf6397ca338711157764814f141a8fd4bde2dfa5"
    "3100c5f4d64794";
constexpr std::string_view kKnownAdvert = "027d84ed6076b55e247c830f82955e4d126e7f43";
constexpr std::string_view kKnownEid = "008bb5c5c9a44d913a5eb20265550000";
// §4.5 [S]: the all-zero QR secret.
constexpr std::string_view kZeroKey =
    "5bb826f01e9c8344e2fd4eed6f2068c6d73875044660738090642d7cb0d0ad018d8ab27a807018ed049c6e88575f21e620fdb49fed45255499"
    "f20d304877897f";

TEST_CASE("eid: decrypts webauthn-rs' known advert") {
  auto eid = decrypt_advert(hex(kKnownAdvert), hex(kKnownKey));
  REQUIRE(eid.has_value());
  CHECK(to_hex(*eid) == kKnownEid);
  const EidComponents c = eid_components(*eid);
  CHECK(c.nonce == hex_array<10>("8bb5c5c9a44d913a5eb2"));
  CHECK(c.routing_id == hex_array<3>("026555"));
  CHECK(c.domain == 0);
  // Encrypting the plaintext again gives the same advert (ECB and HMAC are deterministic).
  auto advert = encrypt_eid(*eid, hex(kKnownKey));
  REQUIRE(advert.has_value());
  CHECK(to_hex(*advert) == kKnownAdvert);
}

TEST_CASE("eid: encrypts our own vector (zero QR secret)") {
  EidComponents c;
  c.nonce = hex_array<10>("098b736b36a98cb9a42f");
  c.routing_id = hex_array<3>("090a0b");
  c.domain = 0xf980;
  const Eid eid = eid_from_components(c);
  CHECK(to_hex(eid) == "00098b736b36a98cb9a42f090a0b80f9");
  auto advert = encrypt_eid(eid, hex(kZeroKey));
  REQUIRE(advert.has_value());
  CHECK(to_hex(*advert) == "bd2b1d032349a98c8e62797e00e3cd7a4a5c74ea");
  CHECK(eid_components(eid) == c);
}

TEST_CASE("eid: every flipped bit of the advert is refused") {
  const Bytes advert = hex(kKnownAdvert);
  for (std::size_t bit = 0; bit < advert.size() * 8; ++bit) {
    CAPTURE(bit);
    Bytes tampered = advert;
    tampered[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
    CHECK(decrypt_advert(tampered, hex(kKnownKey)).error() == CableError::kAdvertMismatch);
  }
}

TEST_CASE("eid: another session's key does not match") {
  Bytes key = hex(kKnownKey);
  key[40] ^= 1;  // the HMAC half
  CHECK(decrypt_advert(hex(kKnownAdvert), key).error() == CableError::kAdvertMismatch);
  CHECK(decrypt_advert(hex(kKnownAdvert), hex(kZeroKey)).error() == CableError::kAdvertMismatch);
}

TEST_CASE("eid: domain checks (Chromium's domain-255 test) and the reserved byte") {
  SeededRng rng(5);
  const auto secret = derive(rng.bytes(16), {}, DerivedValueType::kEidKey, 64);
  const Bytes key(secret.expose().begin(), secret.expose().end());
  auto advert_for = [&](std::uint16_t domain) {
    EidComponents c;
    c.domain = domain;
    auto advert = encrypt_eid(eid_from_components(c), key);
    REQUIRE(advert.has_value());
    return *advert;
  };
  CHECK(decrypt_advert(advert_for(0), key).has_value());
  CHECK(decrypt_advert(advert_for(1), key).has_value());
  CHECK(decrypt_advert(advert_for(255), key).error() == CableError::kUnknownDomain);
  CHECK(decrypt_advert(advert_for(2), key).error() == CableError::kUnknownDomain);
  CHECK(decrypt_advert(advert_for(256), key).has_value());
  CHECK(decrypt_advert(advert_for(0xffff), key).has_value());
  // A desktop that knows one assigned domain refuses index 1.
  CHECK(decrypt_advert(advert_for(1), key, {.check_domain = true, .assigned_known = 1}).error() ==
        CableError::kUnknownDomain);
  // The linked flow skips the domain check.
  CHECK(decrypt_advert(advert_for(255), key, {.check_domain = false}).has_value());

  Eid reserved{};
  reserved[0] = 1;
  CHECK(encrypt_eid(reserved, key).error() == CableError::kBadAdvert);
}

TEST_CASE("eid: sizes") {
  CHECK(decrypt_advert(Bytes(19, 0), hex(kKnownKey)).error() == CableError::kBadAdvert);
  CHECK(decrypt_advert(Bytes(21, 0), hex(kKnownKey)).error() == CableError::kBadAdvert);
  CHECK(decrypt_advert(hex(kKnownAdvert), Bytes(32, 0)).error() == CableError::kBadAdvert);
  CHECK(encrypt_eid(Eid{}, Bytes(63, 0)).error() == CableError::kBadAdvert);
}

TEST_CASE("eid: linked-flow adverts are random with byte 0 clear, and decrypt") {
  SeededRng rng(9);
  const Bytes key = rng.bytes(64);
  for (int i = 0; i < 20; ++i) {
    const Eid eid = random_linked_eid(rng);
    CHECK(eid[0] == 0);
    auto advert = encrypt_eid(eid, key);
    REQUIRE(advert.has_value());
    CHECK(decrypt_advert(*advert, key, {.check_domain = false}) == eid);
  }
}

TEST_CASE("advertising data: 31 bytes with the FIDO UUID, parsed back") {
  const Advert advert = hex_array<20>(kKnownAdvert);
  const Bytes ad = encode_advertising_data(advert);
  CHECK(ad.size() == kMaxLegacyAdvertisingData);
  CHECK(to_hex(ad) == "020106" "0303f9ff" "1716f9ff" + std::string(kKnownAdvert));
  CHECK(find_cable_advert(ad) == advert);
  // Google's legacy UUID is accepted too.
  CHECK(find_cable_advert(encode_advertising_data(advert, kGoogleCableServiceUuid)) == advert);
}

TEST_CASE("advertising data: other services, suffixes, truncation") {
  const Advert advert = hex_array<20>(kKnownAdvert);
  // Service data of another UUID first, then ours with a 3-byte suffix (a CTAP 2.3 draft's).
  Bytes ad = hex("05160d18aabb");
  ad.push_back(1 + 2 + 20 + 3);
  ad.push_back(0x16);
  ad.push_back(0xf9);
  ad.push_back(0xff);
  ad.insert(ad.end(), advert.begin(), advert.end());
  ad.insert(ad.end(), {0xa1, 0x01, 0x05});
  CHECK(find_cable_advert(ad) == advert);
  // Trailing zero padding ends the data.
  Bytes padded = encode_advertising_data(advert);
  padded.insert(padded.end(), {0, 0, 0});
  CHECK(find_cable_advert(padded) == advert);
  // A structure that runs past the end.
  Bytes truncated = encode_advertising_data(advert);
  truncated.pop_back();
  CHECK(find_cable_advert(truncated).error() == CableError::kBadAdvert);
  // Service data too short for an advert, or no service data.
  CHECK(find_cable_advert(hex("0516f9ff0102")).error() == CableError::kBadAdvert);
  CHECK(find_cable_advert(hex("020106")).error() == CableError::kBadAdvert);
  CHECK(find_cable_advert({}).error() == CableError::kBadAdvert);
}

}  // namespace
}  // namespace vfido::cable
