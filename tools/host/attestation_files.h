// Attestation material for models that attest (profiles with "attestation": "packed", and
// enterprise attestation): the key and certificate chain makeCredential and U2F sign with.
//   - A profile may name PEM files (attestation_key_file, attestation_chain_file).
//   - Otherwise vfido makes a CA for the profile once — a self-signed root and an intermediate,
//     P-256 — and keeps it with the attestation certificates it issues under
//     <data dir>/attestation/<profile id>/ (directory 0700, private keys 0600):
//       root.pem root.key intermediate.pem intermediate.key
//       attestation-<aaguid>.pem/.key   the attestation certificate for that AAGUID (WebAuthn §8.2.1)
//       enterprise-<aaguid>.pem/.key    the same with a device serial number (§8.2.2)
//     so that relying parties can be given the root once (`vfido metadata export`) and every
//     run of the profile attests under it, also with an --aaguid override.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "authenticator/crypto/x509.h"
#include "profiles/profile_json.h"

namespace vfido {
class Rng;
}

namespace vfido::host {

// <data dir>/attestation/<profile id>.
std::string attestation_dir(const std::string& data_dir, const std::string& profile_id);

// Gives `profile` the material its model needs (nothing for none/self attestation without
// enterprise attestation). Errors name the file and the problem.
tl::expected<void, std::string> provide_attestation(profiles::Profile& profile, const std::string& data_dir, Rng& rng);

// The profile CA's root certificate (made if missing), for metadata statements.
tl::expected<crypto::Certificate, std::string> attestation_root(const profiles::Profile& profile,
                                                                const std::string& data_dir, Rng& rng);

}  // namespace vfido::host
