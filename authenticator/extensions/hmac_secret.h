// The hmac-secret extension's authenticator side (CTAP 2.1 §12.5). A credential made with
// hmac-secret has two 32-byte secrets, CredRandomWithUV and CredRandomWithoutUV; vfido derives
// them from the credential's private key (HMAC-SHA-256 with a fixed label each), so copies of a
// synced credential on several devices give the same outputs and no extra secret is stored.
#pragma once

#include <optional>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"
#include "authenticator/credential_store.h"
#include "authenticator/crypto/secret.h"
#include "authenticator/pin_uv_auth/protocol.h"

namespace vfido {

// getAssertion input "hmac-secret": {1: keyAgreement, 2: saltEnc, 3: saltAuth, 4?: pinUvAuthProtocol}.
struct HmacSecretInput {
  cbor::Value key_agreement;
  Bytes salt_enc;
  Bytes salt_auth;
  std::optional<std::uint64_t> protocol;

  static Result<HmacSecretInput> parse(const cbor::Value& v);
};

// The request's salts once decrypted and authenticated: kept for getNextAssertion, wiped after.
struct HmacSecretSalts {
  pin_uv_auth::ProtocolId protocol = pin_uv_auth::ProtocolId::kOne;
  crypto::SecretBytes shared_secret;
  crypto::SecretBytes salts;  // salt1 (32) or salt1 || salt2 (64)

  HmacSecretSalts clone() const { return HmacSecretSalts{protocol, shared_secret.clone(), salts.clone()}; }
};

// CredRandomWithUV / CredRandomWithoutUV of a credential.
crypto::SecretBytes cred_random(const CredentialRecord& cred, bool uv);

// encrypt(shared secret, HMAC(CredRandom, salt1) [|| HMAC(CredRandom, salt2)]): the extension
// output for `cred`.
Result<Bytes> hmac_secret_output(const HmacSecretSalts& salts, const CredentialRecord& cred, bool uv, Rng& rng);

}  // namespace vfido
