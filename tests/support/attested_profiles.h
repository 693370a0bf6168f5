// Built-in profiles as `vfido serve` runs them: with the attestation material their models
// need (a per-profile CA, tools/host/attestation_files.h), made once per test process in a
// temporary data directory. Header-only; link vfido_host.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "authenticator/env/rng.h"
#include "profiles/registry.h"
#include "tests/support/temp_dir.h"
#include "tools/host/attestation_files.h"

namespace vfido::test {

inline const std::string& attestation_data_dir() {
  static const TempDir dir;
  return dir.path();
}

inline profiles::Profile attested(profiles::Profile p) {
  OpenSslRng rng;
  auto ok = host::provide_attestation(p, attestation_data_dir(), rng);
  INFO((ok ? std::string() : ok.error()));
  REQUIRE(ok);
  return p;
}

inline profiles::Profile attested(const std::string& id) {
  auto p = profiles::resolve(id);
  INFO((p ? std::string() : p.error()));
  REQUIRE(p);
  return attested(std::move(*p));
}

inline std::vector<profiles::Profile> attested_builtins() {
  std::vector<profiles::Profile> out;
  for (const auto& p : profiles::builtin()) out.push_back(attested(p));
  return out;
}

}  // namespace vfido::test
