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

bool contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
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

bool AuthenticatorProfile::needs_attestation_material() const {
  return attestation == AttestationMode::kBasic && !attestation_material;
}

bool AuthenticatorProfile::needs_enterprise_attestation_material() const {
  // CTAP 2.1 §7.1: an enterprise attestation can only be returned with an enterprise
  // certificate; a model that may return one (listed RP IDs or platform-managed) needs it.
  const bool may_attest_enterprise =
      enterprise_attestation && (!enterprise_attestation_rp_ids.empty() || platform_managed_enterprise_attestation);
  return may_attest_enterprise && attestation != AttestationMode::kNone && !enterprise_attestation_material;
}

tl::expected<void, std::string> AuthenticatorProfile::validate(Material material) const {
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
  if (always_discoverable && !resident_keys) return bad("always_discoverable: requires resident_keys");

  // CTAP 2.1 §6.4: the options and fields that depend on each other.
  const bool verifies = client_pin || built_in_uv.has_value();
  for (auto p : pin_uv_auth_protocols) {
    if (p != 1 && p != 2) return bad("pin_uv_auth_protocols: each must be 1 or 2");
  }
  if (has_duplicates(pin_uv_auth_protocols)) return bad("pin_uv_auth_protocols: duplicate entry");
  if (verifies && pin_uv_auth_protocols.empty()) {
    return bad("pin_uv_auth_protocols: at least one is required with client_pin or built_in_uv");
  }
  if (pin_uv_auth_token && !verifies) return bad("pin_uv_auth_token: requires client_pin or built_in_uv");
  if (contains(versions, "FIDO_2_1") && !pin_uv_auth_token) {
    return bad("versions: \"FIDO_2_1\" requires pin_uv_auth_token (CTAP 2.1 §6.4)");
  }
  if (no_mc_ga_permissions_with_client_pin && !client_pin) {
    return bad("no_mc_ga_permissions_with_client_pin: requires client_pin");
  }
  if (no_mc_ga_permissions_with_client_pin && !built_in_uv) {
    return bad("no_mc_ga_permissions_with_client_pin: requires built_in_uv (nothing could sign)");
  }
  if (always_uv && !verifies) return bad("always_uv: requires client_pin or built_in_uv");
  if (make_cred_uv_not_rqd && !verifies) return bad("make_cred_uv_not_rqd: requires client_pin or built_in_uv");
  if (cred_mgmt && !verifies) return bad("cred_mgmt: requires client_pin or built_in_uv");
  if (cred_mgmt && !resident_keys) return bad("cred_mgmt: requires resident_keys");
  if (large_blobs && max_serialized_large_blob_array < 1024) {
    return bad("max_serialized_large_blob_array: must be >= 1024");
  }
  if (large_blobs && !resident_keys) return bad("large_blobs: requires resident_keys");
  if (set_min_pin_length && !(authnr_cfg && client_pin)) {
    return bad("set_min_pin_length: requires authnr_cfg and client_pin");
  }
  if (authnr_cfg && !verifies) return bad("authnr_cfg: requires client_pin or built_in_uv");
  if (!enterprise_attestation && (!enterprise_attestation_rp_ids.empty() || platform_managed_enterprise_attestation)) {
    return bad("enterprise_attestation_rp_ids: requires enterprise_attestation");
  }
  constexpr std::array<std::string_view, 5> kKnownExtensions = {"credProtect", "hmac-secret", "credBlob",
                                                                "largeBlobKey", "minPinLength"};
  for (const auto& e : extensions) {
    if (!one_of(e, kKnownExtensions)) return bad("extensions: unknown or unimplemented extension \"" + e + "\"");
  }
  if (has_duplicates(extensions)) return bad("extensions: duplicate entry");
  auto lists = [&](std::string_view e) { return contains(extensions, e); };
  if (lists("credBlob") && max_cred_blob_length < 32) return bad("max_cred_blob_length: must be >= 32");
  if (lists("largeBlobKey") && !large_blobs) return bad("extensions: \"largeBlobKey\" requires large_blobs");
  if (lists("minPinLength") && !set_min_pin_length) {
    return bad("extensions: \"minPinLength\" requires set_min_pin_length");
  }
  if (lists("hmac-secret") && pin_uv_auth_protocols.empty()) {
    return bad("extensions: \"hmac-secret\" requires a PIN/UV auth protocol");
  }
  if (min_pin_length < 4 || min_pin_length > 63) return bad("min_pin_length: must be within 4..63");
  if (max_pin_retries == 0) return bad("max_pin_retries: must be > 0");
  if (built_in_uv && max_uv_retries == 0) return bad("max_uv_retries: must be > 0");
  if (pin_token_initial_usage_ms == 0 || pin_token_max_usage_ms < pin_token_initial_usage_ms) {
    return bad("pin_token_initial_usage_ms: must be > 0 and <= pin_token_max_usage_ms");
  }

  if (material == Material::kRequired && needs_enterprise_attestation_material()) {
    return bad("enterprise_attestation_material: required when enterprise attestation may be returned");
  }
  if (material == Material::kRequired && needs_attestation_material()) {
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
