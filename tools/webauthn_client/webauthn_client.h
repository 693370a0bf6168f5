// The WebAuthn client emulator: navigator.credentials.create() and get() (WebAuthn L3 §5.1.3,
// §5.1.4) for one authenticator reached through libfido2 (a fido_dev_t the caller opened: a
// vfido key over its Unix socket or UDP transport, or any /dev/hidrawN), as a browser or a
// password-manager extension (client_profile.h) would run them: origin and RP ID checks
// (rp_id.h), clientDataJSON (client_data.h), the mapping of options and extensions onto CTAP
// (ctap-reference.md §14.6), user verification by built-in UV or the user's PIN, and CTAP
// errors turned into DOMException names (dom_exception.h).
//
// One authenticator is present, so the spec's "drop the authenticator and keep waiting" ends
// in NotAllowedError at once, with the reason in the message. Timeouts and AbortSignal are not
// modelled: libfido2's own timeout on the fido_dev_t bounds every call.
#pragma once

#include <fido.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "tools/webauthn/public_key_credential.h"
#include "tools/webauthn_client/authenticator_info.h"
#include "tools/webauthn_client/caller_context.h"
#include "tools/webauthn_client/client_profile.h"
#include "tools/webauthn_client/dom_exception.h"
#include "tools/webauthn_client/options.h"
#include "tools/webauthn_client/public_suffix_list.h"
#include "tools/webauthn_client/related_origins.h"

namespace vfido::webauthn {

// One of several discoverable credentials offered in the account chooser.
struct AccountChoice {
  Bytes credential_id;
  Bytes user_id;
  std::string user_name;
  std::string user_display_name;
};

// What the simulated user does when the client asks.
struct Interaction {
  // The PIN typed when the authenticator needs one (clientPin set, no built-in UV). Without it
  // such a request ends in NotAllowedError, as when the user closes the PIN prompt.
  std::optional<std::string> pin;
  // Picks one of several discoverable credentials; the first when unset.
  std::function<std::size_t(const std::vector<AccountChoice>&)> choose_account;
};

// The CTAP exchange in words, one line per step ("getInfo: ...", "makeCredential: ... -> OK").
using Transcript = std::vector<std::string>;

struct CreateResult {
  RegistrationResponse credential;
  std::string client_data_json;
  std::string rp_id;
  AuthenticatorInfo authenticator;
};

struct GetResult {
  AuthenticationResponse credential;
  std::string client_data_json;
  std::string rp_id;
  AuthenticatorInfo authenticator;
};

class Client {
 public:
  // `fetcher` serves /.well-known/webauthn for related origins; may be null (they then fail).
  Client(ClientProfile profile, PublicSuffixList psl, WellKnownFetcher* fetcher = nullptr)
      : profile_(std::move(profile)), psl_(std::move(psl)), fetcher_(fetcher) {}

  const ClientProfile& profile() const { return profile_; }
  const PublicSuffixList& psl() const { return psl_; }

  // The RP ID checks alone (no authenticator): what create()/get() do before anything else.
  tl::expected<std::string, ClientError> check_rp_id(const CallerContext& caller,
                                                     const std::optional<std::string>& rp_id) const;
  // clientDataJSON for `type` as this client would write it for `caller`.
  std::string client_data_json(std::string_view type, const CallerContext& caller, ByteSpan challenge) const;

  // navigator.credentials.create({publicKey}). `transcript`, when given, receives the steps
  // even when the call fails.
  tl::expected<CreateResult, ClientError> create(fido_dev_t* dev, const CallerContext& caller,
                                                 const CreationOptions& options, const Interaction& user = {},
                                                 Transcript* transcript = nullptr) const;

  // navigator.credentials.get({publicKey}).
  tl::expected<GetResult, ClientError> get(fido_dev_t* dev, const CallerContext& caller, const RequestOptions& options,
                                           const Interaction& user = {}, Transcript* transcript = nullptr) const;

 private:
  ClientProfile profile_;
  PublicSuffixList psl_;
  WellKnownFetcher* fetcher_;
};

}  // namespace vfido::webauthn
