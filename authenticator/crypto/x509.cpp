// X.509 v3 certificates on OpenSSL 3 (RFC 5280). Names, validity, serials and signatures go
// through OpenSSL's X509 API; extension values are written as DER by der.h (one helper adds any
// extension) and the standard ones are read back by OpenSSL, so the tests compare two codecs.
#include "authenticator/crypto/x509.h"

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <ctime>

#include "authenticator/crypto/der.h"
#include "authenticator/crypto/ossl_ptr.h"
#include "authenticator/crypto/pkcs8.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/rng.h"

// Like VFIDO_TRY (result.h), for X509Result.
#define VFIDO_X509_TRY(expr)                                    \
  do {                                                          \
    auto vfido_x509_result_ = (expr);                           \
    if (!vfido_x509_result_) {                                  \
      return tl::unexpected(vfido_x509_result_.error());        \
    }                                                           \
  } while (false)

namespace vfido::crypto {
namespace {

// RFC 5280 §4.1.2.2: serial numbers are positive and at most 20 octets; ours are 16 random
// octets (the CA/Browser Forum asks for at least 64 bits of randomness).
constexpr std::size_t kMaxSerialOctets = 20;
constexpr std::size_t kGeneratedSerialLen = 16;
// RFC 5280 Appendix A: ub-organization-name, ub-organizational-unit-name, ub-common-name.
constexpr int kMaxNameChars = 64;
constexpr std::size_t kCountryLen = 2;  // ISO 3166-1 alpha-2
constexpr std::size_t kMaxFidoSerialLen = 64;
constexpr std::uint8_t kDefinedU2fTransports = 0x1F;  // bits 0..4
constexpr std::int64_t kSecondsPerDay = 86400;
// Extensions by OID (RFC 5280 §4.2.1.1-3, §4.2.1.9).
constexpr std::string_view kOidSubjectKeyId = "2.5.29.14";
constexpr std::string_view kOidKeyUsage = "2.5.29.15";
constexpr std::string_view kOidBasicConstraints = "2.5.29.19";
constexpr std::string_view kOidAuthorityKeyId = "2.5.29.35";
constexpr std::uint8_t kTagBoolean = 0x01;
constexpr std::uint8_t kTagKeyIdentifier = 0x80;  // AuthorityKeyIdentifier [0] IMPLICIT

tl::unexpected<X509Error> xfail(X509Error e) {
  ERR_clear_error();  // what OpenSSL queued is reported as this value, not left for others
  return tl::unexpected<X509Error>(e);
}

Bytes asn1_bytes(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  const unsigned char* d = ASN1_STRING_get0_data(s);
  return Bytes(d, d + ASN1_STRING_length(s));
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 && data != nullptr ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

X509Result<Asn1ObjectPtr> oid_object(std::string_view oid) {
  Asn1ObjectPtr obj(OBJ_txt2obj(std::string(oid).c_str(), 1));  // 1: dotted numbers only
  if (!obj) return xfail(X509Error::kInternal);
  return obj;
}

// ---- time -----------------------------------------------------------------------------------

std::optional<std::int64_t> unix_time(const ASN1_TIME* t) {
  Asn1TimePtr epoch(ASN1_TIME_set(nullptr, 0));
  int days = 0;
  int seconds = 0;
  if (!epoch || t == nullptr || ASN1_TIME_diff(&days, &seconds, epoch.get(), t) != 1) return std::nullopt;
  return std::int64_t{days} * kSecondsPerDay + seconds;
}

// ---- names ----------------------------------------------------------------------------------

// WebAuthn §8.2.1 / RFC 5280 Appendix A: C is a PrintableString of two letters; O, OU and CN are
// UTF8Strings of 1..64 characters. Empty values are left out.
X509Result<void> add_name_entry(X509_NAME* name, int nid, const std::string& value) {
  if (value.empty()) return {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(value.data());
  if (nid == NID_countryName) {
    if (value.size() != kCountryLen || !std::all_of(value.begin(), value.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
      return xfail(X509Error::kInvalidSpec);
    }
    if (X509_NAME_add_entry_by_NID(name, nid, V_ASN1_PRINTABLESTRING, bytes, static_cast<int>(value.size()), -1, 0) != 1) {
      return xfail(X509Error::kInternal);
    }
    return {};
  }
  // ASN1_mbstring_ncopy checks the UTF-8 and counts characters, not bytes.
  ASN1_STRING* raw = nullptr;
  if (value.size() > static_cast<std::size_t>(INT_MAX) ||
      ASN1_mbstring_ncopy(&raw, bytes, static_cast<int>(value.size()), MBSTRING_UTF8, B_ASN1_UTF8STRING, 1,
                          kMaxNameChars) < 0) {
    return xfail(X509Error::kInvalidSpec);
  }
  Asn1StringPtr utf8(raw);
  if (X509_NAME_add_entry_by_NID(name, nid, V_ASN1_UTF8STRING, ASN1_STRING_get0_data(utf8.get()),
                                 ASN1_STRING_length(utf8.get()), -1, 0) != 1) {
    return xfail(X509Error::kInternal);
  }
  return {};
}

X509Result<void> set_name(X509_NAME* name, const DistinguishedName& dn) {
  if (dn.country.empty() && dn.organization.empty() && dn.organizational_unit.empty() && dn.common_name.empty()) {
    return xfail(X509Error::kInvalidSpec);  // RFC 5280 §4.1.2.6: a CA's subject is never empty
  }
  // The usual order of relative distinguished names, most general first.
  VFIDO_X509_TRY(add_name_entry(name, NID_countryName, dn.country));
  VFIDO_X509_TRY(add_name_entry(name, NID_organizationName, dn.organization));
  VFIDO_X509_TRY(add_name_entry(name, NID_organizationalUnitName, dn.organizational_unit));
  VFIDO_X509_TRY(add_name_entry(name, NID_commonName, dn.common_name));
  return {};
}

std::string name_entry(const X509_NAME* name, int nid) {
  int idx = X509_NAME_get_index_by_NID(name, nid, -1);
  if (idx < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
  unsigned char* raw = nullptr;
  int len = ASN1_STRING_to_UTF8(&raw, data);
  if (len < 0 || raw == nullptr) return {};
  OsslBuffer<unsigned char> utf8(raw);
  return std::string(reinterpret_cast<const char*>(utf8.get()), static_cast<std::size_t>(len));
}

DistinguishedName read_name(const X509_NAME* name) {
  return DistinguishedName{name_entry(name, NID_countryName), name_entry(name, NID_organizationName),
                           name_entry(name, NID_organizationalUnitName), name_entry(name, NID_commonName)};
}

// ---- extensions -----------------------------------------------------------------------------

X509Result<void> add_extension(X509* x, std::string_view oid, bool critical, ByteSpan der_value) {
  auto obj = oid_object(oid);
  if (!obj) return tl::unexpected(obj.error());
  Asn1StringPtr value(ASN1_OCTET_STRING_new());
  if (!value || ASN1_OCTET_STRING_set(value.get(), der_value.data(), static_cast<int>(der_value.size())) != 1) {
    return xfail(X509Error::kInternal);
  }
  X509ExtensionPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, obj->get(), critical ? 1 : 0, value.get()));
  if (!ext || X509_add_ext(x, ext.get(), -1) != 1) return xfail(X509Error::kInternal);
  return {};
}

// RFC 5280 §4.2.1.9: BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE,
// pathLenConstraint INTEGER OPTIONAL }. DER leaves out the default, so an end entity's value is
// the empty SEQUENCE.
Bytes basic_constraints_der(bool ca, std::optional<std::uint32_t> path_len) {
  ByteWriter body;
  if (ca) {
    const std::uint8_t kTrue = 0xFF;
    der::write_tlv(body, kTagBoolean, ByteSpan(&kTrue, 1));
    if (path_len) der::write_unsigned_integer(body, ByteWriter(4).u32be(*path_len).view());
  }
  ByteWriter out;
  der::write_tlv(out, der::kTagSequence, body.view());
  return std::move(out).take();
}

Bytes octet_string_der(ByteSpan contents) {
  ByteWriter out(contents.size() + 4);
  der::write_tlv(out, der::kTagOctetString, contents);
  return std::move(out).take();
}

// RFC 5280 §4.2.1.2 method (1): the SHA-1 of the subjectPublicKey BIT STRING's value.
X509Result<Bytes> key_identifier_of(const X509* x) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_pubkey_digest(x, EVP_sha1(), md, &len) != 1) return xfail(X509Error::kInternal);
  return Bytes(md, md + len);
}

X509Result<void> add_standard_extensions(X509* x, const CertificateSpec& spec, const X509* issuer) {
  // RFC 5280 §4.2.1.9: basicConstraints critical in CA certificates; WebAuthn §8.2.1 asks for cA
  // FALSE in attestation certificates, marked critical here too.
  VFIDO_X509_TRY(add_extension(x, kOidBasicConstraints, true, basic_constraints_der(spec.is_ca, spec.path_len)));
  // RFC 5280 §4.2.1.3: keyCertSign for certificate signers; critical as §4.2.1.3 recommends.
  ByteWriter ku;
  der::write_named_bits(ku, spec.is_ca ? static_cast<std::uint16_t>(key_usage::kKeyCertSign | key_usage::kCrlSign)
                                       : key_usage::kDigitalSignature);
  VFIDO_X509_TRY(add_extension(x, kOidKeyUsage, true, ku.view()));
  // RFC 5280 §4.2.1.2: subjectKeyIdentifier (required in CA certificates), not critical.
  auto ski = key_identifier_of(x);
  if (!ski) return tl::unexpected(ski.error());
  VFIDO_X509_TRY(add_extension(x, kOidSubjectKeyId, false, octet_string_der(*ski)));
  // RFC 5280 §4.2.1.1: authorityKeyIdentifier = the issuer's subject key identifier (our own for
  // a self-signed certificate), not critical.
  Bytes issuer_key_id = *ski;
  if (issuer != nullptr) {
    const ASN1_OCTET_STRING* id = X509_get0_subject_key_id(const_cast<X509*>(issuer));
    if (id != nullptr) {
      issuer_key_id = asn1_bytes(id);
    } else {
      auto computed = key_identifier_of(issuer);
      if (!computed) return tl::unexpected(computed.error());
      issuer_key_id = std::move(*computed);
    }
  }
  ByteWriter aki_body;
  der::write_tlv(aki_body, kTagKeyIdentifier, issuer_key_id);
  ByteWriter aki;
  der::write_tlv(aki, der::kTagSequence, aki_body.view());
  return add_extension(x, kOidAuthorityKeyId, false, aki.view());
}

// WebAuthn §8.2.1, §8.2.2 and the FIDO U2F transports extension: all non-critical.
X509Result<void> add_fido_extensions(X509* x, const FidoExtensions& fido) {
  if (fido.aaguid) VFIDO_X509_TRY(add_extension(x, kOidFidoAaguid, false, octet_string_der(*fido.aaguid)));
  if (fido.firmware_version) {
    ByteWriter v;
    der::write_unsigned_integer(v, ByteWriter(8).u32be(static_cast<std::uint32_t>(*fido.firmware_version >> 32))
                                       .u32be(static_cast<std::uint32_t>(*fido.firmware_version))
                                       .view());
    VFIDO_X509_TRY(add_extension(x, kOidFidoFwVersion, false, v.view()));
  }
  if (fido.serial_number) {
    VFIDO_X509_TRY(add_extension(x, kOidFidoSerialNumber, false, octet_string_der(*fido.serial_number)));
  }
  if (fido.u2f_transports) {
    ByteWriter bits;
    der::write_named_bits(bits, *fido.u2f_transports);
    VFIDO_X509_TRY(add_extension(x, kOidFidoU2fTransports, false, bits.view()));
  }
  return {};
}

// The value of the one extension with `oid`; nullopt when absent; kMalformed when repeated
// (RFC 5280 §4.2: at most one instance of an extension).
X509Result<std::optional<Bytes>> extension_value(const X509* x, std::string_view oid) {
  auto obj = oid_object(oid);
  if (!obj) return tl::unexpected(obj.error());
  int idx = X509_get_ext_by_OBJ(x, obj->get(), -1);
  if (idx < 0) return std::optional<Bytes>();
  if (X509_get_ext_by_OBJ(x, obj->get(), idx) >= 0) return xfail(X509Error::kMalformed);
  return std::optional<Bytes>(asn1_bytes(X509_EXTENSION_get_data(X509_get_ext(x, idx))));
}

// ---- validation of builder input -------------------------------------------------------------

// RFC 5280 §4.1.2.2: a positive INTEGER of at most 20 octets.
X509Result<Bytes> serial_for(const CertificateSpec& spec, Rng& rng) {
  if (spec.serial.empty()) {
    Bytes s = rng.bytes(kGeneratedSerialLen);
    // Top bit clear (positive without a sign octet), next bit set (always 16 octets long).
    s[0] = static_cast<std::uint8_t>((s[0] & 0x7F) | 0x40);
    return s;
  }
  auto first = std::find_if(spec.serial.begin(), spec.serial.end(), [](std::uint8_t b) { return b != 0; });
  Bytes magnitude(first, spec.serial.end());
  if (magnitude.empty()) return xfail(X509Error::kInvalidSpec);  // zero is not positive
  std::size_t octets = magnitude.size() + ((magnitude[0] & 0x80) != 0 ? 1 : 0);
  if (octets > kMaxSerialOctets) return xfail(X509Error::kInvalidSpec);
  return magnitude;
}

X509Result<void> check_spec(const CertificateSpec& spec) {
  const Validity& v = spec.validity;
  if (v.not_before < 0 || v.not_before > v.not_after || v.not_after > kNoWellDefinedExpiration) {
    return xfail(X509Error::kInvalidSpec);
  }
  if (spec.path_len && !spec.is_ca) return xfail(X509Error::kInvalidSpec);  // RFC 5280 §4.2.1.9
  const FidoExtensions& f = spec.fido;
  if (spec.is_ca && (f.aaguid || f.firmware_version || f.serial_number || f.u2f_transports)) {
    return xfail(X509Error::kInvalidSpec);  // attestation certificate extensions
  }
  if (f.serial_number && (f.serial_number->empty() || f.serial_number->size() > kMaxFidoSerialLen)) {
    return xfail(X509Error::kInvalidSpec);
  }
  if (f.u2f_transports && (*f.u2f_transports & ~kDefinedU2fTransports) != 0) return xfail(X509Error::kInvalidSpec);
  return {};
}

X509Result<void> set_time(ASN1_TIME* field, std::int64_t unix_seconds) {
  // ASN1_TIME_set picks UTCTime through 2049 and GeneralizedTime after (RFC 5280 §4.1.2.5).
  if (ASN1_TIME_set(field, static_cast<time_t>(unix_seconds)) == nullptr) return xfail(X509Error::kInternal);
  return {};
}

X509Error chain_error(int code) {
  switch (code) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return X509Error::kExpired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return X509Error::kNotYetValid;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
      return X509Error::kBadSignature;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_CERT_UNTRUSTED:
      return X509Error::kUntrusted;
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
      return X509Error::kNotCa;
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
      return X509Error::kPathLength;
    default:
      return X509Error::kInvalidChain;
  }
}

int no_passphrase(char*, int, int, void*) { return -1; }  // never prompt on a terminal

struct X509Stack {
  void operator()(STACK_OF(X509) * s) const { sk_X509_free(s); }  // the certificates are not owned
};

}  // namespace

