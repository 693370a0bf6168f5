// Attestation statements for makeCredential (WebAuthn L3 §8; CTAP 2.1 §6.1.2 step 19): the fmt
// and attStmt that, with authData, form the attestation object the client assembles.
//   packed self attestation (WebAuthn §8.2): {"alg": <credential alg>, "sig": sign(authData ||
//     clientDataHash)} with the credential's own private key, no x5c.
//   packed full attestation, Basic or AttCA (WebAuthn §8.2): {"alg": <attestation key alg>,
//     "sig": sign(authData || clientDataHash) with the attestation key, "x5c": [attestation
//     certificate DER, intermediate CA DER...]}. Enterprise attestation (§8.2.2) is the same with
//     a certificate that carries id-fido-gen-ce-sernum.
//   fido-u2f (WebAuthn §8.6): {"sig": the U2F registration signature over 0x00 || rpIdHash ||
//     clientDataHash || credentialId || 04||x||y, "x5c": [attestation certificate DER]}.
//   none (WebAuthn §8.7): fmt "none", attStmt {}.
// The attestation key and chain reach the core as an AttestationMaterial, shared by the profile.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/x509.h"
#include "authenticator/profile.h"

namespace vfido {

class Rng;

struct AttestationStatement {
  std::string fmt;       // "packed", "fido-u2f" or "none"
  cbor::Value att_stmt;  // a CBOR map
};

inline constexpr std::string_view kFmtPacked = "packed";
inline constexpr std::string_view kFmtFidoU2f = "fido-u2f";
inline constexpr std::string_view kFmtNone = "none";

// An attestation private key and the certificates that vouch for it: what packed full and
// fido-u2f attestation sign with. Immutable and move-only; profiles share one through a
// std::shared_ptr<const AttestationMaterial>.
class AttestationMaterial {
 public:
  // `chain` is the attestation certificate first, then the CAs above it, each issued by the
  // next (names and signature; WebAuthn §8.2 "x5c"). A self-signed CA at the end is the trust
  // anchor: relying parties take it from metadata, so it is kept out of x5c. Errors:
  // kNoCertificate (empty chain), kKeyMismatch (the first certificate is not for `key`),
  // kInvalidChain (out of order or not issued by the next), kInvalidSpec (the first certificate
  // is a CA).
  static crypto::X509Result<AttestationMaterial> create(crypto::PrivateKey key, std::vector<crypto::Certificate> chain);
  // The same from PEM text: the first private key in `key_pem` and every certificate of
  // `chain_pem` (crypto::private_key_from_pem, crypto::parse_pem_chain), e.g. files a user
  // supplies.
  static crypto::X509Result<AttestationMaterial> from_pem(std::string_view key_pem, std::string_view chain_pem);

  const crypto::PrivateKey& key() const { return key_; }
  const crypto::Certificate& certificate() const { return chain_.front(); }
  // The certificates as given to create(), the trust anchor included.
  const std::vector<crypto::Certificate>& chain() const { return chain_; }
  // What goes into attStmt.x5c: DER, attestation certificate first, no self-signed anchor.
  const std::vector<Bytes>& x5c() const { return x5c_; }
  // The attestation certificate's FIDO extensions (AAGUID, enterprise serial number...).
  const crypto::FidoExtensions& fido_extensions() const { return fido_; }

 private:
  AttestationMaterial(crypto::PrivateKey key, std::vector<crypto::Certificate> chain, std::vector<Bytes> x5c,
                      crypto::FidoExtensions fido)
      : key_(std::move(key)), chain_(std::move(chain)), x5c_(std::move(x5c)), fido_(std::move(fido)) {}
  crypto::PrivateKey key_;
  std::vector<crypto::Certificate> chain_;
  std::vector<Bytes> x5c_;
  crypto::FidoExtensions fido_;
};

// Builds the statement for `mode` (kNone or kSelf). `credential_key` signs in self attestation.
// kBasic needs attestation material: use the profile overload below (kOther here).
Result<AttestationStatement> make_attestation(AttestationMode mode, const crypto::PrivateKey& credential_key,
                                              ByteSpan auth_data, ByteSpan client_data_hash);

// makeCredential step 19 for `profile`: kNone -> none (whatever else is asked, so "attestation
// off" stays off); kSelf -> packed self; kBasic -> packed with profile.attestation_material.
// `enterprise` (the caller decided on epAtt, CTAP 2.1 §6.1.2 step 9) signs with
// profile.enterprise_attestation_material instead, in kSelf and kBasic modes. A profile without
// the material it needs is kOther (AuthenticatorProfile::validate reports it first).
Result<AttestationStatement> make_attestation(const AuthenticatorProfile& profile, bool enterprise,
                                              const crypto::PrivateKey& credential_key, ByteSpan auth_data,
                                              ByteSpan client_data_hash);

// packed full attestation (WebAuthn §8.2 signing procedure, x5c case).
Result<AttestationStatement> make_packed_attestation(const AttestationMaterial& material, ByteSpan auth_data,
                                                     ByteSpan client_data_hash);

// What a U2F registration signs (FIDO U2F Raw Message Formats §4.3; WebAuthn §8.6
// verificationData): 0x00 || application (32) || challenge (32) || keyHandle (1..255 bytes) ||
// userPublicKey (65, 04||x||y). kInvalidParameter for other lengths.
Result<Bytes> u2f_registration_data(ByteSpan application, ByteSpan challenge, ByteSpan key_handle,
                                    ByteSpan user_public_key);

// The U2F registration signature with the attestation key (which must be ES256: WebAuthn §8.6
// requires a P-256 attestation certificate; kUnsupportedAlgorithm otherwise). For U2F_REGISTER
// and for make_fido_u2f_attestation.
Result<Bytes> sign_u2f_registration(const AttestationMaterial& material, ByteSpan application, ByteSpan challenge,
                                    ByteSpan key_handle, ByteSpan user_public_key);

// fido-u2f (WebAuthn §8.6): rpIdHash and clientDataHash are the U2F application and challenge
// parameters; `credential_public_key` is the ES256 credential's 04||x||y; x5c holds the
// attestation certificate alone.
Result<AttestationStatement> make_fido_u2f_attestation(const AttestationMaterial& material, ByteSpan rp_id_hash,
                                                       ByteSpan client_data_hash, ByteSpan credential_id,
                                                       ByteSpan credential_public_key);

// A per-profile attestation CA (issue 4): a self-signed root and an intermediate CA under it
// (pathLenConstraint 0), P-256 keys and serials drawn from `rng`.
struct AttestationCaSpec {
  crypto::DistinguishedName root_subject;
  crypto::DistinguishedName intermediate_subject;
  crypto::Validity validity;
};
struct AttestationCa {
  crypto::PrivateKey root_key;
  crypto::Certificate root;
  crypto::PrivateKey intermediate_key;
  crypto::Certificate intermediate;
};
crypto::X509Result<AttestationCa> generate_attestation_ca(const AttestationCaSpec& spec, Rng& rng);

// A fresh P-256 attestation key (from `rng`) and its attestation certificate issued by `ca`'s
// intermediate: material whose x5c is [attestation certificate, intermediate]. Set
// leaf.enterprise_serial_number for enterprise attestation material (WebAuthn §8.2.2).
crypto::X509Result<AttestationMaterial> issue_attestation_material(const AttestationCa& ca,
                                                                   const crypto::AttestationCertificateSpec& leaf,
                                                                   Rng& rng);

}  // namespace vfido
