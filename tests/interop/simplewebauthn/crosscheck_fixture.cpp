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
#include "tools/webauthn/attestation_object.h"
#include "tools/webauthn/base64.h"

using namespace vfido;
using json = nlohmann::json;

namespace {

// @simplewebauthn/server 9.0.3 (the last release for Node 18) turns an ES256 DER signature into
// r || s by dropping a leading 0x00 without padding back to 32 bytes, so it refuses valid
// signatures whose r or s is below 2^248 (about 1 in 128). Responses that would hit this are
// made again; `remade` counts them and check.mjs reports the number.
int remade = 0;

bool short_ecdsa_integer(ByteSpan der) {
  // SEQUENCE { INTEGER r, INTEGER s } with short-form lengths (what P-256 signatures use).
  if (der.size() < 8 || der[0] != 0x30) return false;
  std::size_t i = 2;
  for (int k = 0; k < 2; ++k) {
    if (i + 2 > der.size() || der[i] != 0x02) return false;
    std::size_t len = der[i + 1];
    std::size_t start = i + 2;
    if (start + len > der.size()) return false;
    std::size_t value = len;
    if (len > 0 && der[start] == 0x00) --value;
    if (value < 32) return true;
    i = start + len;
  }
  return false;
}

// One DER element at `i`: its tag, the offset of its contents and their length.
struct Der {
  std::uint8_t tag = 0;
  std::size_t start = 0, len = 0;
};
std::optional<Der> der_at(ByteSpan b, std::size_t i) {
  if (i + 2 > b.size()) return std::nullopt;
  Der d{b[i], i + 2, b[i + 1]};
  if (b[i + 1] & 0x80) {
    const std::size_t n = b[i + 1] & 0x7F;
    if (n == 0 || n > 3 || i + 2 + n > b.size()) return std::nullopt;
    d.len = 0;
    for (std::size_t k = 0; k < n; ++k) d.len = (d.len << 8) | b[i + 2 + k];
    d.start = i + 2 + n;
  }
  if (d.start + d.len > b.size()) return std::nullopt;
  return d;
}

// Whether a certificate's ECDSA signature (Certificate ::= SEQUENCE { tbs, algorithm, BIT
// STRING }) would hit the same decoding bug when simplewebauthn validates the chain.
bool short_certificate_signature(const crypto::Certificate& cert) {
  const Bytes der = cert.der();
  auto outer = der_at(der, 0);
  if (!outer) return false;
  auto tbs = der_at(der, outer->start);
  if (!tbs) return false;
  auto alg = der_at(der, tbs->start + tbs->len);
  if (!alg) return false;
  auto bits = der_at(der, alg->start + alg->len);
  if (!bits || bits->tag != 0x03 || bits->len < 2) return false;
  return short_ecdsa_integer(ByteSpan(der).subspan(bits->start + 1, bits->len - 1));
}

// The ES256 signature in a registration's packed attStmt, if any.
bool short_attestation_signature(const webauthn::RegistrationResponse& r) {
  auto att = webauthn::parse_attestation_object(r.attestation_object);
  if (!att || att->fmt != "packed") return false;
  const cbor::Value* alg = att->att_stmt.find("alg");
  const cbor::Value* sig = att->att_stmt.find("sig");
  return alg != nullptr && alg->as_int64() == -7 && sig != nullptr && sig->is_bytes() && short_ecdsa_integer(sig->as_bytes());
}

json registration_verdict(const tl::expected<rp::RegistrationResult, rp::RpError>& v) {
  if (!v) return {{"verified", false}, {"reason", v.error().to_string()}};
  const auto& c = v->credential;
  return {{"verified", true},
          {"fmt", c.attestation_format},
          {"aaguid", rp::format_aaguid(c.aaguid)},
          {"counter", c.sign_count},
          {"userVerified", (v->flags & flags::kUv) != 0},
          {"credentialDeviceType", c.credential_device_type()},
          {"backedUp", c.backed_up()},
          {"trusted", c.trust == rp::TrustResult::kTrusted}};
}

json authentication_verdict(const tl::expected<rp::AuthenticationResult, rp::RpError>& v) {
  if (!v) return {{"verified", false}, {"reason", v.error().to_string()}};
  return {{"verified", true},
          {"newCounter", v->credential.sign_count},
          {"userVerified", v->user_verified},
          {"credentialDeviceType", v->credential.credential_device_type()},
          {"backedUp", v->credential.backed_up()}};
}

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
               {{"challenge", webauthn::base64url_encode(o.challenge)},
                {"response", webauthn::to_json(created->credential)},
                {"rp", registration_verdict(reg)}}},
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
    out["authentications"].push_back({{"challenge", webauthn::base64url_encode(request.challenge)},
                                      {"tampered", flip},
                                      {"response", webauthn::to_json(response)},
                                      {"rp", authentication_verdict(v)}});
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
           {{"challenge", webauthn::base64url_encode(f.challenge)},
            {"response", webauthn::to_json(response)},
            {"rp", registration_verdict(reg)}}},
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