std::string_view describe(X509Error e) {
  switch (e) {
    case X509Error::kInvalidSpec:
      return "invalid certificate parameters";
    case X509Error::kUnsupportedKey:
      return "unsupported key type";
    case X509Error::kMalformed:
      return "malformed certificate or key";
    case X509Error::kNoCertificate:
      return "no certificate found";
    case X509Error::kKeyMismatch:
      return "private key does not match the certificate";
    case X509Error::kUntrusted:
      return "no path to a trusted certificate";
    case X509Error::kBadSignature:
      return "certificate signature does not verify";
    case X509Error::kExpired:
      return "certificate has expired";
    case X509Error::kNotYetValid:
      return "certificate is not yet valid";
    case X509Error::kNotCa:
      return "issuer is not a certificate authority";
    case X509Error::kPathLength:
      return "path length constraint exceeded";
    case X509Error::kInvalidChain:
      return "certificate chain is invalid";
    case X509Error::kInternal:
      return "internal error";
  }
  return "unknown error";
}

CtapStatus to_ctap_status(X509Error e) {
  return e == X509Error::kInternal ? CtapStatus::kOther : CtapStatus::kInvalidParameter;
}

// ---- Certificate ------------------------------------------------------------------------------

X509Result<Certificate> Certificate::from_der(ByteSpan der_bytes) {
  if (der_bytes.empty() || der_bytes.size() > static_cast<std::size_t>(LONG_MAX)) return xfail(X509Error::kMalformed);
  const unsigned char* p = der_bytes.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der_bytes.size())));
  if (!x || p != der_bytes.data() + der_bytes.size()) return xfail(X509Error::kMalformed);
  // Times that cannot be read, and extensions OpenSSL finds undecodable or repeated.
  if (!unix_time(X509_get0_notBefore(x.get())) || !unix_time(X509_get0_notAfter(x.get())) ||
      (X509_get_extension_flags(x.get()) & EXFLAG_INVALID) != 0) {
    return xfail(X509Error::kMalformed);
  }
  return Certificate(std::shared_ptr<x509_st>(x.release(), X509_free));
}

