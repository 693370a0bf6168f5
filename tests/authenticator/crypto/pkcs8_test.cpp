// PKCS #8 DER private keys (RFC 5958), the WebDriver Add Credential key format: round trips for
// every algorithm vfido signs with, and the inputs that must be refused.
#include "authenticator/crypto/pkcs8.h"

#include <doctest/doctest.h>

#include "authenticator/crypto/hash.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/rng.h"
#include "tests/authenticator/crypto/crypto_test_util.h"

namespace vfido::crypto {
namespace {

using test::must;
using test::unhex;

// `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 | openssl pkcs8 -topk8 -nocrypt`
const char* const kP384Pkcs8 =
    "3081b6020100301006072a8648ce3d020106052b8104002204819e30819b02010104303f3edb59918b1ac67596b048d2e8491b6a83be08674906"
    "494f277337db818eb57dee3857dbd28f70ba295fb1d7e6dee9a16403620004ab82ba7fd26d7919cbe783144b782d814fb77825a95c022f5dcf41"
    "a23f1bb718e77ceb998e465b4d6a79eb031b5ae9ebf3d13f7b18215a494d97955a4f34d2155222ab4884c3f4094f1505f15e2f897d699f3fb30b"
    "801555700223b935643c6b";
// `openssl genpkey -algorithm X25519 -outform DER`: a key type that cannot sign.
const char* const kX25519Pkcs8 = "302e020100300506032b656e0422042098769441ea98e31f201f027a6118f35b9d05ca24a00d2b0d8e497da9046ed94e";

Bytes der_of(const PrivateKey& key) {
  auto der = must(private_key_to_pkcs8(key));
  return Bytes(der.expose().begin(), der.expose().end());
}

TEST_CASE("pkcs8: ES256, EdDSA and RS256 keys survive DER and back, and still sign") {
  SeededRng rng(7);
  for (std::int64_t alg : {cose::kAlgEs256, cose::kAlgEdDsa, cose::kAlgRs256}) {
    CAPTURE(alg);
    auto key = must(PrivateKey::generate(alg, rng));
    const Bytes der = der_of(key);
    CHECK(der.front() == 0x30);  // a DER SEQUENCE
    auto back = must(private_key_from_pkcs8(der));
    CHECK(back.cose_alg() == alg);
    CHECK(back.public_bytes() == key.public_bytes());
    CHECK(equal_ct(back.private_bytes().expose(), key.private_bytes().expose()));
    const Bytes msg = to_bytes("signed after the round trip");
    CHECK(verify_signature(key.public_cose(), msg, must(back.sign(msg))));
  }
}

TEST_CASE("pkcs8: trailing, truncated and flipped bytes are refused") {
  SeededRng rng(8);
  const Bytes der = der_of(must(PrivateKey::generate(cose::kAlgEs256, rng)));
  Bytes longer = der;
  longer.push_back(0x00);
  CHECK(private_key_from_pkcs8(longer).error() == CtapStatus::kInvalidParameter);
  CHECK(private_key_from_pkcs8(ByteSpan(der).first(der.size() - 1)).error() == CtapStatus::kInvalidParameter);
  CHECK(private_key_from_pkcs8({}).error() == CtapStatus::kInvalidParameter);
  CHECK(private_key_from_pkcs8(to_bytes("not DER at all")).error() == CtapStatus::kInvalidParameter);
  // The algorithm OID (id-ecPublicKey 1.2.840.10045.2.1, its last byte 0x01 at offset 16)
  // changed to 1.2.840.10045.2.2: not a key type OpenSSL knows.
  CHECK_FALSE(private_key_from_pkcs8(test::flip_bit(der, 16, 1)).has_value());
}

TEST_CASE("pkcs8: an embedded public key that belongs to another key is refused (no_pairwise_match)") {
  SeededRng rng(9);
  const Bytes a = der_of(must(PrivateKey::generate(cose::kAlgEs256, rng)));
  const Bytes b = der_of(must(PrivateKey::generate(cose::kAlgEs256, rng)));
  REQUIRE(a.size() == b.size());
  // OpenSSL writes ECPrivateKey with its public point last (RFC 5915 §3 publicKey [1]): 04||x||y.
  Bytes mixed = a;
  std::copy(b.end() - 65, b.end(), mixed.end() - 65);
  REQUIRE(mixed[mixed.size() - 65] == 0x04);
  CHECK(private_key_from_pkcs8(a).has_value());
  CHECK(private_key_from_pkcs8(mixed).error() == CtapStatus::kInvalidParameter);
}

TEST_CASE("pkcs8: P-384 and X25519 keys are of a type vfido does not sign with") {
  CHECK(private_key_from_pkcs8(unhex(kP384Pkcs8)).error() == CtapStatus::kUnsupportedAlgorithm);
  CHECK(private_key_from_pkcs8(unhex(kX25519Pkcs8)).error() == CtapStatus::kUnsupportedAlgorithm);
}

}  // namespace
}  // namespace vfido::crypto
