// The post-handshake crypter (hybrid-protocol.md §8.1): the Chromium-derived vector, padding,
// and the failures a replayed, reordered, dropped or tampered message must cause.
#include <doctest/doctest.h>

#include "authenticator/env/rng.h"
#include "tests/transports/hybrid/hybrid_test_util.h"
#include "transports/hybrid/crypter.h"

namespace vfido::cable {
namespace {

using test::hex;

// §8.1 [R, V]: webauthn-rs noise.rs test "construction" (keys from a patched Chromium).
constexpr std::string_view kWriteKey = "1fba3cce17622c68268d9f75b5a8a3351b517f096fb5e294941af7e3a6a8d6e1";
constexpr std::string_view kReadKey = "e34f1aa3747238c04d3bd25e07ef1b35fef359000d755615cd85be27cfc807d1";
constexpr std::string_view kPlain =
    "0101a60158203889285c8c6323950ced074984f9f9463bc1739bb621a9e5f1ee8dd9393ba28002a26269647818776562617574686e2e666972"
    "7374796561722e69642e6175646e616d657818776562617574686e2e6669727374796561722e69642e617503a362696450d6d7aa298fe84a06"
    "aaded7e49d900a62646e616d6561616b646973706c61794e616d6561610482a263616c672664747970656a7075626c69632d6b6579a263616c"
    "6739010064747970656a7075626c69632d6b65790581a2626964440001020364747970656a7075626c69632d6b657907a1627576f5";
constexpr std::string_view kSealed =
    "5062cf34571e0827a7c0207f7c00184567d613eab0da080ad042d80664c59df7b01a13db17fd277575ccff53b6a34fdb4fbcf832f3d360f8e5"
    "a7daee7f265a9253a904d6ebff2f9370d35536d8bf054830aaadffb996b420b2b3170ac80a83796823ed3c284b177c23400ca0124d6a68263d"
    "39783cfef0273fdf3bfcfa0a6c33df319b126f6e8290d22c4cd32a7a978856ba2273d1be1c0a291e5ee197416aa0f7a104e4d0ac582b708482"
    "326d5ff0f1768c1416d016b1f89242e70e80312fe6b6d4029a40ada374b31e7d66fac3ba7283944b9b60da4b98f67804095fd39cd1d45d75c9"
    "3d2d86cbfc21616f9f1a576ccf8c862ee185125fc1ed7ed2486e2c5fbfc39c919597dd86c338e7df553d51e8";

Crypter pair_side(std::string_view read, std::string_view write) {
  return Crypter(CipherState(hex(read)), CipherState(hex(write)));
}

TEST_CASE("crypter: webauthn-rs' construction vector") {
  const Bytes plain = hex(kPlain);
  REQUIRE(plain.size() == 224);
  const Bytes padded = pad_message(plain);
  CHECK(padded.size() == 256);
  CHECK(padded.back() == 0x1f);
  Crypter desktop = pair_side(kReadKey, kWriteKey);
  auto sealed = desktop.encrypt(plain);
  REQUIRE(sealed.has_value());
  CHECK(sealed->size() == 272);
  CHECK(to_hex(*sealed) == kSealed);
  // The peer, whose read key is our write key, opens it.
  Crypter phone = pair_side(kWriteKey, kReadKey);
  auto opened = phone.decrypt(*sealed);
  REQUIRE(opened.has_value());
  CHECK(to_hex(opened->expose()) == kPlain);
}

TEST_CASE("crypter: padding to multiples of 32") {
  for (std::size_t n = 1; n <= 100; ++n) {
    CAPTURE(n);
    const Bytes p(n, 0xab);
    const Bytes padded = pad_message(p);
    CHECK(padded.size() % 32 == 0);
    CHECK(padded.size() >= n + 1);
    CHECK(padded.size() < n + 1 + 32);
    auto back = unpad_message(padded);
    REQUIRE(back.has_value());
    CHECK(Bytes(back->expose().begin(), back->expose().end()) == p);
  }
  CHECK(unpad_message({}).error() == CableError::kBadMessage);
  CHECK(unpad_message(hex("00")).error() == CableError::kBadMessage);  // nothing left
  CHECK(unpad_message(hex("0102")).error() == CableError::kBadMessage);  // claims 3 bytes of 2
  CHECK(to_hex(unpad_message(hex("aa0000000003"))->expose()) == "aa00");
  CHECK(to_hex(unpad_message(hex("aa00000003"))->expose()) == "aa");
}

TEST_CASE("crypter: round trip in both directions, many messages") {
  Crypter a = pair_side(kReadKey, kWriteKey);
  Crypter b = pair_side(kWriteKey, kReadKey);
  SeededRng rng(4);
  for (int i = 0; i < 50; ++i) {
    const Bytes m = rng.bytes(static_cast<std::size_t>(1 + i * 13));
    Crypter& from = i % 3 == 0 ? b : a;
    Crypter& to = i % 3 == 0 ? a : b;
    auto c = from.encrypt(m);
    REQUIRE(c.has_value());
    auto p = to.decrypt(*c);
    REQUIRE(p.has_value());
    CHECK(Bytes(p->expose().begin(), p->expose().end()) == m);
  }
  CHECK(a.write_count() + b.write_count() == 50);
}

TEST_CASE("crypter: replayed, reordered, dropped and tampered messages fail") {
  Crypter a = pair_side(kReadKey, kWriteKey);
  Crypter b = pair_side(kWriteKey, kReadKey);
  const Bytes m0 = *a.encrypt(hex("0101"));
  const Bytes m1 = *a.encrypt(hex("0102"));
  const Bytes m2 = *a.encrypt(hex("0103"));
  SUBCASE("replay") {
    REQUIRE(b.decrypt(m0).has_value());
    CHECK(b.decrypt(m0).error() == CableError::kDecryptFailed);
    // The failed attempt did not move the counter: the real next message still opens.
    CHECK(b.decrypt(m1).has_value());
  }
  SUBCASE("reorder") {
    CHECK(b.decrypt(m1).error() == CableError::kDecryptFailed);
    CHECK(b.decrypt(m0).has_value());
    CHECK(b.decrypt(m2).error() == CableError::kDecryptFailed);  // m1 skipped
  }
  SUBCASE("a flipped bit anywhere") {
    for (std::size_t bit = 0; bit < m0.size() * 8; ++bit) {
      CAPTURE(bit);
      Bytes t = m0;
      t[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
      CHECK(b.decrypt(t).error() == CableError::kDecryptFailed);
    }
    CHECK(b.decrypt(m0).has_value());
  }
  SUBCASE("truncated and empty") {
    CHECK(b.decrypt(ByteSpan(m0).first(m0.size() - 1)).error() == CableError::kDecryptFailed);
    CHECK(b.decrypt({}).error() == CableError::kDecryptFailed);
  }
  SUBCASE("a message reflected back to its sender") {
    CHECK(a.decrypt(m0).error() == CableError::kDecryptFailed);
  }
}

TEST_CASE("crypter: empty plaintexts are refused both ways") {
  Crypter a = pair_side(kReadKey, kWriteKey);
  CHECK(a.encrypt({}).error() == CableError::kBadMessage);
  // A peer that encrypts an empty message anyway (31 zeros and 0x1f after padding).
  CipherState raw(hex(kWriteKey));
  Crypter b = pair_side(kWriteKey, kReadKey);
  auto c = raw.encrypt_with_ad({}, pad_message({}));
  REQUIRE(c.has_value());
  CHECK(b.decrypt(*c).error() == CableError::kBadMessage);
}

}  // namespace
}  // namespace vfido::cable
