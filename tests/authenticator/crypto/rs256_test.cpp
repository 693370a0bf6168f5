// RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017 §8.2; COSE -257, RFC 8812 §2) keys: PKCS #1
// import and export, the RFC 8230 COSE_Key, signatures checked against the openssl CLI.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <string>

#include "authenticator/cbor/codec.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/rng.h"
#include "tests/authenticator/crypto/crypto_test_util.h"
#include "tests/authenticator/crypto/rsa_test_vector.h"

namespace vfido::crypto {
namespace {

using test::flip_bit;
using test::must;
using test::unhex;

using test::rsa_vector::kKeyDer;
using test::rsa_vector::kMessage;
using test::rsa_vector::kPublicDer;
using test::rsa_vector::kSignature;

// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }: in kPublicDer the
// modulus's 256 bytes follow the 9-byte prefix 30 82 01 0a 02 82 01 01 00.
Bytes modulus_of_vector() {
  Bytes pub = unhex(kPublicDer);
  return Bytes(pub.begin() + 9, pub.begin() + 9 + 256);
}

PrivateKey vector_key() { return must(PrivateKey::from_bytes(cose::kAlgRs256, unhex(kKeyDer), {})); }

// A key of another size or type in the encoding from_bytes expects, made with OpenSSL directly.
SecretBytes openssl_private_der(const char* type, std::size_t rsa_bits, bool pkcs8) {
  EVP_PKEY* raw = rsa_bits != 0 ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, rsa_bits)
                                : EVP_PKEY_Q_keygen(nullptr, nullptr, type, "P-256");
  REQUIRE(raw != nullptr);
  unsigned char* buf = nullptr;
  int len = 0;
  if (pkcs8) {
    PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(raw);
    REQUIRE(p8 != nullptr);
    len = i2d_PKCS8_PRIV_KEY_INFO(p8, &buf);
    PKCS8_PRIV_KEY_INFO_free(p8);
  } else {
    len = i2d_PrivateKey(raw, &buf);
  }
  EVP_PKEY_free(raw);
  REQUIRE(len > 0);
  SecretBytes out(ByteSpan(buf, static_cast<std::size_t>(len)));
  OPENSSL_free(buf);
  return out;
}

cbor::Value rsa_cose(Bytes n, Bytes e) {
  return cbor::Value::map({
      {cbor::Value::integer(1), cbor::Value::integer(3)},
      {cbor::Value::integer(3), cbor::Value::integer(-257)},
      {cbor::Value::integer(-1), cbor::Value::bytes(std::move(n))},
      {cbor::Value::integer(-2), cbor::Value::bytes(std::move(e))},
  });
}

}  // namespace

TEST_CASE("rs256: supported") { CHECK(PrivateKey::supports(cose::kAlgRs256)); }

TEST_CASE("rs256: the openssl CLI key signs exactly as `openssl dgst -sha256 -sign`") {
  PrivateKey k = vector_key();
  CHECK(k.cose_alg() == cose::kAlgRs256);
  CHECK(to_hex(k.private_bytes().expose()) == kKeyDer);
  CHECK(to_hex(k.public_bytes()) == kPublicDer);
  auto sig = must(k.sign(as_span(kMessage)));
  CHECK(to_hex(sig) == kSignature);
  CHECK(verify_signature(k.public_cose(), as_span(kMessage), sig));
}

TEST_CASE("rs256: public_cose is {1: 3, 3: -257, -1: n, -2: e} (RFC 8230 §4)") {
  PrivateKey k = vector_key();
  CHECK(k.public_cose() == rsa_cose(modulus_of_vector(), unhex("010001")));
  // Canonical CBOR: a4, 01 03, 03 39 0100, 20 59 0100 <n>, 21 43 010001.
  Bytes encoded = must(cbor::encode(k.public_cose()));
  CHECK(to_hex(encoded) == "a401030339010020590100" + to_hex(modulus_of_vector()) + "2143010001");
}