X509Result<Certificate> Certificate::from_pem(std::string_view pem) {
  auto chain = parse_pem_chain(pem);
  if (!chain) return tl::unexpected(chain.error());
  if (chain->size() != 1) return xfail(X509Error::kMalformed);
  return chain->front();
}

Bytes Certificate::der() const {
  unsigned char* raw = nullptr;
  int len = i2d_X509(x509_.get(), &raw);
  if (len <= 0 || raw == nullptr) return {};
  OsslBuffer<unsigned char> buf(raw);
  return Bytes(buf.get(), buf.get() + len);
}

std::string Certificate::pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x509_.get()) != 1) return {};
  return bio_text(bio.get());
}

int Certificate::version() const { return static_cast<int>(X509_get_version(x509_.get())) + 1; }

Bytes Certificate::serial() const {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509_.get()), nullptr));
  if (!bn) return {};
  Bytes out(static_cast<std::size_t>(BN_num_bytes(bn.get())));
  BN_bn2bin(bn.get(), out.data());
  return out;
}

DistinguishedName Certificate::subject() const { return read_name(X509_get_subject_name(x509_.get())); }
DistinguishedName Certificate::issuer() const { return read_name(X509_get_issuer_name(x509_.get())); }

std::string Certificate::subject_text() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(x509_.get()), 0, XN_FLAG_RFC2253) < 0) return {};
  return bio_text(bio.get());
}

