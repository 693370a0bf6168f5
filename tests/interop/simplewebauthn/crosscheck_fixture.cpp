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
#include <iostream>

#include "profiles/registry.h"
#include "tests/tools/relying_party/rp_forge.h"
#include "tests/tools/webauthn_e2e/ceremony_fixture.h"
#include "tools/webauthn/base64.h"

using namespace vfido;
using json = nlohmann::json;

namespace {

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
json profile_case(const profiles::Profile& profile) {
  test::Ceremonies c(profile.model);
  auto o = c.creation({0x51, 0x52, 0x53, static_cast<std::uint8_t>(profile.id.size())});
  auto created = c.create(o);
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
  if (!reg) return out;
  rp::CredentialRecord record = reg->credential;
  for (int round = 0; round < 3; ++round) {
    auto request = c.request({0x61, static_cast<std::uint8_t>(round)});
    auto got = c.get(request);
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
  test::RpForge f;
  auto response = f.registration(test::Fmt::kPacked);
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
    for (const auto& p : profiles::builtin()) cases.push_back(profile_case(p));
    cases.push_back(packed_x5c_case());
    std::cout << json{{"cases", cases}}.dump(1) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "crosscheck_fixture: " << e.what() << "\n";
    return 1;
  }
}
