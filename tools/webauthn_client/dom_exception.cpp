#include "tools/webauthn_client/dom_exception.h"

#include <fido.h>

#include <cstdio>

namespace vfido::webauthn {

std::string_view name(DomExceptionName e) {
  switch (e) {
    case DomExceptionName::kNotAllowedError: return "NotAllowedError";
    case DomExceptionName::kSecurityError: return "SecurityError";
    case DomExceptionName::kInvalidStateError: return "InvalidStateError";
    case DomExceptionName::kNotSupportedError: return "NotSupportedError";
    case DomExceptionName::kConstraintError: return "ConstraintError";
    case DomExceptionName::kAbortError: return "AbortError";
    case DomExceptionName::kTypeError: return "TypeError";
    case DomExceptionName::kSyntaxError: return "SyntaxError";
    case DomExceptionName::kEncodingError: return "EncodingError";
  }
  return "UnknownError";
}

std::string ClientError::to_string() const { return std::string(webauthn::name(name)) + ": " + message; }

DomExceptionName dom_exception_for_ctap(Ceremony ceremony, int fido_status) {
  // WebAuthn L3 §5.1.3 step 22: an error "equivalent to InvalidStateError" (the excluded
  // credential, reported only after user consent) is the one the RP may learn about.
  if (ceremony == Ceremony::kCreate && fido_status == FIDO_ERR_CREDENTIAL_EXCLUDED) {
    return DomExceptionName::kInvalidStateError;
  }
  // §5.1.3 step 22 / §5.1.4.2: any other error drops the authenticator; with none left the
  // lifetime timer runs out: NotAllowedError.
  return DomExceptionName::kNotAllowedError;
}

namespace {

const char* what_the_user_saw(int s) {
  switch (s) {
    case FIDO_ERR_CREDENTIAL_EXCLUDED: return "the authenticator already holds a credential from excludeCredentials";
    case FIDO_ERR_NO_CREDENTIALS: return "the authenticator holds no credential for this RP ID (and allow list)";
    case FIDO_ERR_UNSUPPORTED_ALGORITHM: return "the authenticator supports none of the requested algorithms";
    case FIDO_ERR_KEY_STORE_FULL: return "the authenticator has no room for another discoverable credential";
    case FIDO_ERR_OPERATION_DENIED: return "the user declined";
    case FIDO_ERR_PIN_INVALID: return "the PIN was wrong";
    case FIDO_ERR_PIN_BLOCKED: return "the PIN is blocked";
    case FIDO_ERR_PIN_AUTH_INVALID: return "the PIN/UV auth parameter was rejected";
    case FIDO_ERR_PIN_AUTH_BLOCKED: return "PIN auth is blocked until the authenticator is power-cycled";
    case FIDO_ERR_PIN_NOT_SET: return "no PIN is set";
    case FIDO_ERR_PIN_REQUIRED: return "the authenticator requires user verification (PIN or built-in)";
    case FIDO_ERR_UV_BLOCKED: return "built-in user verification is blocked";
    case FIDO_ERR_USER_ACTION_TIMEOUT:
    case FIDO_ERR_ACTION_TIMEOUT: return "the user did not respond in time";
    case FIDO_ERR_KEEPALIVE_CANCEL: return "the request was cancelled";
    case FIDO_ERR_UNSUPPORTED_OPTION: return "the authenticator does not support a requested option";
    case FIDO_ERR_INVALID_OPTION: return "the authenticator rejected an option";
    case FIDO_ERR_UNSUPPORTED_EXTENSION: return "the authenticator rejected an extension";
    case FIDO_ERR_TX:
    case FIDO_ERR_RX: return "the authenticator stopped answering";
    default: return "the authenticator failed";
  }
}

}  // namespace

ClientError ctap_client_error(Ceremony ceremony, int fido_status) {
  ClientError e;
  e.name = dom_exception_for_ctap(ceremony, fido_status);
  e.ctap_status = fido_status;
  char code[16];
  std::snprintf(code, sizeof code, fido_status >= 0 ? "0x%02x" : "%d", fido_status);
  e.message = std::string(what_the_user_saw(fido_status)) + " (" + fido_strerr(fido_status) + ", " + code + ")";
  if (e.name == DomExceptionName::kNotAllowedError) e.message += "; the client drops the authenticator and the request ends";
  return e;
}

}  // namespace vfido::webauthn