// from_der() made sure both times can be read.
std::int64_t Certificate::not_before() const { return unix_time(X509_get0_notBefore(x509_.get())).value_or(0); }
std::int64_t Certificate::not_after() const { return unix_time(X509_get0_notAfter(x509_.get())).value_or(0); }

std::string Certificate::signature_algorithm() const {
  const char* name = OBJ_nid2sn(X509_get_signature_nid(x509_.get()));
  return name != nullptr ? name : "";
}

std::optional<BasicConstraints> Certificate::basic_constraints() const {
  int critical = -1;
  BasicConstraintsPtr bc(
      static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(x509_.get(), NID_basic_constraints, &critical, nullptr)));
  if (!bc) return std::nullopt;
  BasicConstraints out;
  out.ca = bc->ca != 0;
  out.critical = critical == 1;
  std::uint64_t path_len = 0;
  if (bc->pathlen != nullptr && ASN1_INTEGER_get_uint64(&path_len, bc->pathlen) == 1) out.path_len = path_len;
  return out;
}

std::optional<std::uint16_t> Certificate::key_usage() const {
  Asn1StringPtr bits(static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(x509_.get(), NID_key_usage, nullptr, nullptr)));
  if (!bits) return std::nullopt;
  std::uint16_t mask = 0;
  for (int i = 0; i <= 8; ++i) {
    if (ASN1_BIT_STRING_get_bit(bits.get(), i) != 0) mask = static_cast<std::uint16_t>(mask | (1U << i));
  }
  return mask;
}

