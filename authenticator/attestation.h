// Attestation statements for makeCredential (WebAuthn L3 §8; CTAP 2.1 §6.1.2 step 19): the fmt
// and attStmt that, with authData, form the attestation object the client assembles.
//   packed self attestation (WebAuthn §8.2): {"alg": <credential alg>, "sig": sign(authData ||
//     clientDataHash)} with the credential's own private key, no x5c.
//   none (WebAuthn §8.7): fmt "none", attStmt {}.
#pragma once

#include <string>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/profile.h"

namespace vfido {

struct AttestationStatement {
  std::string fmt;       // "packed" or "none"
  cbor::Value att_stmt;  // a CBOR map
};

inline constexpr std::string_view kFmtPacked = "packed";
inline constexpr std::string_view kFmtNone = "none";

// Builds the statement for `mode`. `credential_key` signs in self attestation.
Result<AttestationStatement> make_attestation(AttestationMode mode, const crypto::PrivateKey& credential_key,
                                              ByteSpan auth_data, ByteSpan client_data_hash);

}  // namespace vfido
