#include "authenticator/attestation.h"

namespace vfido {

Result<AttestationStatement> make_attestation(AttestationMode mode, const crypto::PrivateKey& credential_key,
                                              ByteSpan auth_data, ByteSpan client_data_hash) {
  switch (mode) {
    case AttestationMode::kNone:
      // WebAuthn §8.7: the none format has an empty statement.
      return AttestationStatement{std::string(kFmtNone), cbor::Value::map()};
    case AttestationMode::kSelf: {
      // WebAuthn §8.2 packed, self attestation: sig over authenticatorData || clientDataHash
      // with the credential private key; alg is the credential's algorithm; no x5c.
      ByteWriter signed_data(auth_data.size() + client_data_hash.size());
      signed_data.bytes(auth_data).bytes(client_data_hash);
      auto sig = credential_key.sign(signed_data.view());
      if (!sig) return fail(sig.error());
      cbor::Value stmt = cbor::Value::map();
      stmt.set("alg", cbor::Value::integer(credential_key.cose_alg()));
      stmt.set("sig", cbor::Value::bytes(std::move(*sig)));
      return AttestationStatement{std::string(kFmtPacked), std::move(stmt)};
    }
  }
  return fail(CtapStatus::kOther);
}

}  // namespace vfido