TEST_CASE("rs256: a flipped bit in the message, signature or key fails verification") {
  PrivateKey k = vector_key();
  Bytes msg = to_bytes(kMessage);
  Bytes sig = unhex(kSignature);
  REQUIRE(verify_signature(k.public_cose(), msg, sig));
  for (std::size_t i : {std::size_t{0}, std::size_t{17}, msg.size() - 1}) {
    CAPTURE(i);
    CHECK_FALSE(verify_signature(k.public_cose(), flip_bit(msg, i), sig));
  }
  for (std::size_t i : {std::size_t{0}, std::size_t{128}, sig.size() - 1}) {
    CAPTURE(i);
    CHECK_FALSE(verify_signature(k.public_cose(), msg, flip_bit(sig, i, 7)));
  }
  CHECK_FALSE(verify_signature(rsa_cose(flip_bit(modulus_of_vector(), 255, 1), unhex("010001")), msg, sig));
  CHECK_FALSE(verify_signature(rsa_cose(modulus_of_vector(), unhex("010003")), msg, sig));
}

TEST_CASE("rs256: verify_signature rejects malformed RSA COSE keys and signatures") {
  Bytes msg = to_bytes(kMessage);
  Bytes sig = unhex(kSignature);
  Bytes n = modulus_of_vector();
  Bytes e = unhex("010001");
  REQUIRE(verify_signature(rsa_cose(n, e), msg, sig));
  SUBCASE("n with a leading zero byte (RFC 8230 §4: minimum octets)") {
    Bytes padded = n;
    padded.insert(padded.begin(), 0x00);
    CHECK_FALSE(verify_signature(rsa_cose(padded, e), msg, sig));
  }
  SUBCASE("e with a leading zero byte") { CHECK_FALSE(verify_signature(rsa_cose(n, unhex("00010001")), msg, sig)); }
  SUBCASE("even, one and oversized exponents") {
    CHECK_FALSE(verify_signature(rsa_cose(n, unhex("010000")), msg, sig));
    CHECK_FALSE(verify_signature(rsa_cose(n, unhex("01")), msg, sig));
    CHECK_FALSE(verify_signature(rsa_cose(n, unhex("010000000000000001")), msg, sig));
  }
  SUBCASE("a 1024-bit modulus is too small") {
    Bytes small(n.begin(), n.begin() + 128);
    CHECK_FALSE(verify_signature(rsa_cose(small, e), msg, Bytes(sig.begin(), sig.begin() + 128)));
  }
  SUBCASE("a signature shorter or longer than the modulus") {
    Bytes longer = sig;
    longer.insert(longer.begin(), 0x00);
    CHECK_FALSE(verify_signature(rsa_cose(n, e), msg, longer));
    CHECK_FALSE(verify_signature(rsa_cose(n, e), msg, Bytes(sig.begin() + 1, sig.end())));
    CHECK_FALSE(verify_signature(rsa_cose(n, e), msg, {}));
  }
  SUBCASE("missing or mistyped parameters") {
    cbor::Value no_e = rsa_cose(n, e);
    no_e.as_map().pop_back();
    CHECK_FALSE(verify_signature(no_e, msg, sig));
    cbor::Value text_n = rsa_cose(n, e);
    text_n.as_map()[2].second = cbor::Value::text("n");
    CHECK_FALSE(verify_signature(text_n, msg, sig));
  }
  SUBCASE("RSA kty with another alg, or alg -257 with another kty") {
    cbor::Value wrong_alg = rsa_cose(n, e);
    wrong_alg.as_map()[1].second = cbor::Value::integer(cose::kAlgEs256);
    CHECK_FALSE(verify_signature(wrong_alg, msg, sig));
    cbor::Value wrong_kty = rsa_cose(n, e);
    wrong_kty.as_map()[0].second = cbor::Value::integer(cose::kKtyEc2);
    CHECK_FALSE(verify_signature(wrong_kty, msg, sig));
  }
}

