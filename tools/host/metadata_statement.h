// An MDS3-style metadata statement for an authenticator model (FIDO Metadata Statement v3.0):
// what a relying party is given to trust a profile's attestation — its AAGUID, description,
// attestation types, attestationRootCertificates (the profile CA's root for "packed"
// attestation), key protection and the authenticatorGetInfo the model answers. vfido's
// statements are for testing; their legalHeader says so.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "authenticator/crypto/x509.h"
#include "profiles/profile_json.h"

namespace vfido::host {

// `root`: the attestation trust anchor (required for packed attestation, absent otherwise).
nlohmann::ordered_json metadata_statement(const profiles::Profile& profile, const std::optional<crypto::Certificate>& root);

}  // namespace vfido::host
