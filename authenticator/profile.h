// AuthenticatorProfile: the immutable configuration of one virtual authenticator model
// (style.md §10). Everything getInfo advertises (CTAP 2.1 §6.4) and every limit the core
// enforces comes from here, so that a profile can describe a real product. A plain struct with
// defaults that describe vfido's own device-bound key; issue 4 loads profiles from JSON.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/ctap_constants.h"

namespace vfido {

class AttestationMaterial;  // attestation.h: an attestation key and its certificate chain

// Which attestation statement makeCredential returns (WebAuthn L3 §8).
enum class AttestationMode : std::uint8_t {
  kNone,   // fmt "none", attStmt {} (WebAuthn §8.7)
  kSelf,   // fmt "packed" self attestation: signed with the credential key, no x5c (WebAuthn §8.2)
  kBasic,  // fmt "packed" with x5c: signed with attestation_material's key (WebAuthn §8.2, Basic/AttCA)
};

// WebAuthn §6.1.1 signature counter behaviour.
enum class SignCounter : std::uint8_t {
  kPerCredential,  // each credential counts its assertions
  kZero,           // always 0: the authenticator keeps no counter
};

// vfido's own test AAGUID 3d92011f-b552-406d-b137-63434ee000d5.
inline constexpr ByteArray<kAaguidLen> kVfidoAaguid = {0x3d, 0x92, 0x01, 0x1f, 0xb5, 0x52, 0x40, 0x6d,
                                                       0xb1, 0x37, 0x63, 0x43, 0x4e, 0xe0, 0x00, 0xd5};

struct AuthenticatorProfile {
  // Human-readable model name, for logs and tools. Not sent on the wire. Must not be empty.
  std::string name = "vfido";

  // getInfo 0x03 and attested credential data (WebAuthn §6.5.1): the model's AAGUID.
  ByteArray<kAaguidLen> aaguid = kVfidoAaguid;

  // getInfo 0x01. Each entry one of "U2F_V2", "FIDO_2_0", "FIDO_2_1_PRE", "FIDO_2_1",
  // "FIDO_2_2"; at least one; no duplicates. "FIDO_2_1" requires pin_uv_auth_token
  // (validate()); "U2F_V2" turns CTAP1/U2F on (serves_u2f()).
  std::vector<std::string> versions = {"U2F_V2", "FIDO_2_0", "FIDO_2_1_PRE", "FIDO_2_1"};

  // getInfo 0x0A: COSE algorithms in order of preference. makeCredential picks the first entry
  // of the RP's pubKeyCredParams that is in this list (CTAP 2.1 §6.1.2 step 3). Each must be
  // supported by crypto::PrivateKey (ES256 -7, EdDSA -8); at least one; no duplicates.
  std::vector<std::int64_t> algorithms = {cose::kAlgEs256, cose::kAlgEdDsa, cose::kAlgRs256};

  // The attestation statement makeCredential returns.
  AttestationMode attestation = AttestationMode::kSelf;

  // The attestation key and certificate chain for kBasic (required then). Its attestation
  // certificate's AAGUID extension, when present, must equal `aaguid` (WebAuthn §8.2.1), and it
  // must not carry the enterprise serial number (WebAuthn §8.2.2).
  std::shared_ptr<const AttestationMaterial> attestation_material;

  // The key and chain for enterprise attestation (CTAP 2.1 §7.1; WebAuthn §8.2.2); empty when the
  // model cannot do it. Its certificate must carry id-fido-gen-ce-sernum, and the AAGUID
  // extension if present must equal `aaguid`.
  std::shared_ptr<const AttestationMaterial> enterprise_attestation_material;

  // getInfo 0x05: the largest request (command byte + CBOR) accepted; larger requests get
  // CTAP2_ERR_REQUEST_TOO_LARGE. 1024..7609 (the CTAP 2.1 §6.4 default up to the largest
  // CTAPHID message, §11.2.4).
  std::uint32_t max_msg_size = 1200;

