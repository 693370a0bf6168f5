// Writes (stdout) the registrations and assertions that check.mjs hands to @simplewebauthn/server,
// each with the verdict vfido's relying-party emulator reached on the same response: keys of
// every built-in profile driven through the WebAuthn client emulator (libfido2 over a Unix
// socket), a packed x5c registration with its root certificate, and responses with a flipped
// signature byte that both must refuse.
// The shared test fixtures use doctest's REQUIRE; outside a test case a failed one goes to the
// assert handler set in main(), which reports it and exits 1.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <iostream>

#include "profiles/registry.h"
#include "tests/support/temp_dir.h"
#include "tools/host/attestation_files.h"
#include "tools/host/metadata_statement.h"
#include "tests/tools/relying_party/rp_forge.h"
#include "tests/tools/webauthn_e2e/ceremony_fixture.h"
#include "tests/interop/simplewebauthn/es256_quirk.h"
#include "tools/relying_party/verdict_json.h"
#include "tools/webauthn/attestation_object.h"
#include "authenticator/base64.h"

using namespace vfido;
using json = nlohmann::json;

using test::short_attestation_signature;
using test::short_certificate_signature;
using test::short_ecdsa_integer;

namespace {

// @simplewebauthn/server 9.0.3 (the last release for Node 18) turns an ES256 DER signature into
// r || s by dropping a leading 0x00 without padding back to 32 bytes, so it refuses valid
// signatures whose r or s is below 2^248 (about 1 in 128). Responses that would hit this are
// made again; `remade` counts them and check.mjs reports the number.
int remade = 0;

// A built-in profile: one registration and two discoverable sign-ins, plus one with a flipped
// signature byte.
json profile_case(const profiles::Profile& profile, const rp::MetadataStore* metadata,
                  const std::optional<crypto::Certificate>& root) {
  test::Ceremonies c(profile.model);
  c.rp.metadata = metadata;
  auto o = c.creation({0x51, 0x52, 0x53, static_cast<std::uint8_t>(profile.id.size())});
  auto created = c.create(o);
  for (int tries = 0; created && short_attestation_signature(created->credential) && tries < 8; ++tries) {
    ++remade;
    created = c.create(o);
  }
  if (!created) throw std::runtime_error(profile.id + ": create: " + created.error().to_string());
  rp::RegistrationExpectations re;
  re.challenge = o.challenge;
  re.algorithms = {-7, -8, -257};
  re.user_handle = o.user_id;
  auto reg = rp::verify_registration(c.rp, re, created->credential);
  json out = {{"name", profile.id},
              {"rpID", c.rp.rp_id},
              {"origin", c.rp.origins.front()},
              {"registration",
               {{"challenge", vfido::base64url_encode(o.challenge)},
                {"response", webauthn::to_json(created->credential)},
                {"rp", rp::registration_verdict_json(reg, true)}}},
              {"authentications", json::array()}};
  if (root) out["rootCertificates"] = {root->pem()};
  if (!reg) return out;
  rp::CredentialRecord record = reg->credential;
  for (int round = 0; round < 3; ++round) {
    auto request = c.request({0x61, static_cast<std::uint8_t>(round)});
    auto got = c.get(request);
    for (int tries = 0; got && record.algorithm == -7 && short_ecdsa_integer(got->credential.signature) && tries < 8; ++tries) {
      ++remade;
      got = c.get(request);
    }
    if (!got) throw std::runtime_error(profile.id + ": get: " + got.error().to_string());
    webauthn::AuthenticationResponse response = got->credential;
    const bool flip = round == 2;
    if (flip) response.signature[response.signature.size() / 2] ^= 0x01;
    rp::AuthenticationExpectations e;
    e.challenge = request.challenge;
    auto v = rp::verify_authentication(c.rp, e, {record}, response);
    out["authentications"].push_back({{"challenge", vfido::base64url_encode(request.challenge)},
                                      {"tampered", flip},
                                      {"response", webauthn::to_json(response)},
                                      {"rp", rp::authentication_verdict_json(v)}});
    if (v) record = v->credential;
  }
  return out;
}

// packed x5c, made with the core's attestation builders; the root goes to simplewebauthn's
// SettingsService and to the RP's metadata.
json packed_x5c_case() {
  std::unique_ptr<test::RpForge> forge;
  webauthn::RegistrationResponse response;
  for (std::uint64_t seed = 11;; ++seed) {
    forge = std::make_unique<test::RpForge>(cose::kAlgEs256, seed);
    response = forge->registration(test::Fmt::kPacked);
    const auto& ca = *forge->ca;
    const bool hit = short_attestation_signature(response) || short_certificate_signature(ca.root) ||
                     short_certificate_signature(ca.intermediate) ||
                     short_certificate_signature(forge->material().certificate());
    if (!hit || seed > 40) break;
    ++remade;
  }
  test::RpForge& f = *forge;
  const crypto::Certificate root = f.ca->root;
  auto store = rp::MetadataStore::parse(f.statement(root).dump(), "fixture");
  if (!store) throw std::runtime_error(store.error());
  f.rp.metadata = &*store;
  f.rp.now = 0;  // simplewebauthn checks the certificates at the current time too
  rp::RegistrationExpectations re;
  re.challenge = f.challenge;
  auto reg = rp::verify_registration(f.rp, re, response);
  return {{"name", "packed-x5c"},
          {"rpID", f.rp.rp_id},
          {"origin", f.origin},
          {"rootCertificates", {root.pem()}},
          {"registration",
           {{"challenge", vfido::base64url_encode(f.challenge)},
            {"response", webauthn::to_json(response)},
            {"rp", rp::registration_verdict_json(reg, true)}}},
          {"authentications", json::array()}};
}

}  // namespace

