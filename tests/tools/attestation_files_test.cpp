// Attestation material for profiles (tools/host/attestation_files.h): the per-profile CA made
// once and reused, certificates per AAGUID, files a profile names, and the errors for files that
// are missing, corrupt or do not belong together. Plus the metadata statement that carries the
// CA's root to relying parties (tools/host/metadata_statement.h).
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "authenticator/attestation.h"
#include "authenticator/env/rng.h"
#include "profiles/registry.h"
#include "tests/support/temp_dir.h"
#include "tools/host/attestation_files.h"
#include "tools/host/metadata_statement.h"
#include "tools/host/profile_choice.h"
#include "tools/relying_party/metadata.h"

using namespace vfido;
using vfido::test::TempDir;
namespace fs = std::filesystem;

namespace {

profiles::Profile builtin(const std::string& id) {
  auto p = profiles::resolve(id);
  REQUIRE(p);
  return *p;
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

void write(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
}

std::string error_of(profiles::Profile p, const std::string& dir) {
  OpenSslRng rng;
  auto r = host::provide_attestation(p, dir, rng);
  REQUIRE_FALSE(r);
  return r.error();
}

}  // namespace

TEST_CASE("attestation files: a packed profile gets a CA once, and a certificate for its AAGUID under it") {
  TempDir data;
  OpenSslRng rng;
  auto p = builtin("yubikey-like");
  REQUIRE(p.model.needs_attestation_material());
  REQUIRE_FALSE(p.model.validate());
  REQUIRE(host::provide_attestation(p, data.path(), rng));
  CHECK(p.model.validate());
  REQUIRE(p.model.attestation_material);
  const AttestationMaterial& m = *p.model.attestation_material;

  // WebAuthn §8.2.1: the attestation certificate carries the AAGUID; x5c stops below the root.
  auto ext = m.certificate().fido_extensions();
  REQUIRE(ext);
  REQUIRE(ext->aaguid);
  CHECK(*ext->aaguid == p.model.aaguid);
  CHECK_FALSE(ext->serial_number);
  REQUIRE(m.chain().size() == 3);
  CHECK(m.x5c().size() == 2);
  CHECK(m.chain()[1].is_issued_by(m.chain()[2]));
  CHECK(m.chain()[2].is_issued_by(m.chain()[2]));

  // Enterprise attestation is supported (disabled until authenticatorConfig enables it): its
  // certificate has a device serial number (§8.2.2).
  REQUIRE(p.model.enterprise_attestation_material);
  auto ent = p.model.enterprise_attestation_material->certificate().fido_extensions();
  REQUIRE(ent);
  REQUIRE(ent->serial_number);
  CHECK_FALSE(ent->serial_number->empty());

  const std::string dir = host::attestation_dir(data.path(), "yubikey-like");
  CHECK(mode_of(dir) == 0700);
  for (const char* key : {"root.key", "intermediate.key"}) CHECK(mode_of(dir + "/" + key) == 0600);
  const std::string aaguid = profiles::format_uuid(p.model.aaguid);
  CHECK(mode_of(dir + "/attestation-" + aaguid + ".key") == 0600);
  CHECK(fs::exists(dir + "/enterprise-" + aaguid + ".pem"));

  // A second run reads the same material back.
  auto again = builtin("yubikey-like");
  REQUIRE(host::provide_attestation(again, data.path(), rng));
  CHECK(again.model.attestation_material->certificate().der() == m.certificate().der());
  CHECK(again.model.enterprise_attestation_material->certificate().der() ==
        p.model.enterprise_attestation_material->certificate().der());
  auto root = host::attestation_root(again, data.path(), rng);
  REQUIRE(root);
  CHECK(root->der() == m.chain().back().der());

  // Another AAGUID (--aaguid): a new attestation certificate under the same root.
  host::ProfileChoice choice;
  choice.profile = "yubikey-like";
  choice.aaguid = "00112233-4455-6677-8899-aabbccddeeff";
  choice.data_dir = data.path();
  auto other = host::load_profile(choice, rng);
  REQUIRE(other);
  const auto& om = *other->model.attestation_material;
  CHECK(om.certificate().der() != m.certificate().der());
  CHECK(om.chain().back().der() == root->der());
  auto oext = om.certificate().fido_extensions();
  REQUIRE(oext);
  CHECK(*oext->aaguid == other->model.aaguid);
}

TEST_CASE("attestation files: models without attestation get nothing and write nothing") {
  TempDir data;
  OpenSslRng rng;
  for (const char* id : {"vfido", "google-password-manager", "keeper"}) {
    CAPTURE(id);
    auto p = builtin(id);
    REQUIRE(host::provide_attestation(p, data.path(), rng));
    CHECK_FALSE(p.model.attestation_material);
    CHECK(p.model.validate());
  }
  CHECK_FALSE(fs::exists(data.path() + "/attestation"));
  // --attestation packed turns it on for any model.
  host::ProfileChoice choice;
  choice.profile = "keeper";
  choice.attestation = "packed";
  choice.data_dir = data.path();
  auto keeper = host::load_profile(choice, rng);
  REQUIRE(keeper);
  CHECK(keeper->model.attestation == AttestationMode::kBasic);
  CHECK(keeper->model.attestation_material);
  choice.attestation = "basic";
  auto bad = host::load_profile(choice, rng);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().find("--attestation") != std::string::npos);
}

