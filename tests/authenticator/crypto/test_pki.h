// A small deterministic PKI for the certificate tests: a P-256 root CA, an intermediate CA and
// an attestation certificate, keys and serials from a SeededRng, valid around kTestNow.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>

#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/x509.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/rng.h"
#include "tests/authenticator/crypto/crypto_test_util.h"
#include "tests/authenticator/crypto/test_constants.h"

namespace vfido::test {

inline crypto::Validity test_validity(std::int64_t from = kTestNow - kDay, std::int64_t days = 3650) {
  return crypto::Validity{from, from + days * kDay};
}

inline crypto::DistinguishedName test_root_name() { return {"US", "vfido test", "", "vfido test root CA"}; }
inline crypto::DistinguishedName test_intermediate_name() { return {"US", "vfido test", "", "vfido test intermediate CA"}; }

inline crypto::AttestationCertificateSpec test_leaf_spec() {
  crypto::AttestationCertificateSpec spec;
  spec.country = "US";
  spec.organization = "vfido test";
  spec.common_name = "vfido test attestation";
  spec.validity = test_validity();
  spec.aaguid = kTestAaguid;
  spec.firmware_version = 0x000100;
  return spec;
}

struct TestPki {
  crypto::PrivateKey root_key;
  crypto::PrivateKey intermediate_key;
  crypto::PrivateKey leaf_key;
  crypto::Certificate root;
  crypto::Certificate intermediate;
  crypto::Certificate leaf;
};

inline TestPki make_test_pki(std::uint64_t seed = 1) {
  SeededRng rng(seed);
  auto root_key = must(crypto::PrivateKey::generate(cose::kAlgEs256, rng));
  auto intermediate_key = must(crypto::PrivateKey::generate(cose::kAlgEs256, rng));
  auto leaf_key = must(crypto::PrivateKey::generate(cose::kAlgEs256, rng));
  auto root = must(crypto::make_root_ca(test_root_name(), test_validity(), root_key, rng));
  auto intermediate =
      must(crypto::make_intermediate_ca(test_intermediate_name(), test_validity(), intermediate_key, root, root_key, rng));
  auto leaf = must(crypto::make_attestation_certificate(test_leaf_spec(), leaf_key, intermediate, intermediate_key, rng));
  return TestPki{std::move(root_key), std::move(intermediate_key), std::move(leaf_key),
                 std::move(root),     std::move(intermediate),     std::move(leaf)};
}

}  // namespace vfido::test
