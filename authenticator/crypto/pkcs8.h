// PKCS #8 private keys in DER (RFC 5958 §2 OneAsymmetricKey, the unencrypted PrivateKeyInfo): the
// form the WebAuthn WebDriver extension uses for a credential's private key (WebAuthn L3 §11.5
// Add Credential: "an asymmetric key package ... per RFC 5958", base64url-encoded by the caller).
#pragma once

#include "authenticator/bytes.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/secret.h"

namespace vfido::crypto {

// One DER PrivateKeyInfo with nothing after it: P-256 -> ES256, Ed25519 -> EdDSA, RSA of
// kRsaMinBits..kRsaMaxBits -> RS256. The key must pass OpenSSL's pairwise check (an embedded
// public key that does not belong to the private key is refused). kInvalidParameter for bytes
// that are not such a key (including an EncryptedPrivateKeyInfo), kUnsupportedAlgorithm for
// other key types (P-384, X25519, DSA...).
Result<PrivateKey> private_key_from_pkcs8(ByteSpan der);

// The key as a DER PrivateKeyInfo, in wiped memory.
Result<SecretBytes> private_key_to_pkcs8(const PrivateKey& key);

// OpenSSL's pairwise consistency check, then PrivateKey::from_evp (shared with the PEM reader in
// x509.cpp). For the crypto module's own files.
Result<PrivateKey> checked_private_key(const evp_pkey_st* pkey);

}  // namespace vfido::crypto
