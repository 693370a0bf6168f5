#include "authenticator/profile.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "authenticator/attestation.h"
#include "authenticator/crypto/keys.h"

namespace vfido {
namespace {

template <typename T>
bool has_duplicates(const std::vector<T>& v) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (std::find(v.begin() + static_cast<std::ptrdiff_t>(i) + 1, v.end(), v[i]) != v.end()) return true;
  }
  return false;
}

bool one_of(std::string_view s, std::span<const std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), s) != allowed.end();
}

// CTAP 2.1 §6.4 getInfo versions.
constexpr std::array<std::string_view, 5> kKnownVersions = {"U2F_V2", "FIDO_2_0", "FIDO_2_1_PRE", "FIDO_2_1",
                                                            "FIDO_2_2"};
// WebAuthn L3 §5.8.4 AuthenticatorTransport.
constexpr std::array<std::string_view, 6> kKnownTransports = {"usb", "nfc", "ble", "smart-card", "hybrid",
                                                              "internal"};

tl::unexpected<std::string> bad(std::string why) { return tl::unexpected<std::string>(std::move(why)); }

// WebAuthn §8.2.1: an AAGUID extension must match the AAGUID the profile reports; §8.2.2: the
// serial number belongs in enterprise attestation certificates only.
std::optional<std::string> material_problem(const AttestationMaterial& m, const ByteArray<kAaguidLen>& aaguid,
                                            bool enterprise) {
  const crypto::FidoExtensions& fido = m.fido_extensions();
  if (fido.aaguid && *fido.aaguid != aaguid) return "the certificate's AAGUID extension is not the profile's aaguid";
  if (enterprise && !fido.serial_number) return "the certificate has no id-fido-gen-ce-sernum extension";
  if (!enterprise && fido.serial_number) return "the certificate carries id-fido-gen-ce-sernum (enterprise only)";
  return std::nullopt;
}

}  // namespace

tl::expected<void, std::string> AuthenticatorProfile::validate() const {
  if (name.empty()) return bad("name: must not be empty");

  if (versions.empty()) return bad("versions: at least one is required");
  for (const auto& v : versions) {
    if (!one_of(v, kKnownVersions)) return bad("versions: unknown version \"" + v + "\"");
  }
  if (has_duplicates(versions)) return bad("versions: duplicate entry");

  if (algorithms.empty()) return bad("algorithms: at least one is required");
  for (auto alg : algorithms) {
    if (!crypto::PrivateKey::supports(alg)) return bad("algorithms: unsupported COSE algorithm " + std::to_string(alg));
  }
  if (has_duplicates(algorithms)) return bad("algorithms: duplicate entry");

  if (max_msg_size < kDefaultMaxMsgSize || max_msg_size > ctaphid::kMaxMessageLen) {
    return bad("max_msg_size: must be within 1024..7609");
  }
  if (max_credential_count_in_list == 0) return bad("max_credential_count_in_list: must be > 0");
  if (max_credential_id_length < 16 || max_credential_id_length > kMaxCredentialIdLen) {
    return bad("max_credential_id_length: must be within 16..1023");
  }

  if (transports.empty()) return bad("transports: at least one is required");
  for (const auto& t : transports) {
    if (!one_of(t, kKnownTransports)) return bad("transports: unknown transport \"" + t + "\"");
  }
  if (has_duplicates(transports)) return bad("transports: duplicate entry");

  if (up_timeout_ms == 0) return bad("up_timeout_ms: must be > 0");
  if (next_assertion_timeout_ms == 0) return bad("next_assertion_timeout_ms: must be > 0");
  // WebAuthn §6.1.3: BS may be set only when BE is set.
  if (backup_state && !backup_eligible) return bad("backup_state: requires backup_eligible");

  if (attestation == AttestationMode::kBasic && !attestation_material) {
    return bad("attestation_material: required for basic attestation");
  }
  if (attestation_material) {
    if (auto why = material_problem(*attestation_material, aaguid, false)) return bad("attestation_material: " + *why);
  }
  if (enterprise_attestation_material) {
    if (auto why = material_problem(*enterprise_attestation_material, aaguid, true)) {
      return bad("enterprise_attestation_material: " + *why);
    }
  }
  return {};
}

}  // namespace vfido
