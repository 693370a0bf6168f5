// authenticatorMakeCredential (0x01), CTAP 2.1 §6.1: request, handler, response. Steps 1-19 of
// §6.1.2, with pinUvAuthParam, built-in UV, alwaysUv, makeCredUvNotRqd, enterprise attestation
// and the extensions of extensions/extensions.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "authenticator/cbor/value.h"
#include "authenticator/commands/context.h"
#include "authenticator/commands/entities.h"

namespace vfido {

// CTAP 2.1 §6.1 request map.
struct MakeCredentialRequest {
  ByteArray<kClientDataHashLen> client_data_hash{};  // 0x01
  RpEntity rp;                                        // 0x02
  UserEntity user;                                    // 0x03
  // 0x04 pubKeyCredParams: the algs of the entries whose type is "public-key", in the RP's
  // order of preference (entries of other types are dropped, WebAuthn §5.8.2).
  std::vector<std::int64_t> pub_key_cred_algs;
  std::vector<CredentialDescriptor> exclude_list;     // 0x05
  std::optional<cbor::Value> extensions;              // 0x06 (a map)
  RequestOptions options;                             // 0x07
  std::optional<Bytes> pin_uv_auth_param;             // 0x08
  std::optional<std::uint64_t> pin_uv_auth_protocol;  // 0x09
  std::optional<std::uint64_t> enterprise_attestation;  // 0x0A

  // `v` is the decoded CBOR parameters. Types and presence are checked here; the algorithm's
  // steps (supported algorithm, options) are checked by make_credential().
  static Result<MakeCredentialRequest> parse(const cbor::Value& v);
};

// CTAP 2.1 §6.1 response map: 0x01 fmt, 0x02 authData, 0x03 attStmt, 0x04 epAtt,
// 0x05 largeBlobKey.
struct MakeCredentialResponse {
  std::string fmt;
  Bytes auth_data;
  cbor::Value att_stmt;
  std::optional<bool> ep_att;
  std::optional<Bytes> large_blob_key;

  cbor::Value encode() const;
};

// CTAP 2.1 §6.1.2. Asks the user at most once: built-in UV, or a touch (unless a pinUvAuthToken
// already carries the user's presence); an excludeList hit also asks for a touch, then fails
// with CTAP2_ERR_CREDENTIAL_EXCLUDED.
Result<Step<MakeCredentialResponse>> make_credential(Ctx& ctx, const MakeCredentialRequest& req);

}  // namespace vfido
