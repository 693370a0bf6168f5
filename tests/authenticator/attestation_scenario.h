// A complete attestation setup, for the attestation tests and the interop fixture program: a
// generated attestation CA (root and intermediate), basic and enterprise attestation material,
// an ES256 credential and the authenticatorData of its registration. Deterministic for a seed
// (but for ECDSA signature bytes). No doctest: failures throw std::runtime_error.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "authenticator/attestation.h"
#include "authenticator/authenticator_data.h"
#include "authenticator/crypto/hash.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/x509.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/rng.h"
#include "tests/authenticator/crypto/test_constants.h"

namespace vfido::test {

template <typename R>
auto expect_ok(R r, const char* what) {
  if (!r) throw std::runtime_error(std::string("attestation scenario: ") + what);
  return std::move(*r);
}

inline AttestationCaSpec scenario_ca_spec(std::int64_t now) {
  AttestationCaSpec spec;
  spec.root_subject = {"US", "vfido test vendor", "", "vfido test attestation root"};
  spec.intermediate_subject = {"US", "vfido test vendor", "", "vfido test attestation CA 1"};
  spec.validity = {now - kDay, now + 20 * 365 * kDay};
  return spec;
}

inline crypto::AttestationCertificateSpec scenario_leaf_spec(std::int64_t now) {
  crypto::AttestationCertificateSpec spec;
  spec.country = "US";
  spec.organization = "vfido test vendor";
  spec.common_name = "vfido test key attestation";
  spec.validity = {now - kDay, now + 10 * 365 * kDay};
  spec.aaguid = kTestAaguid;
  spec.firmware_version = 0x000100;
  return spec;
}

struct AttestationScenario {
  AttestationCa ca;
  std::shared_ptr<const AttestationMaterial> material;             // basic: AAGUID, no serial number
  std::shared_ptr<const AttestationMaterial> enterprise_material;  // also id-fido-gen-ce-sernum
  crypto::PrivateKey credential_key;
  std::string rp_id;
  Bytes credential_id;
  Bytes auth_data;  // UP and AT set, the test AAGUID, the credential's COSE key
  Bytes client_data_hash;
};

inline constexpr std::string_view kScenarioEnterpriseSerial = "vfido-device-0001";

inline AttestationScenario make_attestation_scenario(std::uint64_t seed = 1, std::int64_t now = kTestNow,
                                                     std::int64_t credential_alg = cose::kAlgEs256) {
  SeededRng rng(seed);
  AttestationCa ca = expect_ok(generate_attestation_ca(scenario_ca_spec(now), rng), "CA");
  auto material = expect_ok(issue_attestation_material(ca, scenario_leaf_spec(now), rng), "material");
  crypto::AttestationCertificateSpec enterprise_leaf = scenario_leaf_spec(now);
  enterprise_leaf.enterprise_serial_number = to_bytes(kScenarioEnterpriseSerial);
  auto enterprise = expect_ok(issue_attestation_material(ca, enterprise_leaf, rng), "enterprise material");
  crypto::PrivateKey credential_key = expect_ok(crypto::PrivateKey::generate(credential_alg, rng), "credential key");

  AttestationScenario s{std::move(ca),
                        std::make_shared<const AttestationMaterial>(std::move(material)),
                        std::make_shared<const AttestationMaterial>(std::move(enterprise)),
                        std::move(credential_key),
                        "example.com",
                        rng.bytes(32),
                        {},
                        {}};
  AuthenticatorData ad;
  ad.rp_id_hash = crypto::sha256(as_span(s.rp_id));
  ad.flags = flags::kUp;
  ad.attested = AttestedCredentialData{kTestAaguid, s.credential_id, s.credential_key.public_cose()};
  s.auth_data = expect_ok(ad.serialize(), "authenticatorData");
  auto cdh = crypto::sha256(as_span(R"({"type":"webauthn.create","challenge":"dmZpZG8","origin":"https://example.com"})"));
  s.client_data_hash.assign(cdh.begin(), cdh.end());
  return s;
}

}  // namespace vfido::test