  // getInfo 0x07: the most allowList/excludeList entries a platform should send at once.
  // Must be > 0 (CTAP 2.1 §6.4). Longer lists are still processed (see make_credential.cpp).
  std::uint32_t max_credential_count_in_list = 8;

  // getInfo 0x08: the longest credential ID this authenticator issues. 16..1023 (WebAuthn §6.5.1
  // credentialIdLength <= 1023; 16 bytes is the least entropy worth having).
  std::uint32_t max_credential_id_length = 128;

  // getInfo 0x09: the transports this model claims ("usb", "nfc", "ble", "smart-card",
  // "hybrid", "internal"). At least one; no duplicates.
  std::vector<std::string> transports = {"usb"};

  // getInfo options "rk": whether discoverable credentials can be stored. When false,
  // makeCredential with rk=true gets CTAP2_ERR_UNSUPPORTED_OPTION (CTAP 2.1 §6.1.2 step 5).
  bool resident_keys = true;

  // getInfo 0x0E: firmware version, absent when nullopt. Default 0x000100 = vfido 0.1.0.
  std::optional<std::uint64_t> firmware_version = 0x000100;

  // How long the core waits for a touch before answering CTAP2_ERR_USER_ACTION_TIMEOUT
  // (Authenticator::poll). Must be > 0.
  std::uint64_t up_timeout_ms = 30000;

  // How long getAssertion state stays usable by getNextAssertion after the last
  // getAssertion/getNextAssertion (CTAP 2.1 §6.3 step 3: 30 seconds). Must be > 0.
  std::uint64_t next_assertion_timeout_ms = 30000;

  // WebAuthn §6.1 BE/BS for new credentials. A device-bound key has both false. BS without BE
  // is invalid (WebAuthn §6.1.3: BS=1 requires BE=1).
  bool backup_eligible = false;
  bool backup_state = false;

  // Every credential is made discoverable, whatever the request's rk option says: what synced
  // passkey providers do (they keep every passkey in the user's vault). The response reports
  // the credential like any other; getAssertion without an allowList finds it.
  bool always_discoverable = false;

  // The signature counter (WebAuthn §6.1.1): one per credential, or always 0 — what synced
  // passkey providers report, since copies on several devices cannot keep one count.
  SignCounter sign_counter = SignCounter::kPerCredential;

  // ---- CTAP 2.1 features (getInfo options, CTAP 2.1 §6.4). A feature that is off is neither
  // advertised nor served: its command answers CTAP1_ERR_INVALID_COMMAND. ----

