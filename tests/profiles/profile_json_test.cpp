// Authenticator models as JSON (profiles/): every built-in loads and validates, names and
// AAGUIDs match the community AAGUID list, a profile round-trips through to_json(), and bad
// files are refused with the file and the member named.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "profiles/profile_json.h"
#include "profiles/registry.h"

using namespace vfido;
using namespace vfido::profiles;

namespace {

std::string error_of(std::string_view text) {
  auto p = parse_profile(text, "t.json");
  REQUIRE_FALSE(p.has_value());
  return p.error();
}

}  // namespace

TEST_CASE("profiles: the built-ins load, validate and have distinct ids and AAGUIDs") {
  const auto& list = builtin();
  REQUIRE(list.size() >= 9);
  CHECK(list.front().id == "vfido");
  std::set<std::string> ids;
  std::set<std::string> aaguids;
  for (const auto& p : list) {
    CAPTURE(p.id);
    // Attestation material is provided after loading (tests/tools/attestation_files_test.cpp).
    CHECK(p.model.validate(AuthenticatorProfile::Material::kLater).has_value());
    CHECK(p.model.validate().has_value() == !(p.model.needs_attestation_material() ||
                                               p.model.needs_enterprise_attestation_material()));
    CHECK_FALSE(p.description.empty());
    ids.insert(p.id);
    aaguids.insert(format_uuid(p.model.aaguid));
  }
  CHECK(ids.size() == list.size());
  CHECK(aaguids.size() == list.size());
  for (const char* required : {"yubikey-like", "google-password-manager", "icloud-keychain", "keeper", "1password",
                               "bitwarden", "microsoft-authenticator", "windows-hello"}) {
    CAPTURE(required);
    CHECK(ids.count(required) == 1);
  }
}

TEST_CASE("profiles: synced profiles are backup eligible and unattested; device-bound ones are not eligible") {
  for (const auto& p : builtin()) {
    CAPTURE(p.id);
    const bool synced = p.id == "google-password-manager" || p.id == "icloud-keychain" || p.id == "keeper" ||
                        p.id == "1password" || p.id == "bitwarden";
    CHECK(p.model.backup_eligible == synced);
    CHECK(p.kind() == (synced ? "synced" : "device-bound"));
    if (synced) {
      CHECK(p.model.backup_state);
      CHECK(p.model.attestation == AttestationMode::kNone);
      CHECK(p.model.always_discoverable);
      CHECK(p.model.sign_counter == SignCounter::kZero);
    } else {
      CHECK(p.model.sign_counter == SignCounter::kPerCredential);
    }
  }
}

TEST_CASE("profiles: names and AAGUIDs come from the AAGUID list (profiles/aaguids.json)") {
  // The subset of the community list vfido's profiles use, copied into the project.
  std::ifstream in(std::string(VFIDO_SOURCE_DIR) + "/profiles/aaguids.json");
  REQUIRE(in.good());
  auto list = nlohmann::json::parse(in);
  for (const auto& p : builtin()) {
    if (p.id == "vfido" || p.id == "yubikey-like") continue;  // vfido's own test AAGUIDs
    CAPTURE(p.id);
    const std::string uuid = format_uuid(p.model.aaguid);
    REQUIRE(list.contains(uuid));
    const std::string listed = list[uuid]["name"].get<std::string>();
    CHECK(p.model.name.find(listed.substr(0, listed.find(' '))) != std::string::npos);
  }
}

TEST_CASE("profiles: to_json and parse_profile round-trip every member") {
  for (const auto& p : builtin()) {
    CAPTURE(p.id);
    auto text = to_json(p).dump(2);
    auto back = parse_profile(text, "round-trip");
    REQUIRE(back.has_value());
    CHECK(to_json(*back) == to_json(p));
  }
  CHECK(to_json(builtin().front()).size() == member_names().size());
}

TEST_CASE("profiles: bad files name the file and the member") {
  CHECK(error_of("{").find("t.json: not valid JSON") == 0);
  CHECK(error_of("[]").find("a profile is a JSON object") != std::string::npos);
  CHECK(error_of(R"({"id": "x", "colour": "red"})") == "t.json: unknown member \"colour\"");
  CHECK(error_of(R"({"name": "x"})") == "t.json: \"id\" is required");
  CHECK(error_of(R"({"id": "Bad Id"})").find("lower-case") != std::string::npos);
  CHECK(error_of(R"({"id": "x", "aaguid": "not-a-uuid"})").find("\"aaguid\": \"not-a-uuid\" is not a UUID") !=
        std::string::npos);
  CHECK(error_of(R"({"id": "x", "aaguid": "3d92011fb552406db13763434ee000d5"})").find("is not a UUID") != std::string::npos);
  CHECK(error_of(R"({"id": "x", "resident_keys": "yes"})").find("\"resident_keys\": expected true or false") !=
        std::string::npos);
  CHECK(error_of(R"({"id": "x", "max_msg_size": -1})").find("\"max_msg_size\": expected a non-negative integer") !=
        std::string::npos);
  CHECK(error_of(R"({"id": "x", "max_pin_retries": 300})").find("too large") != std::string::npos);
  CHECK(error_of(R"({"id": "x", "algorithms": ["ES384"]})").find("unknown algorithm \"ES384\"") != std::string::npos);
  CHECK(error_of(R"({"id": "x", "attestation": "tpm"})").find("unknown attestation") != std::string::npos);
  // Values that parse but break the model's invariants: validate()'s message.
  CHECK(error_of(R"({"id": "x", "backup_state": true})") == "t.json: backup_state: requires backup_eligible");
  CHECK(error_of(R"({"id": "x", "extensions": ["prf"]})").find("unknown or unimplemented extension") != std::string::npos);
}

TEST_CASE("profiles: UUIDs parse in either case and format in lower case") {
  auto u = parse_uuid("EA9B8D66-4D01-1D21-3CE4-B6B48CB575D4");
  REQUIRE(u.has_value());
  CHECK(format_uuid(*u) == "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4");
  CHECK_FALSE(parse_uuid("ea9b8d66-4d01-1d21-3ce4-b6b48cb575dz").has_value());
  CHECK_FALSE(parse_uuid("ea9b8d66+4d01-1d21-3ce4-b6b48cb575d4").has_value());
}

TEST_CASE("profiles: resolve finds built-ins by id, files by path, and user profiles override") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("vfido-profiles-" + std::to_string(::getpid()));
  fs::create_directories(dir / "vfido" / "profiles");
  ::setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
  {
    std::ofstream f(dir / "vfido" / "profiles" / "keeper.json");
    f << R"({"id": "keeper", "description": "my own Keeper", "backup_eligible": true})";
    std::ofstream g(dir / "vfido" / "profiles" / "broken.json");
    g << R"({"id": "broken", "nope": 1})";
  }
  auto k = resolve("keeper");
  REQUIRE(k.has_value());
  CHECK(k->description == "my own Keeper");
  std::vector<std::string> errors;
  auto every = all(&errors);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("broken.json: unknown member \"nope\"") != std::string::npos);
  auto by_path = resolve((dir / "vfido" / "profiles" / "keeper.json").string());
  REQUIRE(by_path.has_value());
  auto unknown = resolve("no-such-profile");
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().find("known: vfido") != std::string::npos);
  CHECK_FALSE(resolve("/nonexistent/file.json").has_value());
  ::unsetenv("XDG_CONFIG_HOME");
  fs::remove_all(dir);
}
