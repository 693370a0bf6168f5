// RFC 5280 §6 path validation (verify_chain): the generated chain validates, and each kind of
// broken chain fails with its own error.
#include <doctest/doctest.h>

#include <vector>

#include "authenticator/crypto/x509.h"
#include "authenticator/env/rng.h"
#include "tests/authenticator/crypto/crypto_test_util.h"
#include "tests/authenticator/crypto/test_pki.h"

namespace vfido::crypto {
namespace {

using test::flip_bit;
using test::kDay;
using test::kTestNow;
using test::make_test_pki;
using test::must;

X509Error chain_failure(const Certificate& leaf, const std::vector<Certificate>& intermediates,
                        const std::vector<Certificate>& anchors, std::int64_t at = kTestNow,
                        PathValidation mode = PathValidation::kStrict) {
  auto r = verify_chain(leaf, intermediates, anchors, at, mode);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

// The certificate with one bit of its signature value (the last DER byte) inverted.
Certificate with_bad_signature(const Certificate& c) {
  Bytes der = c.der();
  return must(Certificate::from_der(flip_bit(der, der.size() - 1)));
}

}  // namespace

TEST_CASE("verify_chain: leaf -> intermediate -> root validates (strict and lenient)") {
  auto pki = make_test_pki();
  for (PathValidation mode : {PathValidation::kStrict, PathValidation::kLenient}) {
    CAPTURE(static_cast<int>(mode));
    CHECK(verify_chain(pki.leaf, std::vector{pki.intermediate}, std::vector{pki.root}, kTestNow, mode).has_value());
  }
  // The first and the last but one second of the validity (OpenSSL counts the notAfter second
  // itself as expired, where RFC 5280 §4.1.2.5 includes it).
  CHECK(verify_chain(pki.leaf, std::vector{pki.intermediate}, std::vector{pki.root}, pki.leaf.not_before()).has_value());
  CHECK(verify_chain(pki.leaf, std::vector{pki.intermediate}, std::vector{pki.root}, pki.leaf.not_after() - 1).has_value());
  // The root itself, and the intermediate through the root.
  CHECK(verify_chain(pki.root, {}, std::vector{pki.root}, kTestNow).has_value());
  CHECK(verify_chain(pki.intermediate, {}, std::vector{pki.root}, kTestNow).has_value());
}

TEST_CASE("verify_chain: an intermediate may be the trust anchor") {
  auto pki = make_test_pki();
  CHECK(verify_chain(pki.leaf, {}, std::vector{pki.intermediate}, kTestNow).has_value());
}

TEST_CASE("verify_chain: another root is kUntrusted") {
  auto pki = make_test_pki();
  auto other = make_test_pki(2);  // same names, other keys
  CHECK(chain_failure(pki.leaf, {pki.intermediate}, {other.root}) == X509Error::kUntrusted);
  CHECK(chain_failure(pki.leaf, {pki.intermediate}, {}) == X509Error::kUntrusted);
  CHECK(chain_failure(pki.leaf, {}, {pki.root}) == X509Error::kUntrusted);  // intermediate missing
  // The other PKI's intermediate has the right name but another key (and key identifier), so it
  // is not taken for the leaf's issuer.
  CHECK(chain_failure(pki.leaf, {other.intermediate}, {pki.root}) == X509Error::kUntrusted);
}

TEST_CASE("verify_chain: expired and not yet valid") {
  auto pki = make_test_pki();
  CHECK(chain_failure(pki.leaf, {pki.intermediate}, {pki.root}, pki.leaf.not_after() + 1) == X509Error::kExpired);
  CHECK(chain_failure(pki.leaf, {pki.intermediate}, {pki.root}, pki.leaf.not_before() - 1) == X509Error::kNotYetValid);
  // A leaf that expired yesterday under CAs that are still valid.
  SeededRng rng(21);
  AttestationCertificateSpec spec = test::test_leaf_spec();
  spec.validity = {kTestNow - 30 * kDay, kTestNow - kDay};
  Certificate expired = must(make_attestation_certificate(spec, pki.leaf_key, pki.intermediate, pki.intermediate_key, rng));
  CHECK(chain_failure(expired, {pki.intermediate}, {pki.root}) == X509Error::kExpired);
}

TEST_CASE("verify_chain: a tampered certificate is kBadSignature") {
  auto pki = make_test_pki();
  CHECK(chain_failure(with_bad_signature(pki.leaf), {pki.intermediate}, {pki.root}) == X509Error::kBadSignature);
  CHECK(chain_failure(pki.leaf, {with_bad_signature(pki.intermediate)}, {pki.root}) == X509Error::kBadSignature);
  // A changed byte inside the signed part (the AAGUID) breaks the signature too.
  Bytes der = pki.leaf.der();
  Bytes aaguid(test::kTestAaguid.begin(), test::kTestAaguid.end());
  auto at = std::search(der.begin(), der.end(), aaguid.begin(), aaguid.end());
  REQUIRE(at != der.end());
  Certificate edited = must(Certificate::from_der(flip_bit(der, static_cast<std::size_t>(at - der.begin()))));
  CHECK(must(edited.fido_extensions()).aaguid != test::kTestAaguid);
  CHECK(chain_failure(edited, {pki.intermediate}, {pki.root}) == X509Error::kBadSignature);
}

TEST_CASE("verify_chain: an end entity cannot issue certificates") {
  auto pki = make_test_pki();
  SeededRng rng(22);
  auto key = must(PrivateKey::generate(cose::kAlgEs256, rng));
  AttestationCertificateSpec spec = test::test_leaf_spec();
  spec.common_name = "issued by a leaf";
  Certificate below_leaf = must(make_attestation_certificate(spec, key, pki.leaf, pki.leaf_key, rng));
  CHECK(chain_failure(below_leaf, {pki.leaf, pki.intermediate}, {pki.root}) == X509Error::kNotCa);
}

TEST_CASE("verify_chain: pathLenConstraint 0 on the root forbids an intermediate") {
  SeededRng rng(23);
  auto root_key = must(PrivateKey::generate(cose::kAlgEs256, rng));
  auto ca_key = must(PrivateKey::generate(cose::kAlgEs256, rng));
  auto leaf_key = must(PrivateKey::generate(cose::kAlgEs256, rng));
  auto root = must(make_root_ca(test::test_root_name(), test::test_validity(), root_key, rng, 0));
  auto ca = must(make_intermediate_ca(test::test_intermediate_name(), test::test_validity(), ca_key, root, root_key, rng));
  auto leaf = must(make_attestation_certificate(test::test_leaf_spec(), leaf_key, ca, ca_key, rng));
  CHECK(chain_failure(leaf, {ca}, {root}) == X509Error::kPathLength);
  // Directly under the root it is fine.
  auto direct = must(make_attestation_certificate(test::test_leaf_spec(), leaf_key, root, root_key, rng));
  CHECK(verify_chain(direct, {}, std::vector{root}, kTestNow).has_value());
}

}  // namespace vfido::crypto
