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

namespace vfido::crypto {
namespace {

using test::flip_bit;
using test::must;
using test::unhex;

// A 2048-bit key made by `openssl genrsa 2048` and written with `openssl rsa -traditional
// -outform DER` (RSAPrivateKey); its `-RSAPublicKey_out` DER; and `openssl dgst -sha256 -sign`
// of kMessage with it. PKCS #1 v1.5 signatures are deterministic, so ours must be identical.
const char* const kKeyDer =
    "308204a30201000282010100dcb63f582e5b61b5b455a67463e7dcddd3cfaf573a40d27f7ffc2a0db1b0ac9d1acc8f415fcf"
    "c4ef6cbe7a5122a6e54d048c9c22dbfbe066e429253feeda9112621a2eba0db9e391b07961d916122038754675d36ee6a7fc"
    "7f5ebd8e0ccaecfba4cb6cc4ba32d005a0f6d8f06e61c3e87a2cefeca6e805fe6e49d7800740496a5b6a9bbdfe23345d26c9"
    "ac296063d201503728b4782d6dbf685c1e9661ae291b216f904e1306cf738fd6e97cf3aacbb2546c9016cc5206f1e9dd792d"
    "7d8f5a881ca9afda53ea546a65ff517002efcd4eaa465c21cdd6b95ee81150bdcafade42611da2cdc9538ece6328f1185633"
    "bfe69c9a767399e9531bad62b5cadcb219ad020301000102820100366d850278701590eb174214aabc777586b1cd221c1df7"
    "2af50358d586afb4698bbdcd48085a22cd0e4a8cbc6c68aedc46d66bfc96b62ef900a3fae920bc6a91177b3071b647d48c4d"
    "72298490d2487ad3c4dbf297832f02efe00babb790e54f0b2d1536105ace7cccdc82d40bcc7534e3c828247a66766fef7fab"
    "3289d73b231763bdbd1d5576fa7e62220fab395262f2274148a20b01d183bf5299aac2223a1a72ef5ff763dd1f27577ce3cb"
    "1d4ea1365d6a24dfc3a9be1e2cd6042a5349d984919e14ec208485aac9e786d87975036520dec233d49547ad3f5dab35d662"
    "62a7ccc684c9c9781e6e56a42fa133beb5bc6056303798b03bbc8a7de5b3dabf8b02818100fa15733e5e6239e996c96180c1"
    "2c11677daf24973d50a1a093d909dbb48c92b5527da91fd5ac4c04b2753cf3a301f62d1c821fe499c41eaaa7006bb71bbeef"
    "5dda936ca5754f979d5af5de6276c96366e5701e7fcab6ee5792c149c6d8ae16869fa20051f6f41ecf032c5f87a459505608"
    "4ddbafd762970c848942fc03eec17f02818100e1eeea88c74a1bf22cbaa8ccb382557238b265b4f7128f964b93ab0128bc19"
    "a1185af7241f1e1344d975786f0d5661e5297dc869bbff977b3de800c43d1f09ca818643fd6f0b20f070db24ce85066ec546"
    "59703386a7eddf6e7b5bf2155e51d1a8e46b806b217af9f1455e904cee122dff3a0e043980bde7e1316ae2862a62d3028180"
    "7fa188e250bb22c143325daf9f66c52f2326caaee11d108fea44bf5240afe983dea8c132bd1324ecd4c31eab5d0af83f87a8"
    "256cbec927b98267a5919af874235b151842cd3f24aaab2c86258c683571e330b87011de107fe32700671a58a6a86839fe9d"
    "d6423aa2fe049c709680fa8e1dc8d690c484cd8016f8129699cf3533028181009ac2077ed75ba916d292ad2b424ea56eceed"
    "4c039035f38ad48bfad7996a76f7c4f2125578c72615c40ad60ae38ce7138cbf2ef756223645e1dab823b3663e53ab332801"
    "41fdd27b4022abec966c189622a102dd188090ccba25df8e4c1ac65aa1a08d0e72d385240da321aa2037f6d5f0fc783b6694"
    "0c00f85cdc44fbf7aea70281806b946d3776d477f5d5b4c5143b92e2565acae44b8357d1825b042cf3d626070bc97e65d460"
    "f4dca621aad217b33ab78d82553843478a403fc61954f9c4a2936fc47d95c49a52a20cafdabc5be3057a547a2e3fd1ec225c"
    "756c3ac4288f8297fbd614ac8dcbba678fbd3d1c30928d42fcb7d9cd4a0fd4a2568bdf677e9b753335";
const char* const kPublicDer =
    "3082010a0282010100dcb63f582e5b61b5b455a67463e7dcddd3cfaf573a40d27f7ffc2a0db1b0ac9d1acc8f415fcfc4ef6c"
    "be7a5122a6e54d048c9c22dbfbe066e429253feeda9112621a2eba0db9e391b07961d916122038754675d36ee6a7fc7f5ebd"
    "8e0ccaecfba4cb6cc4ba32d005a0f6d8f06e61c3e87a2cefeca6e805fe6e49d7800740496a5b6a9bbdfe23345d26c9ac2960"
    "63d201503728b4782d6dbf685c1e9661ae291b216f904e1306cf738fd6e97cf3aacbb2546c9016cc5206f1e9dd792d7d8f5a"
    "881ca9afda53ea546a65ff517002efcd4eaa465c21cdd6b95ee81150bdcafade42611da2cdc9538ece6328f1185633bfe69c"
    "9a767399e9531bad62b5cadcb219ad0203010001";
const char* const kSignature =
    "a4dca03a25d2e72bf79acf44ae7c0f083fcff15cf7b5d38096da1f5f62c8112ccd1571cddc23ff0abe8f6b63d9ca410d60a0"
    "6755cc81a3644a95c981ebfabb753b572bdc7063213b3029c7523abf036af2c8bea3863472a9b5561f2f7382c20824d4dff8"
    "7c1ed5d8ab1f70ce7318b6c918e4552b73279cc852fecf14d638b9dcc1f7c6fc120a63ade99641bd4739ecdc13964272f720"
    "340e4c9ee66a389f6111f4750d8e8904a2bb247bf7a01b7aae61bd3e4c58c52cf756ede4cd4607080261cd5822eb6ee3f54f"
    "351b6be7dbe317e4c6cae4edd3e2d57e1649fd7accaed3658ee2c4716e0e6b6ee413ee8a3f5c531c07c2ef14bbcd4a7138c7"
    "fb0ea8b75879";
constexpr std::string_view kMessage = "authenticatorData || clientDataHash";

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