TEST_CASE("rs256: from_bytes checks the stored public key and the encoding") {
  Bytes der = unhex(kKeyDer);
  SUBCASE("the matching public key is accepted") {
    PrivateKey k = must(PrivateKey::from_bytes(cose::kAlgRs256, der, unhex(kPublicDer)));
    CHECK(to_hex(k.public_bytes()) == kPublicDer);
  }
  SUBCASE("another public key is kInvalidParameter") {
    CHECK(PrivateKey::from_bytes(cose::kAlgRs256, der, flip_bit(unhex(kPublicDer), 100)).error() ==
          CtapStatus::kInvalidParameter);
  }
  SUBCASE("truncated, extended, empty or corrupt DER is kInvalidParameter") {
    CHECK(PrivateKey::from_bytes(cose::kAlgRs256, Bytes(der.begin(), der.end() - 1), {}).error() ==
          CtapStatus::kInvalidParameter);
    Bytes longer = der;
    longer.push_back(0x00);
    CHECK(PrivateKey::from_bytes(cose::kAlgRs256, longer, {}).error() == CtapStatus::kInvalidParameter);
    CHECK(PrivateKey::from_bytes(cose::kAlgRs256, {}, {}).error() == CtapStatus::kInvalidParameter);
    CHECK(PrivateKey::from_bytes(cose::kAlgRs256, flip_bit(der, 0, 5), {}).error() == CtapStatus::kInvalidParameter);
    CHECK(PrivateKey::from_bytes(cose::kAlgRs256, Bytes(32, 1), {}).error() == CtapStatus::kInvalidParameter);
  }
  SUBCASE("multi-prime version 1 is refused") {
    Bytes v1 = der;
    REQUIRE(to_hex(Bytes(v1.begin() + 4, v1.begin() + 7)) == "020100");
    v1[6] = 0x01;
    CHECK(PrivateKey::from_bytes(cose::kAlgRs256, v1, {}).error() == CtapStatus::kInvalidParameter);
  }
  SUBCASE("a BER length (long form where the short one fits) is refused") {
    // The version INTEGER 02 01 00 rewritten as 02 81 01 00, and the SEQUENCE length adjusted.
    Bytes ber(der.begin(), der.begin() + 4);
    ber[3] = static_cast<std::uint8_t>(ber[3] + 1);
    for (std::uint8_t b : unhex("02810100")) ber.push_back(b);
    ber.insert(ber.end(), der.begin() + 7, der.end());
    CHECK(PrivateKey::from_bytes(cose::kAlgRs256, ber, {}).error() == CtapStatus::kInvalidParameter);
  }
  SUBCASE("PKCS #8 is refused, so that private_bytes() has one form") {
    SecretBytes p8 = openssl_private_der("RSA", 2048, true);
    CHECK(PrivateKey::from_bytes(cose::kAlgRs256, p8.expose(), {}).error() == CtapStatus::kInvalidParameter);
  }
  SUBCASE("a 1024-bit key is refused") {
    SecretBytes small = openssl_private_der("RSA", 1024, false);
    CHECK(PrivateKey::from_bytes(cose::kAlgRs256, small.expose(), {}).error() == CtapStatus::kInvalidParameter);
  }
  SUBCASE("an EC key is refused") {
    SecretBytes ec = openssl_private_der("EC", 0, false);
    CHECK(PrivateKey::from_bytes(cose::kAlgRs256, ec.expose(), {}).error() == CtapStatus::kInvalidParameter);
  }
}

TEST_CASE("rs256: generate makes a 2048-bit key that round-trips and does not use the Rng") {
  SeededRng rng(7);
  PrivateKey k = must(PrivateKey::generate(cose::kAlgRs256, rng));
  // The Rng was not drawn from: its next bytes are those of a fresh generator.
  SeededRng fresh(7);
  CHECK(rng.bytes(16) == fresh.bytes(16));

  CHECK(k.cose_alg() == cose::kAlgRs256);
  const cbor::Value cose_key = k.public_cose();
  REQUIRE(cose_key.find(-1) != nullptr);
  const Bytes& n = cose_key.find(-1)->as_bytes();
  CHECK(n.size() == 256);
  CHECK((n[0] & 0x80) != 0);  // exactly 2048 bits
  CHECK(cose_key.find(-2)->as_bytes() == unhex("010001"));

  Bytes msg = to_bytes(kMessage);
  auto sig = must(k.sign(msg));
  CHECK(sig.size() == 256);
  CHECK(verify_signature(cose_key, msg, sig));
  CHECK_FALSE(verify_signature(cose_key, flip_bit(msg, 3), sig));

  // private_bytes() is the DER RSAPrivateKey: from_bytes rebuilds the same key.
  PrivateKey again = must(PrivateKey::from_bytes(cose::kAlgRs256, k.private_bytes().expose(), k.public_bytes()));
  CHECK(again.public_cose() == cose_key);
  CHECK(must(again.sign(msg)) == sig);  // PKCS #1 v1.5 is deterministic

  // OpenSSL's generator, not the Rng: a second key differs.
  SeededRng same(7);
  PrivateKey other = must(PrivateKey::generate(cose::kAlgRs256, same));
  CHECK(other.public_bytes() != k.public_bytes());
}

}  // namespace vfido::crypto
