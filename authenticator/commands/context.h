// What every command handler works with: the profile, the ports (Env), the session state, and
// the "needs a touch first" step that makes user presence asynchronous (style.md §13).
// A handler runs until it needs the user, returns NeedsPresence with a continuation, and the
// Authenticator resumes it when UserPresence answers, when cancel() is called or when poll()
// sees the timeout.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "authenticator/bytes.h"
#include "authenticator/env/env.h"
#include "authenticator/extensions/inputs.h"
#include "authenticator/key_cache.h"
#include "authenticator/volatile_state.h"
#include "authenticator/profile.h"
#include "authenticator/result.h"

namespace vfido {

// How a request for user presence ended.
enum class PresenceOutcome : std::uint8_t {
  kApproved,  // the user touched the key
  kDenied,    // the user declined
  kTimedOut,  // profile.up_timeout_ms passed without an answer (Authenticator::poll)
};

// "Ask the user, then continue with `resume`." `resume` runs at most once, after the handler
// has returned, so it captures by value what it needs (and the Ctx by reference: it lives as
// long as the Authenticator).
template <typename R>
struct NeedsPresence {
  PresenceRequest request;
  std::function<Result<R>(PresenceOutcome)> resume;
};

// A handler's result: the response now, or a touch first.
template <typename R>
using Step = std::variant<R, NeedsPresence<R>>;

// What getAssertion remembers for getNextAssertion (CTAP 2.1 §6.2.2 step 12, §6.3).
struct AssertionState {
  std::string rp_id;
  ByteArray<kRpIdHashLen> rp_id_hash{};
  ByteArray<kClientDataHashLen> client_data_hash{};
  std::uint8_t up_flag = 0;            // flags::kUp or 0, as in the original response
  bool uv = false;                     // the original response's uv bit (user entity, hmac-secret)
  GetAssertionExtensions extensions;   // the original request's extension inputs
  std::optional<HmacSecretSalts> hmac_secret;  // its decrypted salts (wiped with the state)
  std::vector<Bytes> credential_ids;   // newest first; [0] went out with getAssertion
  std::size_t credential_counter = 1;  // index of the next one to return
  std::uint64_t last_ms = 0;           // env.clock at the last getAssertion/getNextAssertion
};

// What enumerateRPsBegin remembers for enumerateRPsGetNextRP (CTAP 2.1 §6.8.3).
struct RpEnumerationState {
  struct Rp {
    std::string id;
    std::optional<std::string> name;  // the stored rp.name, when one was given
  };
  std::vector<Rp> rps;      // [0] went out with enumerateRPsBegin
  std::size_t next = 1;     // index of the next one to return
  std::uint64_t last_ms = 0;  // env.clock at the last Begin/GetNext
};

// What enumerateCredentialsBegin remembers for enumerateCredentialsGetNextCredential (§6.8.4).
struct CredentialEnumerationState {
  std::string rp_id;
  std::vector<Bytes> credential_ids;  // newest first; [0] went out with enumerateCredentialsBegin
  std::size_t next = 1;
  std::uint64_t last_ms = 0;
};

// An authenticatorLargeBlobs write in progress (CTAP 2.1 §6.10.2 expectedLength and the
// incoming buffer, whose size is expectedNextOffset).
struct LargeBlobWrite {
  std::size_t expected_length = 0;
  Bytes buffer;
};

// Session state (style.md §10): cleared by any command that is not its continuation, except
// the large-blob write: §6.10.2 names no command that ends it (a set at offset 0 restarts it),
// so it lasts, like OpenSK's, until it completes, a reset or a power cycle.
struct SessionState {
  std::optional<AssertionState> assertions;
  std::optional<RpEnumerationState> rp_enumeration;
  std::optional<CredentialEnumerationState> credential_enumeration;
  std::optional<LargeBlobWrite> large_blob_write;
};

struct Ctx {
  const AuthenticatorProfile& profile;
  Env& env;
  SessionState& session;
  KeyCache& keys;        // loaded credential keys (key_cache.h)
  DeviceState& device;   // persistent state (device_state.h); call save_device() after a change
  VolatileState& vol;    // forgotten at a power cycle (volatile_state.h)

  // Writes `device` through the StateStore port; a failure is CTAP1_ERR_OTHER (logged).
  Result<void> save_device() const;
  std::uint64_t now_ms() const { return env.clock.now_ms(); }
  // CTAP 2.1 §6.1.2 "protected by some form of user verification": a PIN is set, or built-in
  // user verification is enrolled.
  bool is_protected() const { return device.pin.has_value() || profile.built_in_uv.value_or(false); }
  // "the clientPin option ID is present and noMcGaPermissionsWithClientPin is absent or false":
  // the status a missing pinUvAuthParam earns in makeCredential/getAssertion is then
  // CTAP2_ERR_PUAT_REQUIRED, otherwise CTAP2_ERR_OPERATION_DENIED (CTAP 2.1 §6.1.2 steps 6-8).
  CtapStatus uv_required_status() const {
    return profile.client_pin && !profile.no_mc_ga_permissions_with_client_pin ? CtapStatus::kPuatRequired
                                                                                 : CtapStatus::kOperationDenied;
  }

  // Logs why a request is refused (debug level; never secrets) and yields the status, so that
  // a check reads `if (...) return ctx.reject(CtapStatus::kX, "why");`.
  tl::unexpected<CtapStatus> reject(CtapStatus status, std::string_view why) const;
  void debug(std::string_view message) const;
};

}  // namespace vfido
