// Policies and directories for the policy tests, read from YAML text the way scenario files
// carry them.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "tools/policy/policy_engine.h"
#include "tools/policy/policy_yaml.h"
#include "tools/relying_party/metadata.h"

namespace vfido::test {

inline policy::PasskeyPolicy policy_from(const std::string& yaml) {
  auto p = policy::load_policy_text(yaml, "test.yaml");
  INFO((p ? "" : p.error().to_string()));
  REQUIRE(p);
  return *p;
}

inline policy::Directory directory_from(const std::string& yaml) {
  auto context = std::make_shared<policy::ReadContext>();
  context->file = "directory.yaml";
  try {
    return policy::read_directory(policy::parse_yaml_document(yaml, context));
  } catch (const policy::LoadFailure& f) {
    FAIL(f.error.to_string());
  }
  return {};
}

inline policy::Aaguid aaguid(const char* text) {
  auto a = rp::parse_aaguid(text);
  REQUIRE(a);
  return *a;
}

inline constexpr const char* kKeeper = "0ea242b4-43c4-4a1b-8b17-dd6d0b6baec6";
inline constexpr const char* kGpm = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4";
inline constexpr const char* kHardware = "6a8f6b4f-1d3c-4c55-9e0b-7a4f0d2c9b11";

// A synced passkey (no attestation) and a device-bound one with a trusted attestation.
inline policy::PasskeyFacts synced(const char* id = kKeeper) { return {aaguid(id), true, false, "none"}; }
inline policy::PasskeyFacts device_bound(const char* id = kHardware, bool trusted = true) {
  return {aaguid(id), false, trusted, trusted ? "packed basic, trusted" : "packed self"};
}

}  // namespace vfido::test

namespace vfido::test {

// What a load error must say: the file, the line, the field (dotted path) and a piece of the
// message.
struct ExpectedLoadError {
  int line;
  const char* field;
  const char* message;
};

inline void check_load_error(const policy::LoadError& e, const char* file, const ExpectedLoadError& expected) {
  CAPTURE(e.to_string());
  CHECK(e.where.file == file);
  CHECK(e.where.line == expected.line);
  CHECK(e.field == expected.field);
  CHECK(e.message.find(expected.message) != std::string::npos);
}

}  // namespace vfido::test