  // "clientPin": authenticatorClientPIN with the protocols below. getInfo says false until a
  // PIN is set, true afterwards.
  bool client_pin = true;
  // getInfo 0x06: PIN/UV auth protocols in order of preference, each 1 or 2; non-empty when
  // client_pin or built_in_uv is set.
  std::vector<std::uint64_t> pin_uv_auth_protocols = {2, 1};
  // "pinUvAuthToken": getPinUvAuthTokenUsing{Pin,Uv}WithPermissions and the permission model
  // (CTAP 2.1 §6.5.5.7). Without it only the legacy getPinToken (0x05) is served.
  bool pin_uv_auth_token = true;
  // "uv": built-in user verification (a fingerprint reader, say). nullopt: none (the option is
  // absent); false: capable but nothing enrolled; true: enrolled and usable. UV requests go
  // through the UserPresence port with PresenceRequest::verification set.
  std::optional<bool> built_in_uv;
  // getInfo 0x12 uvModality (FIDO registry USER_VERIFY_* bits), sent when built_in_uv is set;
  // 0x02 = fingerprint.
  std::uint32_t uv_modality = 0x02;
  // "noMcGaPermissionsWithClientPin": PIN-derived tokens cannot get mc/ga (CTAP 2.1 §6.4).
  bool no_mc_ga_permissions_with_client_pin = false;
  // "makeCredUvNotRqd": a protected device may make non-discoverable credentials without UV.
  bool make_cred_uv_not_rqd = true;
  // "alwaysUv" at first power-up (authenticatorConfig toggleAlwaysUv changes it later; the
  // option is advertised whenever authnr_cfg is on or this is true).
  bool always_uv = false;
  // authenticatorCredentialManagement: "credMgmt" (0x0A) when versions lists "FIDO_2_1", and the
  // FIDO_2_1_PRE prototype "credentialMgmtPreview" (0x41; without FIDO_2_1 it lacks
  // updateUserInformation).
  bool cred_mgmt = true;
  // "largeBlobs" and getInfo 0x0B maxSerializedLargeBlobArray (>= 1024).
  bool large_blobs = true;
  std::uint32_t max_serialized_large_blob_array = 4096;
  // "authnrCfg": authenticatorConfig (toggleAlwaysUv, and those enabled below).
  bool authnr_cfg = true;
  // "setMinPINLength": authenticatorConfig setMinPINLength (needs authnr_cfg); getInfo 0x10
  // maxRPIDsForSetMinPINLength.
  bool set_min_pin_length = true;
  std::uint32_t max_rp_ids_for_set_min_pin_length = 8;
  // "ep": enterprise attestation capability (CTAP 2.1 §7.1). nullopt: not capable (absent);
  // otherwise capable, and the value is whether it is enabled at first power-up.
  std::optional<bool> enterprise_attestation = false;
  // RP IDs preconfigured for vendor-facilitated enterprise attestation (CTAP 2.1 §7.1).
  std::vector<std::string> enterprise_attestation_rp_ids;
  // Whether platform-managed enterprise attestation (value 2) is offered.
  bool platform_managed_enterprise_attestation = false;
  // getInfo 0x02 extensions, each one the core implements: "credProtect", "hmac-secret",
  // "credBlob", "largeBlobKey", "minPinLength". An extension not listed is ignored.
  std::vector<std::string> extensions = {"credProtect", "hmac-secret", "credBlob", "largeBlobKey", "minPinLength"};
  // getInfo 0x0F maxCredBlobLength (>= 32), when "credBlob" is listed.
  std::uint32_t max_cred_blob_length = 32;
  // getInfo 0x0D: minimum PIN length in Unicode code points at first power-up (>= 4).
  std::uint32_t min_pin_length = 4;
  // Persistent PIN retries (CTAP 2.1 §6.5.2: 8) and built-in UV retries.
  std::uint8_t max_pin_retries = 8;
  std::uint8_t max_uv_retries = 8;
  // getInfo 0x11 preferredPlatformUvAttempts, sent when built_in_uv is set.
  std::uint32_t preferred_platform_uv_attempts = 3;
  // How long after power-up authenticatorReset is allowed (CTAP 2.1 §6.6: 10 s). 0: always.
  std::uint64_t reset_window_ms = 10000;
  // pinUvAuthToken timers (CTAP 2.1 §6.5.2.1): initial usage time limit (30 s over USB), and
  // the maximum usage period after which the token stops being valid (10 minutes).
  std::uint64_t pin_token_initial_usage_ms = 30000;
  std::uint64_t pin_token_max_usage_ms = 600000;
  // CTAP1/U2F over CTAPHID_MSG (ctap-reference §11) is served exactly when versions lists
  // "U2F_V2".
  bool serves_u2f() const { return has_version("U2F_V2"); }

  bool has_extension(std::string_view id) const {
    for (const auto& e : extensions) {
      if (e == id) return true;
    }
    return false;
  }
  bool has_version(std::string_view v) const {
    for (const auto& x : versions) {
      if (x == v) return true;
    }
    return false;
  }

  // Whether validate() insists that the attestation material a model needs is present.
  // kLater: a profile read from a file, whose material tools provide afterwards
  // (tools/host/attestation_files.h); material that is present is still checked.
  enum class Material : std::uint8_t { kRequired, kLater };

  // Checks every documented invariant above; the error names the offending field.
  tl::expected<void, std::string> validate(Material material = Material::kRequired) const;

  // Whether this model signs with attestation material it does not have yet: basic
  // attestation, or enterprise attestation it may return.
  bool needs_attestation_material() const;
  bool needs_enterprise_attestation_material() const;
};

}  // namespace vfido
