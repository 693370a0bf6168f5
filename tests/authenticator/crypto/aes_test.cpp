// AES-256-CBC (NIST SP 800-38A) and AES-256-GCM (NIST SP 800-38D / the GCM spec's test cases):
// known answers, argument checks and tamper detection.
#include "authenticator/crypto/aes.h"

#include <doctest/doctest.h>

#include <string>

namespace vfido::crypto {
namespace {

Bytes hex(std::string_view s) {
  auto b = from_hex(s);
  REQUIRE(b.has_value());
  return *b;
}

// NIST SP 800-38A Appendix F.2.5/F.2.6 (CBC-AES256).
const char* const kCbcKey = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
const char* const kCbcIv = "000102030405060708090a0b0c0d0e0f";
const char* const kCbcPlain =
    "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
const char* const kCbcCipher =
    "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d"
    "39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b";

// McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 15 and 16 (AES-256).
const char* const kGcmKey = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
const char* const kGcmNonce = "cafebabefacedbaddecaf888";
const char* const kGcmPlain =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
const char* const kGcmCipher =
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
const char* const kGcmAad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
const char* const kGcmTag16 = "76fc6ece0f4e1768cddf8853bb2d551b";

}  // namespace

TEST_CASE("aes256_cbc: NIST SP 800-38A F.2.5 encrypt") {
  auto c = aes256_cbc_encrypt(hex(kCbcKey), hex(kCbcIv), hex(kCbcPlain));
  REQUIRE(c.has_value());
  CHECK(*c == hex(kCbcCipher));
}

TEST_CASE("aes256_cbc: NIST SP 800-38A F.2.6 decrypt") {
  auto p = aes256_cbc_decrypt(hex(kCbcKey), hex(kCbcIv), hex(kCbcCipher));
  REQUIRE(p.has_value());
  CHECK(to_hex(p->expose()) == to_hex(hex(kCbcPlain)));
}

TEST_CASE("aes256_cbc: no padding is added and an empty input stays empty") {
  Bytes block(16, 0x42);
  auto c = aes256_cbc_encrypt(hex(kCbcKey), hex(kCbcIv), block);
  REQUIRE(c.has_value());
  CHECK(c->size() == 16);
  auto e = aes256_cbc_encrypt(hex(kCbcKey), hex(kCbcIv), {});
  REQUIRE(e.has_value());
  CHECK(e->empty());
  auto d = aes256_cbc_decrypt(hex(kCbcKey), hex(kCbcIv), {});
  REQUIRE(d.has_value());
  CHECK(d->empty());
}

TEST_CASE("aes256_cbc: rejects partial blocks, wrong key and IV lengths") {
  Bytes key = hex(kCbcKey);
  Bytes iv = hex(kCbcIv);
  for (std::size_t len : {1u, 15u, 17u, 31u, 33u}) {
    CAPTURE(len);
    Bytes data(len, 0);
    CHECK(aes256_cbc_encrypt(key, iv, data).error() == CtapStatus::kInvalidLength);
    CHECK(aes256_cbc_decrypt(key, iv, data).error() == CtapStatus::kInvalidLength);
  }
  Bytes block(16, 0);
  CHECK(aes256_cbc_encrypt(Bytes(16, 1), iv, block).error() == CtapStatus::kInvalidParameter);
  CHECK(aes256_cbc_encrypt(Bytes(33, 1), iv, block).error() == CtapStatus::kInvalidParameter);
  CHECK(aes256_cbc_encrypt(key, Bytes(12, 0), block).error() == CtapStatus::kInvalidParameter);
  CHECK(aes256_cbc_decrypt(Bytes(31, 1), iv, block).error() == CtapStatus::kInvalidParameter);
  CHECK(aes256_cbc_decrypt(key, Bytes(17, 0), block).error() == CtapStatus::kInvalidParameter);
}

TEST_CASE("aes256_gcm: GCM spec test case 14 (zero key, one zero block)") {
  auto s = aes256_gcm_seal(Bytes(32, 0), Bytes(12, 0), Bytes(16, 0), {});
  REQUIRE(s.has_value());
  CHECK(to_hex(*s) == "cea7403d4d606b6e074ec5d3baf39d18" "d0d1c8a799996bf0265b98b5d48ab919");
}

TEST_CASE("aes256_gcm: GCM spec test case 13 (empty plaintext: tag only)") {
  auto s = aes256_gcm_seal(Bytes(32, 0), Bytes(12, 0), {}, {});
  REQUIRE(s.has_value());
  CHECK(to_hex(*s) == "530f8afbc74536b9a963b4f1c4cb738b");
  auto o = aes256_gcm_open(Bytes(32, 0), Bytes(12, 0), *s, {});
  REQUIRE(o.has_value());
  CHECK(o->empty());
}

TEST_CASE("aes256_gcm: GCM spec test case 16 (with AAD) seals and opens") {
  auto s = aes256_gcm_seal(hex(kGcmKey), hex(kGcmNonce), hex(kGcmPlain), hex(kGcmAad));
  REQUIRE(s.has_value());
  CHECK(to_hex(*s) == to_hex(hex(kGcmCipher)) + kGcmTag16);
  auto o = aes256_gcm_open(hex(kGcmKey), hex(kGcmNonce), *s, hex(kGcmAad));
  REQUIRE(o.has_value());
  CHECK(to_hex(o->expose()) == to_hex(hex(kGcmPlain)));
}

TEST_CASE("aes256_gcm: a flipped bit anywhere fails with kIntegrityFailure") {
  Bytes key = hex(kGcmKey);
  Bytes nonce = hex(kGcmNonce);
  Bytes aad = hex(kGcmAad);
  Bytes plain = to_bytes("a credential id that is wrapped with AES-GCM");
  auto sealed = aes256_gcm_seal(key, nonce, plain, aad);
  REQUIRE(sealed.has_value());
  REQUIRE(sealed->size() == plain.size() + kGcmTagLen);
  auto ok = aes256_gcm_open(key, nonce, *sealed, aad);
  REQUIRE(ok.has_value());
  CHECK(to_hex(ok->expose()) == to_hex(plain));

  SUBCASE("ciphertext") {
    for (std::size_t i = 0; i < plain.size(); ++i) {
      CAPTURE(i);
      Bytes t = *sealed;
      t[i] ^= 0x01;
      CHECK(aes256_gcm_open(key, nonce, t, aad).error() == CtapStatus::kIntegrityFailure);
    }
  }
  SUBCASE("tag") {
    for (std::size_t i = plain.size(); i < sealed->size(); ++i) {
      CAPTURE(i);
      Bytes t = *sealed;
      t[i] ^= 0x80;
      CHECK(aes256_gcm_open(key, nonce, t, aad).error() == CtapStatus::kIntegrityFailure);
    }
  }
  SUBCASE("nonce") {
    for (std::size_t i = 0; i < nonce.size(); ++i) {
      CAPTURE(i);
      Bytes n = nonce;
      n[i] ^= 0x04;
      CHECK(aes256_gcm_open(key, n, *sealed, aad).error() == CtapStatus::kIntegrityFailure);
    }
  }
  SUBCASE("aad") {
    for (std::size_t i = 0; i < aad.size(); ++i) {
      CAPTURE(i);
      Bytes a = aad;
      a[i] ^= 0x10;
      CHECK(aes256_gcm_open(key, nonce, *sealed, a).error() == CtapStatus::kIntegrityFailure);
    }
    CHECK(aes256_gcm_open(key, nonce, *sealed, {}).error() == CtapStatus::kIntegrityFailure);
  }
  SUBCASE("key") {
    Bytes k = key;
    k[31] ^= 0x01;
    CHECK(aes256_gcm_open(k, nonce, *sealed, aad).error() == CtapStatus::kIntegrityFailure);
  }
  SUBCASE("truncated") {
    CHECK(aes256_gcm_open(key, nonce, ByteSpan(*sealed).first(sealed->size() - 1), aad).error() ==
          CtapStatus::kIntegrityFailure);
    CHECK(aes256_gcm_open(key, nonce, ByteSpan(*sealed).first(kGcmTagLen - 1), aad).error() ==
          CtapStatus::kIntegrityFailure);
    CHECK(aes256_gcm_open(key, nonce, {}, aad).error() == CtapStatus::kIntegrityFailure);
  }
}

TEST_CASE("aes256_gcm: wrong key or nonce length is kInvalidParameter") {
  Bytes sealed(32, 0);
  CHECK(aes256_gcm_seal(Bytes(16, 0), Bytes(12, 0), {}, {}).error() == CtapStatus::kInvalidParameter);
  CHECK(aes256_gcm_seal(Bytes(32, 0), Bytes(16, 0), {}, {}).error() == CtapStatus::kInvalidParameter);
  CHECK(aes256_gcm_open(Bytes(31, 0), Bytes(12, 0), sealed, {}).error() == CtapStatus::kInvalidParameter);
  CHECK(aes256_gcm_open(Bytes(32, 0), Bytes(11, 0), sealed, {}).error() == CtapStatus::kInvalidParameter);
}

TEST_CASE("aes256 block: FIPS 197 Appendix C.3 (AES-256), both directions") {
  const Bytes key = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  auto c = aes256_encrypt_block(key, hex("00112233445566778899aabbccddeeff"));
  REQUIRE(c.has_value());
  CHECK(to_hex(*c) == "8ea2b7ca516745bfeafc49904b496089");
  auto p = aes256_decrypt_block(key, *c);
  REQUIRE(p.has_value());
  CHECK(to_hex(*p) == "00112233445566778899aabbccddeeff");
  CHECK(aes256_encrypt_block(Bytes(16, 0), Bytes(16, 0)).error() == CtapStatus::kInvalidParameter);
  CHECK(aes256_encrypt_block(key, Bytes(15, 0)).error() == CtapStatus::kInvalidParameter);
  CHECK(aes256_decrypt_block(key, Bytes(17, 0)).error() == CtapStatus::kInvalidParameter);
}

}  // namespace vfido::crypto
