// pinUvAuthToken state (CTAP 2.1 §6.5.2.1): whether the token is in use, its permissions and
// permissions RP ID, the userVerified and userPresent flags, and its timers. Named after the
// spec's operations. The core has no timer thread, so the usage-timer observer runs lazily:
// observe(now) is called before every use of the token (and from Authenticator::poll()).
//
// Timers: a token not used in an authenticator operation within the initial usage time limit
// stops; once used it lives until the maximum usage period (no rolling timer). The userPresent
// flag lapses after the user-present time limit (equal to the initial usage time limit).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfido::pin_uv_auth {

// §6.5.5.7 pinUvAuthToken permissions (the `permissions` parameter of clientPIN 0x06/0x09).
namespace permission {
inline constexpr std::uint8_t kMc = 0x01;    // makeCredential
inline constexpr std::uint8_t kGa = 0x02;    // getAssertion
inline constexpr std::uint8_t kCm = 0x04;    // credentialManagement
inline constexpr std::uint8_t kBe = 0x08;    // bioEnrollment
inline constexpr std::uint8_t kLbw = 0x10;   // largeBlobs write
inline constexpr std::uint8_t kAcfg = 0x20;  // authenticatorConfig
inline constexpr std::uint8_t kDefined = kMc | kGa | kCm | kBe | kLbw | kAcfg;
}  // namespace permission

class TokenState {
 public:
  TokenState(std::uint64_t initial_usage_ms, std::uint64_t max_usage_ms)
      : initial_usage_ms_(initial_usage_ms), max_usage_ms_(max_usage_ms) {}

  // beginUsingPinUvAuthToken(userIsPresent): userVerified true, timers started, in use.
  void begin_using(bool user_is_present, std::uint64_t now_ms);
  // pinUvAuthTokenUsageTimerObserver(), evaluated at `now_ms`.
  void observe(std::uint64_t now_ms);
  // The token took part in an authenticator operation (ends the initial usage window).
  void mark_used() { used_ = true; }
  // stopUsingPinUvAuthToken(): back to the initial values.
  void stop_using();

  bool in_use() const { return in_use_; }
  // getUserPresentFlagValue() / getUserVerifiedFlagValue(): false when not in use.
  bool user_present() const { return in_use_ && user_present_; }
  bool user_verified() const { return in_use_ && user_verified_; }
  void clear_user_present() {
    if (in_use_) user_present_ = false;
  }
  void clear_user_verified() {
    if (in_use_) user_verified_ = false;
  }
  void clear_permissions_except_lbw() {
    if (in_use_) permissions_ &= permission::kLbw;
  }

  void set_permissions(std::uint8_t p) { permissions_ = p; }
  bool has_permission(std::uint8_t p) const { return in_use_ && (permissions_ & p) == p; }
  std::uint8_t permissions() const { return in_use_ ? permissions_ : 0; }

  const std::optional<std::string>& rp_id() const { return rp_id_; }
  void set_rp_id(std::string_view rp_id) { rp_id_ = std::string(rp_id); }

 private:
  std::uint64_t initial_usage_ms_;
  std::uint64_t max_usage_ms_;
  bool in_use_ = false;
  bool used_ = false;
  bool user_present_ = false;
  bool user_verified_ = false;
  std::uint8_t permissions_ = 0;
  std::optional<std::string> rp_id_;
  std::uint64_t started_ms_ = 0;
};

}  // namespace vfido::pin_uv_auth
