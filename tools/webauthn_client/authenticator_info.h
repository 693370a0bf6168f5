// What a client learns about an authenticator from authenticatorGetInfo (CTAP 2.1 §6.4) before
// it maps WebAuthn options onto CTAP (ctap-reference.md §14.6), read through libfido2.
#pragma once

#include <fido.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace vfido::webauthn {

struct AuthenticatorInfo {
  std::vector<std::string> versions;
  std::vector<std::string> extensions;
  std::vector<std::string> transports;
  std::vector<std::int64_t> algorithms;  // empty when the authenticator does not list them
  std::string aaguid_hex;
  bool fido2 = true;                     // false: a U2F-only device (libfido2 speaks CTAP1)
  // Options: nullopt when absent from getInfo.
  std::optional<bool> rk, up, uv, client_pin, pin_uv_auth_token, make_cred_uv_not_rqd, always_uv, large_blobs, cred_mgmt;
  std::uint64_t max_cred_blob_length = 0;

  bool has_extension(const std::string& id) const;
  bool supports_alg(std::int64_t alg) const;
  // A PIN is set or built-in UV is enrolled (CTAP 2.1 §6.4 "protected by some form of UV").
  bool is_protected() const { return client_pin.value_or(false) || uv.value_or(false); }
  bool can_do_uv() const { return client_pin.has_value() || uv.value_or(false); }
  // WebAuthn "authenticator attachment modality": platform when it lists only "internal"
  // (or internal and hybrid: a phone or a synced provider), cross-platform otherwise.
  bool is_platform() const;
  // Whether a browser reaches it as a roaming device (USB, NFC, BLE) rather than built in or
  // over hybrid: what Chromium's attestation erasure distinguishes.
  bool is_roaming() const;
};

// getInfo through libfido2 (fido_dev_get_cbor_info); U2F-only devices get a minimal record.
tl::expected<AuthenticatorInfo, int> read_authenticator_info(fido_dev_t* dev);

// "FIDO_2_0,FIDO_2_1 rk uv=true clientPin=false ...": one line for transcripts.
std::string summarize(const AuthenticatorInfo& info);

}  // namespace vfido::webauthn
