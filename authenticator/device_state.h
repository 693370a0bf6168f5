// The authenticator's own persistent state, apart from its credentials (style.md §10
// PersistentState): the PIN (CTAP 2.1 §6.5.5.5 CurrentStoredPIN and PINCodePointLength), the
// retry counters (§6.5.2), the settings authenticatorConfig changes (§6.11: alwaysUv, enterprise
// attestation, minimum PIN length, its RP ID list, forcePINChange) and the serialized large-blob
// array (§6.10). The core keeps it in memory and writes it through the StateStore port after
// every change; it is encoded as a CTAP2-canonical CBOR map with a version number.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/credential_store.h"
#include "authenticator/crypto/secret.h"
#include "authenticator/profile.h"

namespace vfido {

// LEFT(SHA-256(PIN), 16) (CTAP 2.1 §6.5.5.5 step 12).
inline constexpr std::size_t kPinHashLen = 16;

struct StoredPin {
  crypto::Secret<kPinHashLen> hash;
  std::uint32_t code_points = 0;  // PINCodePointLength
};

// The serialized large-blob array when nothing was written: CBOR [] (0x80) followed by
// LEFT(SHA-256(0x80), 16) (CTAP 2.1 §6.10.2).
Bytes initial_large_blob_array();

struct DeviceState {
  std::optional<StoredPin> pin;
  std::uint8_t pin_retries = 8;
  std::uint8_t uv_retries = 8;
  std::uint32_t min_pin_length = 4;
  std::vector<std::string> min_pin_length_rp_ids;
  bool force_pin_change = false;
  bool always_uv = false;
  bool enterprise_attestation = false;  // enabled (only meaningful when the profile is capable)
  Bytes large_blob_array = initial_large_blob_array();

  // The state of a fresh (or freshly reset) authenticator of this model.
  static DeviceState initial(const AuthenticatorProfile& profile);

  Bytes encode() const;
  // Strict: an unknown version, a missing or mistyped field, or trailing bytes are an error that
  // names the problem.
  static tl::expected<DeviceState, std::string> decode(ByteSpan bytes);
};

// StateStore port: where DeviceState lives. credstore/ implements it (memory, SQLite); the core
// calls load() once at start-up and save() after every change.
class StateStore {
 public:
  virtual ~StateStore() = default;
  // nullopt: nothing was ever saved (a new authenticator).
  virtual StoreResult<std::optional<Bytes>> load_state() = 0;
  // Replaces the saved state atomically.
  virtual StoreResult<void> save_state(ByteSpan encoded) = 0;
};

}  // namespace vfido
