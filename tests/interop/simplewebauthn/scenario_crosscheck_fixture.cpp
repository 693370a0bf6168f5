// Writes (stdout) every registration and assertion the shipped scenarios (tools/scenarios) made
// and the relying-party emulator verified, with its verdicts, for check.mjs to verify again with
// @simplewebauthn/server. The policy's decisions are vfido's alone; what is compared is the
// WebAuthn verification underneath them (signatures, flags, device type, counters, trust).
// Responses that hit simplewebauthn 9.0.3's ES256 decoding bug (es256_quirk.h) are marked
// "skip" (a scenario's ceremonies cannot be made again); check.mjs counts them.
#include <cstdio>
#include <iostream>

#include "tests/interop/simplewebauthn/es256_quirk.h"
#include "tools/host/scratch_dir.h"
#include "tools/scenario/scenario_runner.h"
#include "tools/scenario/shipped_scenarios.h"

using namespace vfido;
using json = nlohmann::json;

namespace {

// Whether simplewebauthn would mis-decode an ES256 signature in this registration: the attStmt
// signature or a certificate of its x5c chain (the roots it is given too).
bool registration_hits_quirk(const json& c) {
  auto response = webauthn::registration_response_from_json(c["registration"]["response"]);
  if (!response) return false;
  if (test::short_attestation_signature(*response)) return true;
  auto att = webauthn::parse_attestation_object(response->attestation_object);
  if (att) {
    if (const cbor::Value* x5c = att->att_stmt.find("x5c"); x5c != nullptr && x5c->is_array()) {
      for (const auto& der : x5c->as_array()) {
        if (!der.is_bytes()) continue;
        auto cert = crypto::Certificate::from_der(der.as_bytes());
        if (cert && test::short_certificate_signature(*cert)) return true;
      }
    }
  }
  for (const auto& pem : c.value("rootCertificates", json::array())) {
    auto cert = crypto::Certificate::from_pem(pem.get<std::string>());
    if (cert && test::short_certificate_signature(*cert)) return true;
  }
  return false;
}

}  // namespace

int main() {
  host::ScratchDir dir("vfido-crosscheck");
  auto scenarios = scenario::load_shipped_scenarios(dir.path());
  if (!scenarios) {
    std::cerr << "scenario_crosscheck_fixture: " << scenarios.error().to_string() << "\n";
    return 1;
  }
  json cases = json::array();
  int skipped = 0;
  bool all_passed = true;
  for (const auto& s : *scenarios) {
    scenario::RunOptions o;
    o.crosscheck = &cases;
    auto r = scenario::run_scenario(s, o);
    if (!r.passed()) {
      std::cerr << "scenario_crosscheck_fixture: " << s.file << ": " << (r.error.empty() ? "unexpected outcomes" : r.error) << "\n";
      all_passed = false;
    }
  }
  for (auto& c : cases) {
    if (registration_hits_quirk(c)) {
      c["skip"] = "an ES256 signature below 2^248 in the attestation";
      ++skipped;
    }
    for (auto& a : c["authentications"]) {
      auto response = webauthn::authentication_response_from_json(a["response"]);
      if (response && test::short_ecdsa_integer(response->signature)) {
        a["skip"] = "an ES256 signature below 2^248";
        ++skipped;
      }
    }
  }
  std::cout << json{{"cases", cases}, {"remade", 0}, {"skipped", skipped}}.dump(1) << "\n";
  return all_passed && !cases.empty() ? 0 : 1;
}
