// CTAP status -> DOMException (ctap-reference.md §14.5, as the WebAuthn L3 loop and Chromium
// resolve it for a single authenticator).
#include <doctest/doctest.h>

#include <fido.h>

#include "tools/webauthn_client/dom_exception.h"

using namespace vfido::webauthn;

TEST_CASE("dom exception: only an excluded credential during create() is InvalidStateError") {
  CHECK(dom_exception_for_ctap(Ceremony::kCreate, FIDO_ERR_CREDENTIAL_EXCLUDED) == DomExceptionName::kInvalidStateError);
  CHECK(dom_exception_for_ctap(Ceremony::kGet, FIDO_ERR_CREDENTIAL_EXCLUDED) == DomExceptionName::kNotAllowedError);
  for (int s : {FIDO_ERR_NO_CREDENTIALS, FIDO_ERR_UNSUPPORTED_ALGORITHM, FIDO_ERR_KEY_STORE_FULL, FIDO_ERR_OPERATION_DENIED,
                FIDO_ERR_PIN_AUTH_INVALID, FIDO_ERR_PIN_REQUIRED, FIDO_ERR_USER_ACTION_TIMEOUT, FIDO_ERR_ACTION_TIMEOUT,
                FIDO_ERR_KEEPALIVE_CANCEL, FIDO_ERR_PIN_INVALID, FIDO_ERR_PIN_BLOCKED, FIDO_ERR_PIN_AUTH_BLOCKED,
                FIDO_ERR_UV_BLOCKED, FIDO_ERR_UNSUPPORTED_OPTION, FIDO_ERR_INVALID_OPTION, FIDO_ERR_INVALID_CREDENTIAL,
                FIDO_ERR_INVALID_CBOR, FIDO_ERR_TX, FIDO_ERR_RX, FIDO_ERR_INTERNAL}) {
    CAPTURE(s);
    CHECK(dom_exception_for_ctap(Ceremony::kCreate, s) == DomExceptionName::kNotAllowedError);
    CHECK(dom_exception_for_ctap(Ceremony::kGet, s) == DomExceptionName::kNotAllowedError);
  }
}

TEST_CASE("dom exception: names and messages") {
  CHECK(name(DomExceptionName::kSecurityError) == "SecurityError");
  CHECK(name(DomExceptionName::kNotSupportedError) == "NotSupportedError");
  CHECK(name(DomExceptionName::kTypeError) == "TypeError");
  ClientError e = ctap_client_error(Ceremony::kCreate, FIDO_ERR_CREDENTIAL_EXCLUDED);
  CHECK(e.ctap_status == FIDO_ERR_CREDENTIAL_EXCLUDED);
  CHECK(e.to_string().rfind("InvalidStateError: the authenticator already holds a credential from excludeCredentials", 0) == 0);
  CHECK(e.message.find("0x19") != std::string::npos);
  ClientError n = ctap_client_error(Ceremony::kGet, FIDO_ERR_NO_CREDENTIALS);
  CHECK(n.to_string().rfind("NotAllowedError: the authenticator holds no credential", 0) == 0);
  CHECK(n.message.find("FIDO_ERR_NO_CREDENTIALS") != std::string::npos);
}
