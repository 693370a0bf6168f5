// The CTAP2 authenticator: bytes in, bytes out, plus an asynchronous user-presence answer.
// Transports call handle(); tests mostly call the typed process() (style.md §2). The core is
// single-threaded: call it from one executor only.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <string>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/credential_import.h"
#include "authenticator/device_state.h"
#include "authenticator/env/env.h"
#include "authenticator/profile.h"

namespace vfido {

class Authenticator {
 public:
  using Reply = std::function<void(Bytes)>;

  Authenticator(AuthenticatorProfile profile, Env env);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // One CTAP2 message: command byte || CBOR parameters (CTAP 2.1 §8.1). Returns the response
  // (status byte || CBOR) at once, or nullopt when the command waits for the user; `later` is
  // then called exactly once with the response: after the user answers, after cancel(), or
  // after poll() sees the presence timeout. Never throws; a last-resort catch answers
  // CTAP1_ERR_OTHER. A handle() while another request is pending answers
  // CTAP2_ERR_USER_ACTION_PENDING (the CTAPHID layer already prevents it).
  std::optional<Bytes> handle(ByteSpan request, Reply later);

  // One CTAP1/U2F request APDU (CTAPHID_MSG, CTAP 2.1 §11.2.9.1.1): the response APDU (data ||
  // status word), always at once — U2F answers "touch needed" (0x6985) and the host retries
  // while the user is asked (u2f/u2f.h). For profiles that list "U2F_V2"; never throws.
  Bytes handle_u2f(ByteSpan apdu);

  // CTAPHID_CANCEL (CTAP 2.1 §11.2.9.1.5): a pending request ends with KEEPALIVE_CANCEL.
  // A no-op when nothing is pending.
  void cancel();

  // Checks timers against env.clock: the user-presence timeout (profile.up_timeout_ms), which
  // ends a pending request with CTAP2_ERR_USER_ACTION_TIMEOUT. Transports call it every tick.
  void poll();

  // Power cycle (unplug and plug in again): drops volatile state — pinUvAuthTokens, key
  // agreement keys, the consecutive PIN mismatch count, any pending request (answered
  // CTAP2_ERR_KEEPALIVE_CANCEL) and command continuations — and restarts the reset window.
  // Persistent state (PIN, retry counters, settings, credentials) is kept.
  void power_cycle();

  // The persistent state as the core holds it (for tools and tests).
  const DeviceState& device_state() const;

  // True while a request waits for the user (the transport sends KEEPALIVE UPNEEDED).
  bool waiting_for_user() const;

  const AuthenticatorProfile& profile() const;

  // ---- For tools (the control API), not CTAP commands. ----

  // WebAuthn L3 §11.5 Add Credential: checks `in` against the profile (import_record() in
  // credential_import.h), stores it under its own ID (CredentialStore::import), and with a
  // largeBlob adds its entry to the large-blob array. The error is a sentence for the user.
  tl::expected<void, std::string> import_credential(CredentialImport in);

  // The large blob of a credential (WebAuthn L3 §11.6 Get Credentials, largeBlob), compressed as
  // stored; nullopt when it has no largeBlobKey or no entry opens under it.
  std::optional<LargeBlob> large_blob_of(const CredentialRecord& cred) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vfido
