// What navigator.credentials.create()/get() resolve with, as WebAuthn L3 §5.1 PublicKeyCredential
// with an AuthenticatorAttestationResponse (§5.2.1) or AuthenticatorAssertionResponse (§5.2.2),
// and their JSON forms from PublicKeyCredential.toJSON() (§5.1.8: RegistrationResponseJSON,
// AuthenticationResponseJSON; binary members base64url). The client emulator produces these,
// the relying-party emulator and @simplewebauthn/server consume them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "authenticator/bytes.h"

namespace vfido::webauthn {

// create(): PublicKeyCredential + AuthenticatorAttestationResponse.
struct RegistrationResponse {
  Bytes raw_id;                                   // the credential ID
  Bytes client_data_json;                         // the exact bytes that were hashed
  Bytes attestation_object;                       // CBOR (attestation_object.h)
  Bytes authenticator_data;                       // getAuthenticatorData(), from the attestation object
  std::vector<std::string> transports;            // getTransports(): sorted, unique (§5.2.1)
  std::optional<Bytes> public_key;                // getPublicKey(): SPKI DER, absent for unknown algorithms
  std::int64_t public_key_algorithm = 0;          // getPublicKeyAlgorithm()
  std::optional<std::string> authenticator_attachment;  // "platform" | "cross-platform"
  nlohmann::json client_extension_results = nlohmann::json::object();  // already in JSON form
};

// get(): PublicKeyCredential + AuthenticatorAssertionResponse.
struct AuthenticationResponse {
  Bytes raw_id;
  Bytes client_data_json;
  Bytes authenticator_data;
  Bytes signature;
  std::optional<Bytes> user_handle;  // null when the authenticator returned no user.id
  std::optional<std::string> authenticator_attachment;
  nlohmann::json client_extension_results = nlohmann::json::object();
};

// WebAuthn L3 §5.1.8 toJSON(): RegistrationResponseJSON / AuthenticationResponseJSON.
nlohmann::json to_json(const RegistrationResponse& r);
nlohmann::json to_json(const AuthenticationResponse& r);

// The reverse, as a relying party reads what a page posted. Every required member must be there
// with the right type and valid base64url, id must equal base64url(rawId), type "public-key";
// the error names the member ("response.clientDataJSON is not base64url").
tl::expected<RegistrationResponse, std::string> registration_response_from_json(const nlohmann::json& j);
tl::expected<AuthenticationResponse, std::string> authentication_response_from_json(const nlohmann::json& j);

}  // namespace vfido::webauthn
