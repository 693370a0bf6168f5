// Known-answer tests for SHA-256, HMAC-SHA-256 and HKDF-SHA-256, plus equal_ct and SecretBytes.
#include "authenticator/crypto/hash.h"

#include <doctest/doctest.h>

#include <string>

#include "authenticator/crypto/secret.h"

namespace vfido::crypto {
namespace {

Bytes hex(std::string_view s) {
  auto b = from_hex(s);
  REQUIRE(b.has_value());
  return *b;
}

std::string hex_of(ByteSpan b) { return to_hex(b); }

}  // namespace

TEST_CASE("sha256: FIPS 180-2 example \"abc\"") {
  CHECK(hex_of(sha256(as_span("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("sha256: empty input") {
  CHECK(hex_of(sha256({})) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("hmac_sha256: RFC 4231 test case 1") {
  Bytes key(20, 0x0b);
  CHECK(hex_of(hmac_sha256(key, as_span("Hi There"))) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST_CASE("hmac_sha256: RFC 4231 test case 2") {
  CHECK(hex_of(hmac_sha256(as_span("Jefe"), as_span("what do ya want for nothing?"))) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("hmac_sha256: RFC 4231 test case 6 (key longer than a block)") {
  Bytes key(131, 0xaa);
  CHECK(hex_of(hmac_sha256(key, as_span("Test Using Larger Than Block-Size Key - Hash Key First"))) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("hmac_sha256: an empty key equals a key of 32 zero bytes") {
  // RFC 2104 §2: the key is zero-padded to the block size.
  Bytes zeros(32, 0);
  CHECK(hmac_sha256({}, as_span("msg")) == hmac_sha256(zeros, as_span("msg")));
  CHECK(hmac_sha256({}, as_span("msg")) != hmac_sha256(as_span("k"), as_span("msg")));
}

TEST_CASE("hkdf_sha256: RFC 5869 test case 1") {
  Bytes ikm(22, 0x0b);
  SecretBytes okm = hkdf_sha256(hex("000102030405060708090a0b0c"), ikm, hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  CHECK(hex_of(okm.expose()) ==
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST_CASE("hkdf_sha256: RFC 5869 test case 2 (long inputs)") {
  Bytes ikm(80), salt(80), info(80);
  for (std::size_t i = 0; i < 80; ++i) {
    ikm[i] = static_cast<std::uint8_t>(i);
    salt[i] = static_cast<std::uint8_t>(0x60 + i);
    info[i] = static_cast<std::uint8_t>(0xb0 + i);
  }
  SecretBytes okm = hkdf_sha256(salt, ikm, info, 82);
  CHECK(hex_of(okm.expose()) ==
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f0"
        "9b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

TEST_CASE("hkdf_sha256: RFC 5869 test case 3 (empty salt and info)") {
  Bytes ikm(22, 0x0b);
  SecretBytes okm = hkdf_sha256({}, ikm, {}, 42);
  CHECK(hex_of(okm.expose()) ==
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST_CASE("hkdf_sha256: an empty salt equals 32 zero bytes and lengths are honoured") {
  // RFC 5869 §2.2: "if not provided, [salt] is set to a string of HashLen zeros".
  Bytes zeros(32, 0);
  SecretBytes a = hkdf_sha256({}, as_span("ikm"), as_span("CTAP2 HMAC key"), 32);
  SecretBytes b = hkdf_sha256(zeros, as_span("ikm"), as_span("CTAP2 HMAC key"), 32);
  CHECK(equal_ct(a.expose(), b.expose()));
  SecretBytes c = hkdf_sha256(zeros, as_span("ikm"), as_span("CTAP2 AES key"), 32);
  CHECK_FALSE(equal_ct(a.expose(), c.expose()));
  CHECK(hkdf_sha256(zeros, as_span("ikm"), {}, 255 * 32).size() == 255 * 32);
  CHECK(hkdf_sha256(zeros, as_span("ikm"), {}, 1).size() == 1);
  CHECK(hkdf_sha256(zeros, as_span("ikm"), {}, 0).empty());
}

TEST_CASE("equal_ct: compares content and length") {
  CHECK(equal_ct(as_span("abc"), as_span("abc")));
  CHECK_FALSE(equal_ct(as_span("abc"), as_span("abd")));
  CHECK_FALSE(equal_ct(as_span("abc"), as_span("ab")));
  CHECK_FALSE(equal_ct(as_span(""), as_span("a")));
  CHECK(equal_ct({}, {}));
}

TEST_CASE("secret: cleanse zeroes memory") {
  ByteArray<8> buf{1, 2, 3, 4, 5, 6, 7, 8};
  cleanse(buf.data(), buf.size());
  CHECK(buf == ByteArray<8>{});
  cleanse(nullptr, 0);  // a no-op, not a crash
}

TEST_CASE("secret: SecretBytes moves, clones and empties the source") {
  SecretBytes a(as_span("key material"));
  CHECK(a.size() == 12);
  SecretBytes copy = a.clone();
  CHECK(equal_ct(copy.expose(), a.expose()));
  SecretBytes b(std::move(a));
  CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  CHECK(equal_ct(b.expose(), as_span("key material")));
  SecretBytes c(4);
  CHECK(equal_ct(c.expose(), Bytes(4, 0)));
  c = std::move(b);
  CHECK(b.empty());  // NOLINT(bugprone-use-after-move)
  CHECK(equal_ct(c.expose(), as_span("key material")));
  c.expose_mut()[0] = 'K';
  CHECK(equal_ct(c.expose(), as_span("Key material")));
}

TEST_CASE("secret: Secret<N> moves and wipes the source") {
  ByteArray<4> raw{9, 8, 7, 6};
  Secret<4> s{std::span<const std::uint8_t, 4>(raw)};
  Secret<4> t(std::move(s));
  CHECK(std::equal(t.expose().begin(), t.expose().end(), raw.begin()));
  ByteArray<4> zero{};
  CHECK(std::equal(s.expose().begin(), s.expose().end(), zero.begin()));  // NOLINT(bugprone-use-after-move)
}

}  // namespace vfido::crypto