TEST_CASE("attestation files: corrupt or mismatched CA files are refused, naming the file") {
  TempDir data;
  OpenSslRng rng;
  auto p = builtin("yubikey-like");
  REQUIRE(host::provide_attestation(p, data.path(), rng));
  const std::string dir = host::attestation_dir(data.path(), "yubikey-like");

  SUBCASE("a root that is not PEM") {
    write(dir + "/root.pem", "not a certificate\n");
    CHECK(error_of(builtin("yubikey-like"), data.path()).find("root.pem") != std::string::npos);
  }
  SUBCASE("a missing intermediate key") {
    fs::remove(dir + "/intermediate.key");
    CHECK(error_of(builtin("yubikey-like"), data.path()).find("intermediate.key: cannot be read") != std::string::npos);
  }
  SUBCASE("another CA's intermediate") {
    TempDir other;
    auto q = builtin("yubikey-like");
    REQUIRE(host::provide_attestation(q, other.path(), rng));
    const std::string odir = host::attestation_dir(other.path(), "yubikey-like");
    fs::copy_file(odir + "/intermediate.pem", dir + "/intermediate.pem", fs::copy_options::overwrite_existing);
    fs::copy_file(odir + "/intermediate.key", dir + "/intermediate.key", fs::copy_options::overwrite_existing);
    CHECK(error_of(builtin("yubikey-like"), data.path()).find("do not belong together") != std::string::npos);
  }
  SUBCASE("an attestation certificate whose key was swapped") {
    const std::string aaguid = profiles::format_uuid(p.model.aaguid);
    fs::copy_file(dir + "/enterprise-" + aaguid + ".key", dir + "/attestation-" + aaguid + ".key",
                  fs::copy_options::overwrite_existing);
    CHECK(error_of(builtin("yubikey-like"), data.path()).find("attestation-" + aaguid + ".pem") != std::string::npos);
  }
}