int main() {
  doctest::Context context;
  context.setAsDefaultForAssertsOutOfTestCases();
  context.setAssertHandler([](const doctest::AssertData& a) {
    std::cerr << "crosscheck_fixture: " << a.m_file << ":" << a.m_line << ": " << a.m_expr << " failed\n";
    std::exit(1);
  });
  try {
    json cases = json::array();
    // Models with basic attestation sign under a CA vfido makes for them (as `vfido serve`
    // does); its root goes to the RP as the metadata `vfido metadata export` writes, and to
    // simplewebauthn's SettingsService. A CA whose certificates carry a short ECDSA integer
    // (see above) is made again in a fresh directory.
    std::vector<std::unique_ptr<test::TempDir>> dirs;
    std::vector<std::unique_ptr<rp::MetadataStore>> stores;
    OpenSslRng rng;
    for (auto p : profiles::builtin()) {
      std::optional<crypto::Certificate> root;
      rp::MetadataStore* metadata = nullptr;
      if (p.model.needs_attestation_material()) {
        const profiles::Profile plain = p;
        for (int tries = 0;; ++tries) {
          p = plain;
          dirs.push_back(std::make_unique<test::TempDir>());
          auto provided = host::provide_attestation(p, dirs.back()->path(), rng);
          if (!provided) throw std::runtime_error(p.id + ": " + provided.error());
          auto r = host::attestation_root(p, dirs.back()->path(), rng);
          if (!r) throw std::runtime_error(p.id + ": " + r.error());
          root = *r;
          bool hit = false;
          for (const auto& cert : p.model.attestation_material->chain()) hit = hit || short_certificate_signature(cert);
          if (!hit || tries > 8) break;
          ++remade;
        }
        auto statement = rp::MetadataStore::parse_statement(json(host::metadata_statement(p, root)), p.id);
        if (!statement) throw std::runtime_error(statement.error());
        stores.push_back(std::make_unique<rp::MetadataStore>());
        stores.back()->add(*statement);
        metadata = stores.back().get();
      } else if (p.model.needs_enterprise_attestation_material()) {
        dirs.push_back(std::make_unique<test::TempDir>());
        auto provided = host::provide_attestation(p, dirs.back()->path(), rng);
        if (!provided) throw std::runtime_error(p.id + ": " + provided.error());
      }
      cases.push_back(profile_case(p, metadata, root));
    }
    cases.push_back(packed_x5c_case());
    std::cout << json{{"cases", cases}, {"remade", remade}}.dump(1) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "crosscheck_fixture: " << e.what() << "\n";
    return 1;
  }
}
