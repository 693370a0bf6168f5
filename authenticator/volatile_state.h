// What the authenticator forgets at a power cycle (CTAP 2.1 §6.5.5.1 "initialize" and
// §6.5.2.1): the key-agreement key and the pinUvAuthToken of each PIN/UV auth protocol, the
// token's state, the count of consecutive PIN mismatches since power-up (§6.5.2.2), and the
// power-up time that bounds authenticatorReset (§6.6). Authenticator::power_cycle() replaces
// the whole object; secrets are wiped as it goes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/secret.h"
#include "authenticator/pin_uv_auth/protocol.h"
#include "authenticator/pin_uv_auth/token_state.h"
#include "authenticator/profile.h"

namespace vfido {

class Rng;

inline constexpr std::size_t kPinUvAuthTokenLen = 32;  // CTAP 2.1 §6.5.5.1: 32 bytes

class VolatileState {
 public:
  VolatileState(const AuthenticatorProfile& profile, std::uint64_t now_ms, Rng& rng);

  std::uint64_t power_up_ms() const { return power_up_ms_; }

  // getPublicKey()'s key for protocol `p`, made on first use after power-up or regenerate().
  Result<const crypto::EcdhKey*> key_agreement(pin_uv_auth::ProtocolId p, Rng& rng);
  // regenerate(): the next key_agreement() makes a new key (after a PIN mismatch, §6.5.5.6).
  void regenerate(pin_uv_auth::ProtocolId p);

  // The current pinUvAuthToken of protocol `p`.
  ByteSpan token(pin_uv_auth::ProtocolId p) const;
  // resetPinUvAuthToken() for every protocol: new random tokens, and the state stops.
  void reset_pin_uv_auth_tokens(Rng& rng);

  pin_uv_auth::TokenState& token_state() { return token_state_; }
  const pin_uv_auth::TokenState& token_state() const { return token_state_; }

  // Consecutive PIN mismatches since power-up; 3 block PIN operations (PIN_AUTH_BLOCKED).
  std::uint8_t pin_mismatches = 0;

  // When the user last touched the key for a U2F request that has not used the touch yet
  // (u2f/u2f.h: U2F answers "touch needed" and the host retries).
  std::optional<std::uint64_t> u2f_touch_ms;

 private:
  static std::size_t index(pin_uv_auth::ProtocolId p) { return p == pin_uv_auth::ProtocolId::kOne ? 0 : 1; }

  std::uint64_t power_up_ms_;
  std::array<std::optional<crypto::EcdhKey>, 2> key_agreement_;
  std::array<crypto::Secret<kPinUvAuthTokenLen>, 2> tokens_;
  pin_uv_auth::TokenState token_state_;
};

}  // namespace vfido
