#include "authenticator/attestation.h"

#include "authenticator/ctap_constants.h"
#include "authenticator/env/rng.h"

namespace vfido {
namespace {

constexpr std::size_t kU2fParamLen = 32;         // FIDO U2F Raw Message Formats §4.1
constexpr std::size_t kU2fMaxKeyHandleLen = 255;  // §4.3: the key handle length is one byte
constexpr std::size_t kU2fPublicKeyLen = 65;      // §4.3: 04 || x || y
constexpr std::uint8_t kU2fRegisterReserved = 0x00;  // §4.3: the first byte of the signed data

tl::unexpected<crypto::X509Error> xfail(crypto::X509Error e) { return tl::unexpected<crypto::X509Error>(e); }

// authenticatorData || clientDataHash, what packed attestation signs (WebAuthn §8.2).
Result<Bytes> sign_packed(const crypto::PrivateKey& key, ByteSpan auth_data, ByteSpan client_data_hash) {
  ByteWriter signed_data(auth_data.size() + client_data_hash.size());
  signed_data.bytes(auth_data).bytes(client_data_hash);
  return key.sign(signed_data.view());
}

bool is_self_signed_ca(const crypto::Certificate& c) {
  auto bc = c.basic_constraints();
  return bc && bc->ca && c.is_issued_by(c);
}

}  // namespace

// ---- AttestationMaterial ---------------------------------------------------------------------

crypto::X509Result<AttestationMaterial> AttestationMaterial::create(crypto::PrivateKey key,
                                                                    std::vector<crypto::Certificate> chain) {
  if (chain.empty()) return xfail(crypto::X509Error::kNoCertificate);
  // WebAuthn §8.2.1: the attestation certificate is an end entity (cA FALSE) for this key.
  auto bc = chain.front().basic_constraints();
  if (bc && bc->ca) return xfail(crypto::X509Error::kInvalidSpec);
  if (!chain.front().certifies(key)) return xfail(crypto::X509Error::kKeyMismatch);
  // WebAuthn §8.2 "x5c": each certificate is followed by the one that issued it.
  for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
    if (!chain[i].is_issued_by(chain[i + 1])) return xfail(crypto::X509Error::kInvalidChain);
  }
  auto fido = chain.front().fido_extensions();
  if (!fido) return tl::unexpected(fido.error());
  std::vector<Bytes> x5c;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (i > 0 && i + 1 == chain.size() && is_self_signed_ca(chain[i])) break;  // the trust anchor
    x5c.push_back(chain[i].der());
  }
  return AttestationMaterial(std::move(key), std::move(chain), std::move(x5c), std::move(*fido));
}

crypto::X509Result<AttestationMaterial> AttestationMaterial::from_pem(std::string_view key_pem,
                                                                      std::string_view chain_pem) {
  auto key = crypto::private_key_from_pem(key_pem);
  if (!key) return tl::unexpected(key.error());
  auto chain = crypto::parse_pem_chain(chain_pem);
  if (!chain) return tl::unexpected(chain.error());
  return create(std::move(*key), std::move(*chain));
}

// ---- statements -------------------------------------------------------------------------------

Result<AttestationStatement> make_attestation(AttestationMode mode, const crypto::PrivateKey& credential_key,
                                              ByteSpan auth_data, ByteSpan client_data_hash) {
  switch (mode) {
    case AttestationMode::kNone:
      // WebAuthn §8.7: the none format has an empty statement.
      return AttestationStatement{std::string(kFmtNone), cbor::Value::map()};
    case AttestationMode::kSelf: {
      // WebAuthn §8.2 packed, self attestation: sig over authenticatorData || clientDataHash
      // with the credential private key; alg is the credential's algorithm; no x5c.
      auto sig = sign_packed(credential_key, auth_data, client_data_hash);
      if (!sig) return fail(sig.error());
      cbor::Value stmt = cbor::Value::map();
      stmt.set("alg", cbor::Value::integer(credential_key.cose_alg()));
      stmt.set("sig", cbor::Value::bytes(std::move(*sig)));
      return AttestationStatement{std::string(kFmtPacked), std::move(stmt)};
    }
    case AttestationMode::kBasic:
      return fail(CtapStatus::kOther);  // needs the material: the profile overload
  }
  return fail(CtapStatus::kOther);
}

Result<AttestationStatement> make_attestation(const AuthenticatorProfile& profile, bool enterprise,
                                              const crypto::PrivateKey& credential_key, ByteSpan auth_data,
                                              ByteSpan client_data_hash) {
  if (profile.attestation == AttestationMode::kNone) {
    return make_attestation(AttestationMode::kNone, credential_key, auth_data, client_data_hash);
  }
  if (enterprise) {
    if (!profile.enterprise_attestation_material) return fail(CtapStatus::kOther);
    return make_packed_attestation(*profile.enterprise_attestation_material, auth_data, client_data_hash);
  }
  if (profile.attestation == AttestationMode::kBasic) {
    if (!profile.attestation_material) return fail(CtapStatus::kOther);
    return make_packed_attestation(*profile.attestation_material, auth_data, client_data_hash);
  }
  return make_attestation(profile.attestation, credential_key, auth_data, client_data_hash);
}

