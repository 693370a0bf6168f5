#include "authenticator/pin_uv_auth/token_state.h"

namespace vfido::pin_uv_auth {

void TokenState::begin_using(bool user_is_present, std::uint64_t now_ms) {
  stop_using();
  user_present_ = user_is_present;
  user_verified_ = true;
  started_ms_ = now_ms;
  in_use_ = true;
}

void TokenState::observe(std::uint64_t now_ms) {
  if (!in_use_) return;  // "If the usage timer is not running, return."
  const std::uint64_t age = now_ms >= started_ms_ ? now_ms - started_ms_ : 0;
  // The overall usage timer reached the max usage time period.
  if (age >= max_usage_ms_) {
    stop_using();
    return;
  }
  // The user present time limit (the initial usage time limit) is reached.
  if (age >= initial_usage_ms_) {
    clear_user_present();
    // The initial usage time limit is reached without the token being used.
    if (!used_) stop_using();
  }
}

void TokenState::stop_using() {
  in_use_ = false;
  used_ = false;
  user_present_ = false;
  user_verified_ = false;
  permissions_ = 0;
  rp_id_.reset();
  started_ms_ = 0;
}

}  // namespace vfido::pin_uv_auth
