// AuthenticatorProfile: the immutable configuration of one virtual authenticator model
// (style.md §10). Everything getInfo advertises (CTAP 2.1 §6.4) and every limit the core
// enforces comes from here, so that a profile can describe a real product. A plain struct with
// defaults that describe vfido's own device-bound key; issue 4 loads profiles from JSON.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
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

// vfido's own test AAGUID 3d92011f-b552-406d-b137-63434ee000d5.
inline constexpr ByteArray<kAaguidLen> kVfidoAaguid = {0x3d, 0x92, 0x01, 0x1f, 0xb5, 0x52, 0x40, 0x6d,
                                                       0xb1, 0x37, 0x63, 0x43, 0x4e, 0xe0, 0x00, 0xd5};

struct AuthenticatorProfile {
  // Human-readable model name, for logs and tools. Not sent on the wire. Must not be empty.
  std::string name = "vfido";

  // getInfo 0x03 and attested credential data (WebAuthn §6.5.1): the model's AAGUID.
  ByteArray<kAaguidLen> aaguid = kVfidoAaguid;

  // getInfo 0x01. Advertise only what is implemented: the core has no clientPIN, so no
  // "FIDO_2_1" (CTAP 2.1 §6.4 requires clientPin/pinUvAuthToken for it). Each entry one of
  // "U2F_V2", "FIDO_2_0", "FIDO_2_1_PRE", "FIDO_2_1", "FIDO_2_2"; at least one; no duplicates.
  std::vector<std::string> versions = {"FIDO_2_0"};

  // getInfo 0x0A: COSE algorithms in order of preference. makeCredential picks the first entry
  // of the RP's pubKeyCredParams that is in this list (CTAP 2.1 §6.1.2 step 3). Each must be
  // supported by crypto::PrivateKey (ES256 -7, EdDSA -8); at least one; no duplicates.
  std::vector<std::int64_t> algorithms = {cose::kAlgEs256, cose::kAlgEdDsa};

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

  // Checks every documented invariant above; the error names the offending field.
  tl::expected<void, std::string> validate() const;
};

}  // namespace vfido
