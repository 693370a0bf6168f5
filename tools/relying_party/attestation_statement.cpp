#include "tools/relying_party/attestation_statement.h"

#include <ctime>

#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/x509.h"

namespace vfido::rp {
namespace {

using Fail = tl::unexpected<RpError>;

RpError invalid(std::string why) { return RpError{RpErrorCode::kInvalidAttestationStatement, std::move(why)}; }

Bytes signed_data(const Bytes& auth_data, ByteSpan cdh) {
  Bytes msg = auth_data;
  msg.insert(msg.end(), cdh.begin(), cdh.end());
  return msg;
}

// x5c: a non-empty array of DER certificates, attestation certificate first.
tl::expected<std::vector<crypto::Certificate>, RpError> read_x5c(const cbor::Value& x5c) {
  if (!x5c.is_array() || x5c.as_array().empty()) return Fail(invalid("x5c is not a non-empty array"));
  std::vector<crypto::Certificate> certs;
  for (std::size_t i = 0; i < x5c.as_array().size(); ++i) {
    const cbor::Value& v = x5c.as_array()[i];
    if (!v.is_bytes()) return Fail(invalid("x5c[" + std::to_string(i) + "] is not a byte string"));
    auto cert = crypto::Certificate::from_der(v.as_bytes());
    if (!cert) return Fail(invalid("x5c[" + std::to_string(i) + "] is not a DER certificate"));
    certs.push_back(*cert);
  }
  return certs;
}

std::string hex_lower(ByteSpan b) {
  std::string h = to_hex(b);
  for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return h;
}

// §7.1 steps 22-23: find the metadata statement for this authenticator and validate the trust
// path (x5c) up to one of its attestationRootCertificates.
void assess_trust(const std::vector<crypto::Certificate>& x5c, const AuthenticatorData& auth_data,
                  const RelyingPartyConfig& rp, AttestationOutcome& out) {
  const MetadataStatement* st = nullptr;
  const auto& aaguid = auth_data.attested->aaguid;
  const bool zero = std::all_of(aaguid.begin(), aaguid.end(), [](std::uint8_t b) { return b == 0; });
  if (rp.metadata != nullptr) {
    if (!zero) st = rp.metadata->find_by_aaguid(aaguid);
    if (st == nullptr) {
      if (auto ski = x5c.front().subject_key_id()) st = rp.metadata->find_by_key_identifier(hex_lower(*ski));
    }
  }
  out.type = AttestationType::kUncertain;
  if (st == nullptr) {
    out.trust = TrustResult::kNoMetadata;
    out.trust_detail = "no metadata statement for AAGUID " + format_aaguid(aaguid);
    return;
  }
  out.metadata_description = st->description;
  const auto& types = st->attestation_types;
  const bool basic = std::find(types.begin(), types.end(), "basic_full") != types.end();
  const bool attca = std::find(types.begin(), types.end(), "attca") != types.end();
  if (basic != attca) out.type = basic ? AttestationType::kBasic : AttestationType::kAttCa;
  if (st->attestation_root_certificates.empty()) {
    out.trust = TrustResult::kUntrusted;
    out.trust_detail = "metadata statement \"" + st->description + "\" has no attestationRootCertificates";
    return;
  }
  const std::int64_t now = rp.now != 0 ? rp.now : static_cast<std::int64_t>(std::time(nullptr));
  std::vector<crypto::Certificate> intermediates(x5c.begin() + 1, x5c.end());
  auto chain = crypto::verify_chain(x5c.front(), intermediates, st->attestation_root_certificates, now,
                                    crypto::PathValidation::kLenient);
  if (!chain) {
    out.trust = TrustResult::kUntrusted;
    out.trust_detail = "x5c does not chain to the roots of \"" + st->description + "\": " +
                       std::string(crypto::describe(chain.error()));
    return;
  }
  out.trust = TrustResult::kTrusted;
  out.trust_detail = "x5c chains to a root of \"" + st->description + "\"";
}

// §8.2.1 requirements on a packed attestation certificate.
tl::expected<void, RpError> check_packed_certificate(const crypto::Certificate& cert, const AuthenticatorData& auth_data) {
  if (cert.version() != 3) return Fail(invalid("the attestation certificate is not X.509 v3 (§8.2.1)"));
  const auto subject = cert.subject();
  if (subject.country.empty() || subject.organization.empty() || subject.common_name.empty() ||
      subject.organizational_unit != crypto::kAttestationOrganizationalUnit) {
    return Fail(invalid("the attestation certificate subject " + cert.subject_text() +
                        " lacks C, O, CN or OU=\"Authenticator Attestation\" (§8.2.1)"));
  }
  auto bc = cert.basic_constraints();
  if (!bc || bc->ca) return Fail(invalid("the attestation certificate is not basicConstraints CA=FALSE (§8.2.1)"));
  auto fido = cert.fido_extensions();
  if (!fido) return Fail(invalid("the attestation certificate has a malformed FIDO extension"));
  for (const auto& e : cert.extensions()) {
    if (e.oid == crypto::kOidFidoAaguid && e.critical) return Fail(invalid("id-fido-gen-ce-aaguid is marked critical (§8.2.1)"));
  }
  if (fido->aaguid && *fido->aaguid != auth_data.attested->aaguid) {
    return Fail(invalid("the certificate's id-fido-gen-ce-aaguid " + format_aaguid(*fido->aaguid) +
                        " differs from the AAGUID in authData " + format_aaguid(auth_data.attested->aaguid)));
  }
  return {};
}

tl::expected<AttestationOutcome, RpError> verify_packed(const webauthn::AttestationObject& object,
                                                        const AuthenticatorData& auth_data,
                                                        const webauthn::CoseKey& credential_key, ByteSpan cdh,
                                                        const RelyingPartyConfig& rp) {
  const cbor::Value& st = object.att_stmt;
  const cbor::Value* alg = st.find("alg");
  const cbor::Value* sig = st.find("sig");
  const cbor::Value* x5c = st.find("x5c");
  if (alg == nullptr || !alg->as_int64() || sig == nullptr || !sig->is_bytes()) {
    return Fail(invalid("packed attStmt needs an integer alg and a byte string sig"));
  }
  const Bytes msg = signed_data(object.auth_data, cdh);
  AttestationOutcome out;
  if (x5c == nullptr) {
    // Self attestation: alg is the credential's, signed with the credential key.
    if (*alg->as_int64() != credential_key.alg) {
      return Fail(invalid("self attestation alg " + webauthn::cose_alg_name(*alg->as_int64()) +
                          " differs from the credential key's " + webauthn::cose_alg_name(credential_key.alg)));
    }
    if (!crypto::verify_signature(credential_key.cose, msg, sig->as_bytes())) {
      return Fail(RpError{RpErrorCode::kAttestationSignatureInvalid, "the packed self-attestation signature does not verify"});
    }
    out.type = AttestationType::kSelf;
    out.trust = TrustResult::kNotApplicable;
    out.trust_detail = "self attestation: signed by the credential key itself";
    return out;
  }
  auto certs = read_x5c(*x5c);
  if (!certs) return Fail(certs.error());
  auto cert_key = certs->front().public_key_cose();
  if (!cert_key) return Fail(invalid("the attestation certificate key is not P-256, Ed25519 or RSA"));
  const cbor::Value* cert_alg = cert_key->find(3);
  if (cert_alg == nullptr || cert_alg->as_int64() != alg->as_int64()) {
    return Fail(invalid("attStmt alg " + webauthn::cose_alg_name(*alg->as_int64()) + " does not match the certificate key"));
  }
  if (!crypto::verify_signature(*cert_key, msg, sig->as_bytes())) {
    return Fail(RpError{RpErrorCode::kAttestationSignatureInvalid, "the packed attestation signature does not verify with the x5c certificate"});
  }
  auto reqs = check_packed_certificate(certs->front(), auth_data);
  if (!reqs) return Fail(reqs.error());
  out.subject = certs->front().subject_text();
  assess_trust(*certs, auth_data, rp, out);
  return out;
}

tl::expected<AttestationOutcome, RpError> verify_fido_u2f(const webauthn::AttestationObject& object,
                                                          const AuthenticatorData& auth_data,
                                                          const webauthn::CoseKey& credential_key, ByteSpan cdh,
                                                          const RelyingPartyConfig& rp) {
  const cbor::Value& st = object.att_stmt;
  const cbor::Value* sig = st.find("sig");
  const cbor::Value* x5c = st.find("x5c");
  if (sig == nullptr || !sig->is_bytes() || x5c == nullptr) return Fail(invalid("fido-u2f attStmt needs sig and x5c"));
  auto certs = read_x5c(*x5c);
  if (!certs) return Fail(certs.error());
  // §8.6 step 2: exactly one certificate, with a P-256 key.
  if (certs->size() != 1) return Fail(invalid("fido-u2f x5c must hold exactly one certificate"));
  auto cert_key = certs->front().public_key_cose();
  const cbor::Value* crv = cert_key ? cert_key->find(-1) : nullptr;
  const cbor::Value* kty = cert_key ? cert_key->find(1) : nullptr;
  if (!cert_key || kty == nullptr || kty->as_int64() != cose::kKtyEc2 || crv == nullptr || crv->as_int64() != cose::kCrvP256) {
    return Fail(invalid("the fido-u2f attestation certificate key is not EC P-256"));
  }
  // Step 4: the credential key as 04 || x || y (32-byte coordinates).
  if (credential_key.alg != cose::kAlgEs256) return Fail(invalid("fido-u2f is only for ES256 credentials"));
  const Bytes& x = credential_key.cose.find(cose::kLabelX)->as_bytes();
  const Bytes& y = credential_key.cose.find(cose::kLabelY)->as_bytes();
  // Step 5: verificationData = 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F.
  ByteWriter w;
  w.u8(0x00).bytes(auth_data.rp_id_hash).bytes(cdh).bytes(auth_data.attested->credential_id).u8(0x04).bytes(x).bytes(y);
  if (!crypto::verify_signature(*cert_key, w.view(), sig->as_bytes())) {
    return Fail(RpError{RpErrorCode::kAttestationSignatureInvalid, "the fido-u2f registration signature does not verify"});
  }
  AttestationOutcome out;
  out.subject = certs->front().subject_text();
  assess_trust(*certs, auth_data, rp, out);
  return out;
}

}  // namespace

tl::expected<AttestationOutcome, RpError> verify_attestation_statement(const webauthn::AttestationObject& object,
                                                                       const AuthenticatorData& auth_data,
                                                                       const webauthn::CoseKey& credential_key,
                                                                       ByteSpan client_data_hash,
                                                                       const RelyingPartyConfig& rp) {
  if (object.fmt == "none") {
    // §8.7: attStmt is an empty map.
    if (!object.att_stmt.as_map().empty()) return Fail(invalid("fmt none with a non-empty attStmt"));
    AttestationOutcome out;
    out.trust_detail = "no attestation";
    return out;
  }
  if (object.fmt == "packed") return verify_packed(object, auth_data, credential_key, client_data_hash, rp);
  if (object.fmt == "fido-u2f") return verify_fido_u2f(object, auth_data, credential_key, client_data_hash, rp);
  return Fail(RpError{RpErrorCode::kUnsupportedAttestationFormat,
                      "attestation format \"" + object.fmt + "\" is not supported (none, packed, fido-u2f)"});
}

}  // namespace vfido::rp
