// What a relying party stores for a registered credential (WebAuthn L3 §7.1 step 27
// "credential record"), plus what it learned about the attestation, which the policy engine
// reads: the AAGUID, the attestation type and whether its trust path reached an anchor, and
// the backup flags as credentialDeviceType ("singleDevice"/"multiDevice") and backedUp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"
#include "authenticator/ctap_constants.h"

namespace vfido::rp {

// WebAuthn §6.5.3 attestation types, as the verification procedures of §8 report them.
enum class AttestationType : std::uint8_t {
  kNone,       // fmt "none"
  kSelf,       // packed without x5c
  kBasic,      // x5c, metadata says basic_full (or cannot tell otherwise: see kUncertain)
  kAttCa,      // x5c, metadata says attca
  kUncertain,  // x5c without metadata to tell Basic from AttCA (§8.2 "or uncertainty")
};

// Whether the attestation trust path reached a trust anchor (§7.1 step 23).
enum class TrustResult : std::uint8_t {
  kNotApplicable,  // none or self attestation: nothing to chain
  kTrusted,        // x5c chains to a root of the matching metadata statement
  kNoMetadata,     // x5c, but no metadata statement for this AAGUID / key identifier
  kUntrusted,      // a metadata statement exists and the chain does not validate against it
};

std::string_view to_string(AttestationType t);
std::string_view to_string(TrustResult t);

struct CredentialRecord {
  Bytes id;                          // credential ID
  std::string rp_id;
  Bytes user_handle;                 // user.id of the account it was registered for
  cbor::Value public_key;            // COSE_Key
  std::int64_t algorithm = 0;        // COSE alg of the key
  std::uint32_t sign_count = 0;
  bool uv_initialized = false;       // UV at registration (§7.1 step 27)
  std::vector<std::string> transports;
  bool backup_eligible = false;      // BE at registration; fixed for the credential
  bool backup_state = false;         // BS, updated at every sign-in
  // Attestation facts.
  ByteArray<kAaguidLen> aaguid{};
  std::string attestation_format;    // "none", "packed", "fido-u2f"
  AttestationType attestation_type = AttestationType::kNone;
  TrustResult trust = TrustResult::kNotApplicable;
  std::string trust_detail;          // why (un)trusted, or the metadata description
  std::string metadata_description;  // of the matching statement, when there is one
  std::string attestation_subject;   // the attestation certificate's subject, when x5c was sent

  // simplewebauthn's names for the backup flags.
  std::string credential_device_type() const { return backup_eligible ? "multiDevice" : "singleDevice"; }
  bool backed_up() const { return backup_state; }
};

nlohmann::json to_json(const CredentialRecord& c);
tl::expected<CredentialRecord, std::string> credential_record_from_json(const nlohmann::json& j);

}  // namespace vfido::rp
