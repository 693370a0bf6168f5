#include "tools/host/attestation_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "authenticator/attestation.h"
#include "authenticator/env/rng.h"
#include "profiles/profile_json.h"

namespace vfido::host {
namespace {

namespace fs = std::filesystem;
using Error = tl::unexpected<std::string>;

// Evaluate a tl::expected<void, std::string>; on error return it from the enclosing function.
#define VFIDO_TRY_STR(expr)              \
  do {                                   \
    auto vfido_try_str_ = (expr);        \
    if (!vfido_try_str_) {               \
      return Error(vfido_try_str_.error()); \
    }                                    \
  } while (false)

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` to `p` with `mode`, atomically (a temporary file renamed into place).
tl::expected<void, std::string> write_file(const fs::path& p, std::string_view text, mode_t mode) {
  const fs::path tmp = p.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Error(tmp.string() + ": cannot be written");
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      return Error(tmp.string() + ": write failed");
    }
    done += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec) return Error(p.string() + ": " + ec.message());
  return {};
}

tl::expected<void, std::string> write_key(const fs::path& p, const crypto::PrivateKey& key) {
  auto pem = crypto::private_key_to_pem(key);
  if (!pem) return Error(p.string() + ": " + std::string(crypto::describe(pem.error())));
  const ByteSpan b = pem->expose();
  return write_file(p, std::string_view(reinterpret_cast<const char*>(b.data()), b.size()), 0600);
}

tl::expected<crypto::PrivateKey, std::string> read_key(const fs::path& p) {
  auto text = read_file(p);
  if (!text) return Error(p.string() + ": cannot be read");
  auto key = crypto::private_key_from_pem(*text);
  crypto::cleanse(text->data(), text->size());
  if (!key) return Error(p.string() + ": " + std::string(crypto::describe(key.error())));
  return std::move(*key);
}

tl::expected<crypto::Certificate, std::string> read_cert(const fs::path& p) {
  auto text = read_file(p);
  if (!text) return Error(p.string() + ": cannot be read");
  auto cert = crypto::Certificate::from_pem(*text);
  if (!cert) return Error(p.string() + ": " + std::string(crypto::describe(cert.error())));
  return std::move(*cert);
}

tl::expected<void, std::string> make_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Error(dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  return {};
}

// The profile's CA: read from `dir`, or made and written there.
tl::expected<AttestationCa, std::string> load_or_make_ca(const profiles::Profile& p, const fs::path& dir, Rng& rng) {
  const fs::path root_pem = dir / "root.pem";
  if (fs::exists(root_pem)) {
    auto root = read_cert(root_pem);
    auto root_key = read_key(dir / "root.key");
    auto inter = read_cert(dir / "intermediate.pem");
    auto inter_key = read_key(dir / "intermediate.key");
    if (!root) return Error(root.error());
    if (!root_key) return Error(root_key.error());
    if (!inter) return Error(inter.error());
    if (!inter_key) return Error(inter_key.error());
    if (!root->certifies(*root_key) || !inter->certifies(*inter_key) || !inter->is_issued_by(*root)) {
      return Error(dir.string() + ": the CA files do not belong together");
    }
    return AttestationCa{std::move(*root_key), std::move(*root), std::move(*inter_key), std::move(*inter)};
  }
  VFIDO_TRY_STR(make_dir(dir));
  AttestationCaSpec spec;
  spec.root_subject = {"US", "vfido", "", p.model.name + " Attestation Root CA"};
  spec.intermediate_subject = {"US", "vfido", "", p.model.name + " Attestation CA 1"};
  auto ca = generate_attestation_ca(spec, rng);
  if (!ca) return Error("making the attestation CA of " + p.id + ": " + std::string(crypto::describe(ca.error())));
  VFIDO_TRY_STR(write_key(dir / "root.key", ca->root_key));
  VFIDO_TRY_STR(write_key(dir / "intermediate.key", ca->intermediate_key));
  VFIDO_TRY_STR(write_file(dir / "intermediate.pem", ca->intermediate.pem(), 0644));
  VFIDO_TRY_STR(write_file(root_pem, ca->root.pem(), 0644));  // last: its presence means "complete"
  return std::move(*ca);
}

// The attestation (or enterprise) certificate for the profile's AAGUID under `ca`.
tl::expected<std::shared_ptr<const AttestationMaterial>, std::string> load_or_issue(const profiles::Profile& p,
                                                                                     const AttestationCa& ca,
                                                                                     const fs::path& dir,
                                                                                     bool enterprise, Rng& rng) {
  const std::string stem = std::string(enterprise ? "enterprise-" : "attestation-") + profiles::format_uuid(p.model.aaguid);
  const fs::path pem = dir / (stem + ".pem");
  const fs::path key_file = dir / (stem + ".key");
  if (!fs::exists(pem)) {
    crypto::AttestationCertificateSpec leaf;
    leaf.country = "US";
    leaf.organization = "vfido";
    leaf.common_name = p.model.name + (enterprise ? " Enterprise Attestation" : " Attestation");
    leaf.aaguid = p.model.aaguid;
    leaf.firmware_version = p.model.firmware_version;
    if (enterprise) leaf.enterprise_serial_number = rng.bytes(16);  // one per device, kept
    auto material = issue_attestation_material(ca, leaf, rng);
    if (!material) return Error("issuing " + stem + ": " + std::string(crypto::describe(material.error())));
    VFIDO_TRY_STR(write_key(key_file, material->key()));
    VFIDO_TRY_STR(write_file(pem, material->certificate().pem(), 0644));
  }
  auto key = read_key(key_file);
  if (!key) return Error(key.error());
  auto leaf = read_cert(pem);
  if (!leaf) return Error(leaf.error());
  auto material = AttestationMaterial::create(std::move(*key), {std::move(*leaf), ca.intermediate, ca.root});
  if (!material) return Error(pem.string() + ": " + std::string(crypto::describe(material.error())));
  return std::make_shared<const AttestationMaterial>(std::move(*material));
}

}  // namespace

std::string attestation_dir(const std::string& data_dir, const std::string& profile_id) {
  return (fs::path(data_dir) / "attestation" / profile_id).string();
}

tl::expected<void, std::string> provide_attestation(profiles::Profile& p, const std::string& data_dir, Rng& rng) {
  AuthenticatorProfile& m = p.model;
  if (!m.needs_attestation_material() && !m.needs_enterprise_attestation_material()) return {};
  if (!p.attestation_key_file.empty()) {
    // Supplied PEM files: the attestation key and its chain.
    auto key = read_file(p.attestation_key_file);
    auto chain = read_file(p.attestation_chain_file);
    if (!key) return Error(p.attestation_key_file + ": cannot be read");
    if (!chain) return Error(p.attestation_chain_file + ": cannot be read");
    auto material = AttestationMaterial::from_pem(*key, *chain);
    crypto::cleanse(key->data(), key->size());
    if (!material) {
      return Error(p.attestation_key_file + ", " + p.attestation_chain_file + ": " +
                   std::string(crypto::describe(material.error())));
    }
    m.attestation_material = std::make_shared<const AttestationMaterial>(std::move(*material));
  }
  const fs::path dir = attestation_dir(data_dir, p.id);
  if (m.needs_attestation_material() || m.needs_enterprise_attestation_material()) {
    auto ca = load_or_make_ca(p, dir, rng);
    if (!ca) return Error(ca.error());
    if (m.needs_attestation_material()) {
      auto material = load_or_issue(p, *ca, dir, false, rng);
      if (!material) return Error(material.error());
      m.attestation_material = *material;
    }
    if (m.needs_enterprise_attestation_material()) {
      auto material = load_or_issue(p, *ca, dir, true, rng);
      if (!material) return Error(material.error());
      m.enterprise_attestation_material = *material;
    }
  }
  auto valid = m.validate();
  if (!valid) return Error(p.source + ": " + valid.error());
  return {};
}

tl::expected<crypto::Certificate, std::string> attestation_root(const profiles::Profile& p, const std::string& data_dir,
                                                                Rng& rng) {
  if (!p.attestation_chain_file.empty()) {
    auto chain = read_file(p.attestation_chain_file);
    if (!chain) return Error(p.attestation_chain_file + ": cannot be read");
    auto certs = crypto::parse_pem_chain(*chain);
    if (!certs || certs->empty()) return Error(p.attestation_chain_file + ": no certificates");
    return certs->back();
  }
  auto ca = load_or_make_ca(p, attestation_dir(data_dir, p.id), rng);
  if (!ca) return Error(ca.error());
  return std::move(ca->root);
}

}  // namespace vfido::host