std::optional<Bytes> Certificate::subject_key_id() const {
  const ASN1_OCTET_STRING* id = X509_get0_subject_key_id(x509_.get());
  if (id == nullptr) return std::nullopt;
  return asn1_bytes(id);
}

std::optional<Bytes> Certificate::authority_key_id() const {
  const ASN1_OCTET_STRING* id = X509_get0_authority_key_id(x509_.get());
  if (id == nullptr) return std::nullopt;
  return asn1_bytes(id);
}

std::vector<Extension> Certificate::extensions() const {
  std::vector<Extension> out;
  for (int i = 0; i < X509_get_ext_count(x509_.get()); ++i) {
    X509_EXTENSION* ext = X509_get_ext(x509_.get(), i);
    char oid[128] = {};
    int len = OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(ext), 1);
    if (len <= 0 || static_cast<std::size_t>(len) >= sizeof(oid)) continue;  // an OID too long to name
    out.push_back(Extension{oid, X509_EXTENSION_get_critical(ext) == 1, asn1_bytes(X509_EXTENSION_get_data(ext))});
  }
  return out;
}

X509Result<FidoExtensions> Certificate::fido_extensions() const {
  FidoExtensions out;
  auto aaguid = extension_value(x509_.get(), kOidFidoAaguid);
  auto version = extension_value(x509_.get(), kOidFidoFwVersion);
  auto serial = extension_value(x509_.get(), kOidFidoSerialNumber);
  auto transports = extension_value(x509_.get(), kOidFidoU2fTransports);
  if (!aaguid || !version || !serial || !transports) return xfail(X509Error::kMalformed);
  // WebAuthn §8.2.1: the AAGUID is a 16-byte OCTET STRING inside the extension's OCTET STRING.
  if (*aaguid) {
    auto inner = der::read_single(**aaguid, der::kTagOctetString);
    if (!inner || inner->size() != kAaguidLen) return xfail(X509Error::kMalformed);
    ByteArray<kAaguidLen> a{};
    std::copy(inner->begin(), inner->end(), a.begin());
    out.aaguid = a;
  }
  // WebAuthn §8.2.1: the firmware version is an INTEGER; we read non-negative values < 2^64.
  if (*version) {
    ByteReader in(**version, CtapStatus::kInvalidParameter);
    auto magnitude = der::read_unsigned_integer(in);
    if (!magnitude || !in.expect_end() || magnitude->size() > sizeof(std::uint64_t)) {
      return xfail(X509Error::kMalformed);
    }
    std::uint64_t v = 0;
    for (std::uint8_t b : *magnitude) v = (v << 8) | b;
    out.firmware_version = v;
  }
  // WebAuthn §8.2.2: the serial number is a (non-empty) OCTET STRING.
  if (*serial) {
    auto inner = der::read_single(**serial, der::kTagOctetString);
    if (!inner || inner->empty()) return xfail(X509Error::kMalformed);
    out.serial_number = Bytes(inner->begin(), inner->end());
  }
  if (*transports) {
    auto bits = der::read_named_bits(**transports);
    if (!bits || *bits > 0xFF) return xfail(X509Error::kMalformed);
    out.u2f_transports = static_cast<std::uint8_t>(*bits);
  }
  return out;
}

