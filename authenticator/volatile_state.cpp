#include "authenticator/volatile_state.h"

#include "authenticator/env/rng.h"

namespace vfido {

VolatileState::VolatileState(const AuthenticatorProfile& profile, std::uint64_t now_ms, Rng& rng)
    : power_up_ms_(now_ms), token_state_(profile.pin_token_initial_usage_ms, profile.pin_token_max_usage_ms) {
  reset_pin_uv_auth_tokens(rng);
}

Result<const crypto::EcdhKey*> VolatileState::key_agreement(pin_uv_auth::ProtocolId p, Rng& rng) {
  auto& slot = key_agreement_[index(p)];
  if (!slot) {
    auto k = crypto::EcdhKey::generate(rng);
    if (!k) return fail(k.error());
    slot = std::move(*k);
  }
  return &*slot;
}

void VolatileState::regenerate(pin_uv_auth::ProtocolId p) { key_agreement_[index(p)].reset(); }

ByteSpan VolatileState::token(pin_uv_auth::ProtocolId p) const { return tokens_[index(p)].expose(); }

void VolatileState::reset_pin_uv_auth_tokens(Rng& rng) {
  for (auto& t : tokens_) rng.fill(t.expose_mut());
  token_state_.stop_using();
}

}  // namespace vfido
