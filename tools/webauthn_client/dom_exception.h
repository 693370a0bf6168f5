// How the emulated navigator.credentials.create()/get() fail: the DOMException (or simple
// exception) name a page would see (WebAuthn L3 §5.1.3.1, §5.1.4.3; WebIDL §2.8.1), with the
// reason a browser would only show its user, and the CTAP status behind it when there was one.
//
// CTAP status -> exception (ctap-reference.md §14.5, checked against the WebAuthn L3 algorithms
// and Chromium's AuthenticatorCommonImpl::OnRegisterResponse/OnSignResponse): only
// CTAP2_ERR_CREDENTIAL_EXCLUDED during create() is distinguishable (InvalidStateError); every
// other authenticator error removes the authenticator, so the page sees NotAllowedError. That
// includes CTAP2_ERR_UNSUPPORTED_ALGORITHM: the §14.5 table's NotSupportedError for it is the
// spec's informative list; the normative loop and Chromium both answer NotAllowedError.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfido::webauthn {

enum class DomExceptionName : std::uint8_t {
  kNotAllowedError,
  kSecurityError,
  kInvalidStateError,
  kNotSupportedError,
  kConstraintError,
  kAbortError,
  kTypeError,    // a simple exception, not a DOMException, in a browser
  kSyntaxError,
  kEncodingError,
};

std::string_view name(DomExceptionName e);

enum class Ceremony : std::uint8_t { kCreate, kGet };

struct ClientError {
  DomExceptionName name = DomExceptionName::kNotAllowedError;
  std::string message;            // why, in words ("RP ID x is not a registrable suffix of ...")
  std::optional<int> ctap_status;  // the libfido2 status (CTAP status byte, or negative) behind it

  // "SecurityError: RP ID login.microsoft.com is not a registrable suffix of ..."
  std::string to_string() const;
};

// The exception a page sees when the (only) authenticator answers `fido_status` (a libfido2
// return code: CTAP status bytes are positive, libfido2's own errors negative).
DomExceptionName dom_exception_for_ctap(Ceremony ceremony, int fido_status);

// A ClientError for that status whose message names the status and what a browser would have
// shown ("the authenticator already holds a credential from excludeCredentials ...").
ClientError ctap_client_error(Ceremony ceremony, int fido_status);

}  // namespace vfido::webauthn