Result<AttestationStatement> make_packed_attestation(const AttestationMaterial& material, ByteSpan auth_data,
                                                     ByteSpan client_data_hash) {
  // WebAuthn §8.2 signing procedure: sig over authenticatorData || clientDataHash with the
  // attestation private key; alg is that key's algorithm; x5c is the attestation certificate
  // followed by its chain.
  auto sig = sign_packed(material.key(), auth_data, client_data_hash);
  if (!sig) return fail(sig.error());
  cbor::Array x5c;
  for (const Bytes& der : material.x5c()) x5c.push_back(cbor::Value::bytes(der));
  cbor::Value stmt = cbor::Value::map();
  stmt.set("alg", cbor::Value::integer(material.key().cose_alg()));
  stmt.set("sig", cbor::Value::bytes(std::move(*sig)));
  stmt.set("x5c", cbor::Value::array(std::move(x5c)));
  return AttestationStatement{std::string(kFmtPacked), std::move(stmt)};
}

Result<Bytes> u2f_registration_data(ByteSpan application, ByteSpan challenge, ByteSpan key_handle,
                                    ByteSpan user_public_key) {
  if (application.size() != kU2fParamLen || challenge.size() != kU2fParamLen || key_handle.empty() ||
      key_handle.size() > kU2fMaxKeyHandleLen || user_public_key.size() != kU2fPublicKeyLen ||
      user_public_key[0] != 0x04) {
    return fail(CtapStatus::kInvalidParameter);
  }
  // FIDO U2F Raw Message Formats §4.3; WebAuthn §8.6 verification step 5 (verificationData).
  ByteWriter w(1 + 2 * kU2fParamLen + key_handle.size() + kU2fPublicKeyLen);
  w.u8(kU2fRegisterReserved).bytes(application).bytes(challenge).bytes(key_handle).bytes(user_public_key);
  return std::move(w).take();
}

Result<Bytes> sign_u2f_registration(const AttestationMaterial& material, ByteSpan application, ByteSpan challenge,
                                    ByteSpan key_handle, ByteSpan user_public_key) {
  // WebAuthn §8.6 verification step 2: the attestation certificate holds a P-256 key.
  if (material.key().cose_alg() != cose::kAlgEs256) return fail(CtapStatus::kUnsupportedAlgorithm);
  auto data = u2f_registration_data(application, challenge, key_handle, user_public_key);
  if (!data) return fail(data.error());
  return material.key().sign(*data);
}

Result<AttestationStatement> make_fido_u2f_attestation(const AttestationMaterial& material, ByteSpan rp_id_hash,
                                                       ByteSpan client_data_hash, ByteSpan credential_id,
                                                       ByteSpan credential_public_key) {
  auto sig = sign_u2f_registration(material, rp_id_hash, client_data_hash, credential_id, credential_public_key);
  if (!sig) return fail(sig.error());
  // WebAuthn §8.6: x5c holds exactly one certificate, the attestation certificate.
  cbor::Value stmt = cbor::Value::map();
  stmt.set("sig", cbor::Value::bytes(std::move(*sig)));
  stmt.set("x5c", cbor::Value::array({cbor::Value::bytes(material.x5c().front())}));
  return AttestationStatement{std::string(kFmtFidoU2f), std::move(stmt)};
}

// ---- generated chains ---------------------------------------------------------------------------

crypto::X509Result<AttestationCa> generate_attestation_ca(const AttestationCaSpec& spec, Rng& rng) {
  auto root_key = crypto::PrivateKey::generate(cose::kAlgEs256, rng);
  auto intermediate_key = crypto::PrivateKey::generate(cose::kAlgEs256, rng);
  if (!root_key || !intermediate_key) return xfail(crypto::X509Error::kInternal);
  auto root = crypto::make_root_ca(spec.root_subject, spec.validity, *root_key, rng);
  if (!root) return tl::unexpected(root.error());
  auto intermediate =
      crypto::make_intermediate_ca(spec.intermediate_subject, spec.validity, *intermediate_key, *root, *root_key, rng);
  if (!intermediate) return tl::unexpected(intermediate.error());
  return AttestationCa{std::move(*root_key), std::move(*root), std::move(*intermediate_key), std::move(*intermediate)};
}

crypto::X509Result<AttestationMaterial> issue_attestation_material(const AttestationCa& ca,
                                                                   const crypto::AttestationCertificateSpec& leaf,
                                                                   Rng& rng) {
  auto key = crypto::PrivateKey::generate(cose::kAlgEs256, rng);
  if (!key) return xfail(crypto::X509Error::kInternal);
  auto cert = crypto::make_attestation_certificate(leaf, *key, ca.intermediate, ca.intermediate_key, rng);
  if (!cert) return tl::unexpected(cert.error());
  return AttestationMaterial::create(std::move(*key), {std::move(*cert), ca.intermediate});
}

}  // namespace vfido