X509Result<cbor::Value> Certificate::public_key_cose() const {
  auto cose_key = public_cose_of(X509_get0_pubkey(x509_.get()));
  if (!cose_key) return xfail(X509Error::kUnsupportedKey);
  return std::move(*cose_key);
}

bool Certificate::certifies(const PrivateKey& key) const {
  if (key.evp_pkey() == nullptr) return false;
  bool ok = X509_check_private_key(x509_.get(), key.evp_pkey()) == 1;
  ERR_clear_error();
  return ok;
}

bool Certificate::is_issued_by(const Certificate& issuer) const {
  // X509_check_issued compares the names, the key identifiers and the issuer's keyUsage.
  bool ok = X509_check_issued(issuer.x509_.get(), x509_.get()) == X509_V_OK &&
            X509_verify(x509_.get(), X509_get0_pubkey(issuer.x509_.get())) == 1;
  ERR_clear_error();
  return ok;
}

// ---- building ---------------------------------------------------------------------------------

X509Result<Certificate> issue_certificate(const CertificateSpec& spec, const PrivateKey& subject_key,
                                          const Certificate* issuer, const PrivateKey& issuer_key, Rng& rng) {
  VFIDO_X509_TRY(check_spec(spec));
  if (subject_key.evp_pkey() == nullptr || issuer_key.evp_pkey() == nullptr) return xfail(X509Error::kInvalidSpec);
  if (issuer == nullptr) {
    // Self-signed: the issuer key is the subject key.
    if (issuer_key.cose_alg() != subject_key.cose_alg() || issuer_key.public_bytes() != subject_key.public_bytes()) {
      return xfail(X509Error::kKeyMismatch);
    }
  } else if (!issuer->certifies(issuer_key)) {
    return xfail(X509Error::kKeyMismatch);
  }
  auto serial = serial_for(spec, rng);
  if (!serial) return tl::unexpected(serial.error());

  X509Ptr x(X509_new());
  BignumPtr serial_bn(BN_bin2bn(serial->data(), static_cast<int>(serial->size()), nullptr));
  if (!x || !serial_bn || X509_set_version(x.get(), X509_VERSION_3) != 1 ||
      BN_to_ASN1_INTEGER(serial_bn.get(), X509_get_serialNumber(x.get())) == nullptr ||
      X509_set_pubkey(x.get(), subject_key.evp_pkey()) != 1) {
    return xfail(X509Error::kInternal);
  }
  VFIDO_X509_TRY(set_name(X509_get_subject_name(x.get()), spec.subject));
  X509_NAME* issuer_name = issuer == nullptr ? X509_get_subject_name(x.get()) : X509_get_subject_name(issuer->native());
  if (X509_set_issuer_name(x.get(), issuer_name) != 1) return xfail(X509Error::kInternal);
  VFIDO_X509_TRY(set_time(X509_getm_notBefore(x.get()), spec.validity.not_before));
  VFIDO_X509_TRY(set_time(X509_getm_notAfter(x.get()), spec.validity.not_after));
  VFIDO_X509_TRY(add_standard_extensions(x.get(), spec, issuer == nullptr ? nullptr : issuer->native()));
  VFIDO_X509_TRY(add_fido_extensions(x.get(), spec.fido));

  // ecdsa-with-SHA256 / sha256WithRSAEncryption (RFC 5758 §3.2, RFC 4055 §5); Ed25519 takes no
  // digest (RFC 8410 §6).
  const EVP_MD* md = issuer_key.cose_alg() == cose::kAlgEdDsa ? nullptr : EVP_sha256();
  if (X509_sign(x.get(), issuer_key.evp_pkey(), md) <= 0) return xfail(X509Error::kInternal);

  // Parsed back from its DER, so the caller holds exactly what a relying party will read.
  unsigned char* raw = nullptr;
  int len = i2d_X509(x.get(), &raw);
  if (len <= 0 || raw == nullptr) return xfail(X509Error::kInternal);
  OsslBuffer<unsigned char> encoded(raw);
  auto cert = Certificate::from_der(ByteSpan(encoded.get(), static_cast<std::size_t>(len)));
  if (!cert) return xfail(X509Error::kInternal);
  return cert;
}

