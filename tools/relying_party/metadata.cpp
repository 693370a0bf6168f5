#include "tools/relying_party/metadata.h"

#include <cctype>
#include <fstream>
#include <sstream>

#include "authenticator/base64.h"

namespace vfido::rp {
namespace {

using json = nlohmann::json;
using Err = tl::unexpected<std::string>;

tl::expected<std::vector<std::string>, std::string> string_list(const json& j, const char* key, const std::string& where) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end()) return out;
  if (!it->is_array()) return Err(where + key + " is not an array");
  for (const auto& v : *it) {
    if (!v.is_string()) return Err(where + key + " holds a value that is not a string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string format_aaguid(const ByteArray<kAaguidLen>& a) {
  std::string hex = to_hex(a);
  for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

std::optional<ByteArray<kAaguidLen>> parse_aaguid(std::string_view text) {
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') return std::nullopt;
  std::string hex;
  for (char c : text) {
    if (c != '-') hex.push_back(c);
  }
  auto bytes = from_hex(hex);
  if (!bytes || bytes->size() != kAaguidLen) return std::nullopt;
  ByteArray<kAaguidLen> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

tl::expected<MetadataStatement, std::string> MetadataStore::parse_statement(const json& j, const std::string& where) {
  if (!j.is_object()) return Err(where + "is not a JSON object");
  MetadataStatement s;
  s.raw = j;
  if (auto it = j.find("aaguid"); it != j.end()) {
    if (!it->is_string()) return Err(where + "aaguid is not a string");
    s.aaguid = parse_aaguid(it->get<std::string>());
    if (!s.aaguid) return Err(where + "aaguid \"" + it->get<std::string>() + "\" is not a UUID");
  }
  auto ids = string_list(j, "attestationCertificateKeyIdentifiers", where);
  if (!ids) return Err(ids.error());
  for (auto& id : *ids) s.attestation_certificate_key_identifiers.push_back(lower(id));
  if (!s.aaguid && s.attestation_certificate_key_identifiers.empty() && !j.contains("aaid")) {
    return Err(where + "has neither aaguid, aaid nor attestationCertificateKeyIdentifiers");
  }
  if (auto it = j.find("description"); it != j.end() && it->is_string()) s.description = it->get<std::string>();
  if (auto it = j.find("protocolFamily"); it != j.end() && it->is_string()) s.protocol_family = it->get<std::string>();
  auto roots = string_list(j, "attestationRootCertificates", where);
  if (!roots) return Err(roots.error());
  for (std::size_t i = 0; i < roots->size(); ++i) {
    const std::string at = where + "attestationRootCertificates[" + std::to_string(i) + "] ";
    auto der = vfido::base64_decode((*roots)[i]);
    if (!der) return Err(at + "is not base64");
    auto cert = crypto::Certificate::from_der(*der);
    if (!cert) return Err(at + "is not a DER certificate: " + std::string(crypto::describe(cert.error())));
    s.attestation_root_certificates.push_back(*cert);
  }
  auto types = string_list(j, "attestationTypes", where);
  if (!types) return Err(types.error());
  s.attestation_types = *types;
  auto kp = string_list(j, "keyProtection", where);
  if (!kp) return Err(kp.error());
  s.key_protection = *kp;
  return s;
}

tl::expected<MetadataStore, std::string> MetadataStore::parse(std::string_view text, const std::string& source) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    if (text.find('.') != std::string_view::npos && text.find('{') == std::string_view::npos) {
      return Err(source + ": looks like a signed MDS3 BLOB (JWT); give its verified payload JSON instead");
    }
    return Err(source + ": not JSON");
  }
  MetadataStore store;
  auto add_one = [&](const json& stmt, const std::string& where) -> tl::expected<void, std::string> {
    auto s = parse_statement(stmt, where);
    if (!s) return Err(s.error());
    store.add(std::move(*s));
    return {};
  };
  if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      auto r = add_one(j[i], source + ": statement " + std::to_string(i + 1) + ": ");
      if (!r) return Err(r.error());
    }
  } else if (j.is_object() && j.contains("entries")) {
    const json& entries = j["entries"];
    if (!entries.is_array()) return Err(source + ": entries is not an array");
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const std::string where = source + ": entries[" + std::to_string(i) + "]: ";
      auto it = entries[i].find("metadataStatement");
      if (!entries[i].is_object() || it == entries[i].end()) continue;  // entries without a statement (status only)
      auto r = add_one(*it, where + "metadataStatement: ");
      if (!r) return Err(r.error());
    }
  } else if (j.is_object()) {
    auto r = add_one(j, source + ": ");
    if (!r) return Err(r.error());
  } else {
    return Err(source + ": neither a metadata statement, a list of them, nor an MDS3 payload");
  }
  return store;
}

tl::expected<MetadataStore, std::string> MetadataStore::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Err("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

void MetadataStore::merge(const MetadataStore& other) {
  for (const auto& s : other.statements_) statements_.push_back(s);
}

const MetadataStatement* MetadataStore::find_by_aaguid(const ByteArray<kAaguidLen>& aaguid) const {
  for (const auto& s : statements_) {
    if (s.aaguid && *s.aaguid == aaguid) return &s;
  }
  return nullptr;
}

const MetadataStatement* MetadataStore::find_by_key_identifier(std::string_view hex) const {
  const std::string want = lower(std::string(hex));
  for (const auto& s : statements_) {
    for (const auto& id : s.attestation_certificate_key_identifiers) {
      if (id == want) return &s;
    }
  }
  return nullptr;
}

}  // namespace vfido::rp
