// FIDO metadata statements (FIDO Metadata Statement v3.0, §4 "Metadata Keys") as trust anchors
// for attestation: what `vfido metadata export` writes and what the FIDO MDS3 BLOB carries.
// Read from JSON in three shapes:
//   a single statement object              {"aaguid": ..., "attestationRootCertificates": [...]}
//   a list of statements                   [{...}, {...}]
//   an MDS3 BLOB payload (FIDO MDS 3.0 §3.1.6) {"entries": [{"aaguid": ..., "metadataStatement": {...}}]}
// Only the members trust decisions need are interpreted; the whole statement is kept as JSON.
// A signed BLOB (a JWT) is not read: its signature would have to be checked first.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/crypto/x509.h"
#include "authenticator/ctap_constants.h"

namespace vfido::rp {

struct MetadataStatement {
  std::optional<ByteArray<kAaguidLen>> aaguid;  // FIDO2 authenticators
  // FIDO U2F authenticators: hex SHA-1 key identifiers (RFC 5280 §4.2.1.2) of attestation certs.
  std::vector<std::string> attestation_certificate_key_identifiers;
  std::string description;
  std::vector<crypto::Certificate> attestation_root_certificates;  // base64 DER in the JSON
  std::vector<std::string> attestation_types;  // "basic_full", "basic_surrogate", "attca", "anonca", "none"
  std::vector<std::string> key_protection;     // "hardware", "secure_element", "software", ...
  std::string protocol_family;                 // "fido2", "u2f", "uaf"
  nlohmann::json raw;
};

class MetadataStore {
 public:
  // Parses `json_text` in any of the three shapes above. `source` names the file in errors
  // ("vendor.json: statement 2: attestationRootCertificates[0] is not base64 DER").
  static tl::expected<MetadataStore, std::string> parse(std::string_view json_text, const std::string& source);
  static tl::expected<MetadataStore, std::string> load_file(const std::string& path);
  // Parses one statement object (`where` prefixes errors).
  static tl::expected<MetadataStatement, std::string> parse_statement(const nlohmann::json& j, const std::string& where);

  void add(MetadataStatement s) { statements_.push_back(std::move(s)); }
  // Adds every statement of `other`.
  void merge(const MetadataStore& other);

  const MetadataStatement* find_by_aaguid(const ByteArray<kAaguidLen>& aaguid) const;
  const MetadataStatement* find_by_key_identifier(std::string_view hex) const;
  const std::vector<MetadataStatement>& statements() const { return statements_; }

 private:
  std::vector<MetadataStatement> statements_;
};

// "3d92011f-b552-406d-b137-63434ee000d5" for 16 bytes.
std::string format_aaguid(const ByteArray<kAaguidLen>& aaguid);
std::optional<ByteArray<kAaguidLen>> parse_aaguid(std::string_view text);

}  // namespace vfido::rp