X509Result<Certificate> make_root_ca(const DistinguishedName& subject, const Validity& validity, const PrivateKey& key,
                                     Rng& rng, std::optional<std::uint32_t> path_len) {
  CertificateSpec spec;
  spec.subject = subject;
  spec.validity = validity;
  spec.is_ca = true;
  spec.path_len = path_len;
  return issue_certificate(spec, key, nullptr, key, rng);
}

X509Result<Certificate> make_intermediate_ca(const DistinguishedName& subject, const Validity& validity,
                                             const PrivateKey& key, const Certificate& issuer,
                                             const PrivateKey& issuer_key, Rng& rng,
                                             std::optional<std::uint32_t> path_len) {
  CertificateSpec spec;
  spec.subject = subject;
  spec.validity = validity;
  spec.is_ca = true;
  spec.path_len = path_len;
  return issue_certificate(spec, key, &issuer, issuer_key, rng);
}

X509Result<Certificate> make_attestation_certificate(const AttestationCertificateSpec& a, const PrivateKey& key,
                                                     const Certificate& issuer, const PrivateKey& issuer_key,
                                                     Rng& rng) {
  // WebAuthn §8.2.1: C, O, OU = "Authenticator Attestation" and CN are all required.
  if (a.country.empty() || a.organization.empty() || a.common_name.empty()) return xfail(X509Error::kInvalidSpec);
  CertificateSpec spec;
  spec.subject = DistinguishedName{a.country, a.organization, std::string(kAttestationOrganizationalUnit),
                                   a.common_name};
  spec.validity = a.validity;
  spec.serial = a.serial;
  spec.fido.aaguid = a.aaguid;
  spec.fido.firmware_version = a.firmware_version;
  spec.fido.serial_number = a.enterprise_serial_number;
  spec.fido.u2f_transports = a.u2f_transports;
  return issue_certificate(spec, key, &issuer, issuer_key, rng);
}

// ---- path validation --------------------------------------------------------------------------