TEST_CASE("attestation files: a profile may name its own key and chain") {
  TempDir data;
  OpenSslRng rng;
  // Material made elsewhere (here: vfido's own CA in another directory), given as PEM files.
  auto made = builtin("yubikey-like");
  REQUIRE(host::provide_attestation(made, data.path(), rng));
  const AttestationMaterial& m = *made.model.attestation_material;
  auto key_pem = crypto::private_key_to_pem(m.key());
  REQUIRE(key_pem);
  const ByteSpan k = key_pem->expose();
  write(data.file("att.key"), std::string(reinterpret_cast<const char*>(k.data()), k.size()));
  std::string chain;
  for (const auto& c : m.chain()) chain += c.pem();
  write(data.file("chain.pem"), chain);

  const std::string profile_json = R"({"id": "own-ca", "name": "Own CA key", "aaguid": ")" +
                                   profiles::format_uuid(made.model.aaguid) +
                                   R"(", "attestation": "packed", "attestation_key_file": "att.key",
      "attestation_chain_file": "chain.pem"})";
  write(data.file("own-ca.json"), profile_json);
  auto p = profiles::resolve(data.file("own-ca.json"));
  INFO((p ? std::string() : p.error()));
  REQUIRE(p);
  CHECK(p->attestation_key_file == data.file("att.key"));  // relative to the profile file
  TempDir elsewhere;
  REQUIRE(host::provide_attestation(*p, elsewhere.path(), rng));
  CHECK(p->model.attestation_material->certificate().der() == m.certificate().der());
  auto root = host::attestation_root(*p, elsewhere.path(), rng);
  REQUIRE(root);
  CHECK(root->der() == m.chain().back().der());
  CHECK_FALSE(fs::exists(elsewhere.path() + "/attestation"));

  SUBCASE("a key that does not match the certificate") {
    auto other = builtin("yubikey-like");
    other.id = "other";
    REQUIRE(host::provide_attestation(other, data.path(), rng));
    auto other_key = crypto::private_key_to_pem(other.model.attestation_material->key());
    REQUIRE(other_key);
    const ByteSpan ok = other_key->expose();
    write(data.file("att.key"), std::string(reinterpret_cast<const char*>(ok.data()), ok.size()));
    auto q = profiles::resolve(data.file("own-ca.json"));
    REQUIRE(q);
    const std::string e = error_of(*q, elsewhere.path());
    CHECK(e.find("att.key") != std::string::npos);
  }
  SUBCASE("a missing chain file") {
    fs::remove(data.file("chain.pem"));
    auto q = profiles::resolve(data.file("own-ca.json"));
    REQUIRE(q);
    CHECK(error_of(*q, elsewhere.path()).find("chain.pem: cannot be read") != std::string::npos);
  }
  SUBCASE("key without chain, or files with self attestation") {
    write(data.file("half.json"), R"({"id": "half", "name": "h", "attestation": "packed", "attestation_key_file": "a"})");
    auto half = profiles::resolve(data.file("half.json"));
    REQUIRE_FALSE(half);
    CHECK(half.error().find("go together") != std::string::npos);
    write(data.file("selfy.json"),
          R"({"id": "selfy", "name": "s", "attestation": "self", "attestation_key_file": "a", "attestation_chain_file": "b"})");
    auto selfy = profiles::resolve(data.file("selfy.json"));
    REQUIRE_FALSE(selfy);
    CHECK(selfy.error().find("only with \"attestation\": \"packed\"") != std::string::npos);
  }
}

TEST_CASE("metadata statement: what a relying party needs to trust a profile") {
  TempDir data;
  OpenSslRng rng;
  auto p = builtin("yubikey-like");
  REQUIRE(host::provide_attestation(p, data.path(), rng));
  auto root = host::attestation_root(p, data.path(), rng);
  REQUIRE(root);
  const auto j = host::metadata_statement(p, *root);
  CHECK(j["aaguid"] == profiles::format_uuid(p.model.aaguid));
  CHECK(j["protocolFamily"] == "fido2");
  CHECK(j["attestationTypes"] == nlohmann::ordered_json::array({"basic_full"}));
  CHECK(j["authenticatorGetInfo"]["aaguid"] == to_hex(p.model.aaguid));
  CHECK(j["authenticatorGetInfo"]["options"]["clientPin"].is_boolean());
  // The relying party's reader takes it, with the root as its trust anchor.
  auto s = rp::MetadataStore::parse_statement(nlohmann::json(j), "export");
  INFO((s ? std::string() : s.error()));
  REQUIRE(s);
  REQUIRE(s->attestation_root_certificates.size() == 1);
  CHECK(s->attestation_root_certificates.front().der() == root->der());
  CHECK(s->aaguid == p.model.aaguid);

  // A synced provider: no attestation, no roots, software key protection.
  auto gpm = builtin("google-password-manager");
  const auto g = host::metadata_statement(gpm, std::nullopt);
  CHECK(g["attestationTypes"] == nlohmann::ordered_json::array({"none"}));
  CHECK(g["attestationRootCertificates"].empty());
  CHECK(g["keyProtection"] == nlohmann::ordered_json::array({"software"}));
  CHECK(rp::MetadataStore::parse_statement(nlohmann::json(g), "gpm"));
}