X509Result<void> verify_chain(const Certificate& leaf, std::span<const Certificate> intermediates,
                              std::span<const Certificate> anchors, std::int64_t at, PathValidation mode) {
  if (anchors.empty()) return xfail(X509Error::kUntrusted);
  X509StorePtr store(X509_STORE_new());
  std::unique_ptr<STACK_OF(X509), X509Stack> untrusted(sk_X509_new_null());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) return xfail(X509Error::kInternal);
  for (const Certificate& a : anchors) {
    if (X509_STORE_add_cert(store.get(), a.native()) != 1) return xfail(X509Error::kInternal);
  }
  for (const Certificate& c : intermediates) {
    if (sk_X509_push(untrusted.get(), c.native()) <= 0) return xfail(X509Error::kInternal);
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.native(), untrusted.get()) != 1) {
    return xfail(X509Error::kInternal);
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(at));
  // PARTIAL_CHAIN: every anchor is trusted as it is, self-signed or not.
  unsigned long flags = X509_V_FLAG_PARTIAL_CHAIN;
  if (mode == PathValidation::kStrict) flags |= X509_V_FLAG_X509_STRICT;
  X509_VERIFY_PARAM_set_flags(param, flags);
  if (X509_verify_cert(ctx.get()) == 1) return {};
  return xfail(chain_error(X509_STORE_CTX_get_error(ctx.get())));
}

// ---- PEM --------------------------------------------------------------------------------------

X509Result<std::vector<Certificate>> parse_pem_chain(std::string_view pem) {
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) return xfail(X509Error::kMalformed);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return xfail(X509Error::kInternal);
  std::vector<Certificate> out;
  ERR_clear_error();
  for (;;) {
    char* raw_name = nullptr;
    char* raw_header = nullptr;
    unsigned char* raw_data = nullptr;
    long len = 0;
    int ok = PEM_read_bio(bio.get(), &raw_name, &raw_header, &raw_data, &len);
    OsslBuffer<char> name(raw_name);
    OsslBuffer<char> header(raw_header);
    OsslBuffer<unsigned char> data(raw_data);
    if (ok != 1) {
      // No further "-----BEGIN" line is the end of the text; anything else is a broken block.
      unsigned long err = ERR_peek_last_error();
      if (ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE) break;
      return xfail(X509Error::kMalformed);
    }
    // RFC 7468 §5.1: the label is CERTIFICATE; encapsulated headers are not allowed.
    if (std::strcmp(name.get(), PEM_STRING_X509) != 0 || (header && header.get()[0] != '\0') || len <= 0) {
      return xfail(X509Error::kMalformed);
    }
    auto cert = Certificate::from_der(ByteSpan(data.get(), static_cast<std::size_t>(len)));
    if (!cert) return xfail(X509Error::kMalformed);
    out.push_back(std::move(*cert));
  }
  ERR_clear_error();
  if (out.empty()) return xfail(X509Error::kNoCertificate);
  return out;
}

std::string to_pem_chain(std::span<const Certificate> chain) {
  std::string out;
  for (const Certificate& c : chain) out += c.pem();
  return out;
}

X509Result<PrivateKey> private_key_from_pem(std::string_view pem) {
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) return xfail(X509Error::kMalformed);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return xfail(X509Error::kInternal);
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!pkey) return xfail(X509Error::kMalformed);
  // Our RS256 import does not check the private parts against each other (keys.h): a supplied
  // key is checked once (pkcs8.h), and so is the public half an EC key's encoding may carry.
  auto key = checked_private_key(pkey.get());
  if (!key) {
    if (key.error() == CtapStatus::kOther) return xfail(X509Error::kInternal);
    return xfail(key.error() == CtapStatus::kUnsupportedAlgorithm ? X509Error::kUnsupportedKey : X509Error::kMalformed);
  }
  return std::move(*key);
}

X509Result<SecretBytes> private_key_to_pem(const PrivateKey& key) {
  if (key.evp_pkey() == nullptr) return xfail(X509Error::kInvalidSpec);
  BioPtr bio(BIO_new(BIO_s_secmem()));  // wiped when freed
  if (!bio ||
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key.evp_pkey(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return xfail(X509Error::kInternal);
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) return xfail(X509Error::kInternal);
  return SecretBytes(ByteSpan(reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(len)));
}

}  // namespace vfido::crypto
