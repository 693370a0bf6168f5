// X.509 v3 certificates (RFC 5280) for FIDO attestation, on OpenSSL 3: a builder for a
// self-signed root CA, intermediate CAs and attestation certificates with the FIDO extensions
// (WebAuthn L3 §8.2.1, §8.2.2; FIDO U2F Authenticator Transports Extension), a reader, DER and
// PEM codecs, PEM private keys, and RFC 5280 §6 path validation for tests and the relying-party
// emulator. No I/O: PEM comes in and goes out as text; times are Unix seconds given by the
// caller (the core has no clock). Errors are X509Error values.
//
// Determinism: keys made from the Rng port (ES256, EdDSA) and serial numbers drawn from it repeat
// with a seeded Rng; ECDSA signatures use OpenSSL's randomness, so the signature bytes of an
// ES256-signed certificate differ run to run (Ed25519 and RSA issuers sign deterministically).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "authenticator/bytes.h"
#include "authenticator/cbor/value.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/secret.h"

// OpenSSL's X509, declared here so that <openssl/...> stays out of the rest of the core.
struct x509_st;

namespace vfido {
class Rng;
}

namespace vfido::crypto {

enum class X509Error : std::uint8_t {
  kInvalidSpec,     // a builder input breaks RFC 5280 or WebAuthn §8.2.1 (name, serial, validity...)
  kUnsupportedKey,  // a key type this module does not handle (only P-256, Ed25519, RSA)
  kMalformed,       // bytes or text that are not a DER/PEM certificate or key; a malformed extension
  kNoCertificate,   // PEM text without a CERTIFICATE block
  kKeyMismatch,     // a private key that does not belong to the certificate it is used with
  kUntrusted,       // path validation: no path to a trust anchor
  kBadSignature,    // path validation: a certificate's signature does not verify
  kExpired,         // path validation: a certificate's notAfter is before the time of checking
  kNotYetValid,     // path validation: a certificate's notBefore is after the time of checking
  kNotCa,           // path validation: an issuer without CA rights (basicConstraints, keyUsage)
  kPathLength,      // path validation: a pathLenConstraint is exceeded
  kInvalidChain,    // path validation: any other RFC 5280 §6 failure (strict profile checks)
  kInternal,        // OpenSSL failed (out of memory)
};

template <typename T>
using X509Result = tl::expected<T, X509Error>;

// A short English description, for error messages ("certificate has expired").
std::string_view describe(X509Error e);
// The one mapping to CTAP status (style.md §5): kInternal is CTAP1_ERR_OTHER; bad input is
// CTAP1_ERR_INVALID_PARAMETER.
CtapStatus to_ctap_status(X509Error e);

// The attributes of a subject or issuer name that WebAuthn §8.2.1 talks about. Empty strings are
// absent attributes. The builder writes C as a PrintableString of two letters A-Z (ISO 3166-1
// alpha-2) and O, OU, CN as UTF8Strings of 1..64 characters (RFC 5280 Appendix A upper bounds).
struct DistinguishedName {
  std::string country;              // C
  std::string organization;         // O
  std::string organizational_unit;  // OU
  std::string common_name;          // CN
  bool operator==(const DistinguishedName&) const = default;
};

// WebAuthn §8.2.1: the literal subject OU of an attestation certificate.
inline constexpr std::string_view kAttestationOrganizationalUnit = "Authenticator Attestation";

// RFC 5280 §4.1.2.5: the notAfter of a certificate with no well-defined expiration date,
// 99991231235959Z, in Unix seconds.
inline constexpr std::int64_t kNoWellDefinedExpiration = 253402300799;

// Validity in Unix seconds (UTC), inclusive (RFC 5280 §4.1.2.5). 0 <= not_before <= not_after
// <= kNoWellDefinedExpiration.
struct Validity {
  std::int64_t not_before = 0;
  std::int64_t not_after = kNoWellDefinedExpiration;
};

// FIDO object identifiers (WebAuthn L3 §8.2.1, §8.2.2; FIDO U2F transports extension).
inline constexpr std::string_view kOidFidoAaguid = "1.3.6.1.4.1.45724.1.1.4";      // id-fido-gen-ce-aaguid
inline constexpr std::string_view kOidFidoFwVersion = "1.3.6.1.4.1.45724.1.1.5";   // id-fido-gen-ce-fw-version
inline constexpr std::string_view kOidFidoSerialNumber = "1.3.6.1.4.1.45724.1.1.2";  // id-fido-gen-ce-sernum
inline constexpr std::string_view kOidFidoU2fTransports = "1.3.6.1.4.1.45724.2.1.1";

// FIDOU2FTransports ::= BIT STRING { bluetoothRadio(0), bluetoothLowEnergyRadio(1), uSB(2),
// nFC(3), uSBInternal(4) }: bit i of a mask here is named bit i.
namespace u2f_transport {
inline constexpr std::uint8_t kBluetoothClassic = 1U << 0;
inline constexpr std::uint8_t kBluetoothLowEnergy = 1U << 1;
inline constexpr std::uint8_t kUsb = 1U << 2;
inline constexpr std::uint8_t kNfc = 1U << 3;
inline constexpr std::uint8_t kUsbInternal = 1U << 4;
}  // namespace u2f_transport

// RFC 5280 §4.2.1.3 KeyUsage: bit i of a mask here is named bit i.
namespace key_usage {
inline constexpr std::uint16_t kDigitalSignature = 1U << 0;
inline constexpr std::uint16_t kNonRepudiation = 1U << 1;
inline constexpr std::uint16_t kKeyEncipherment = 1U << 2;
inline constexpr std::uint16_t kDataEncipherment = 1U << 3;
inline constexpr std::uint16_t kKeyAgreement = 1U << 4;
inline constexpr std::uint16_t kKeyCertSign = 1U << 5;
inline constexpr std::uint16_t kCrlSign = 1U << 6;
inline constexpr std::uint16_t kEncipherOnly = 1U << 7;
inline constexpr std::uint16_t kDecipherOnly = 1U << 8;
}  // namespace key_usage

// The FIDO extensions of an attestation certificate, all non-critical.
struct FidoExtensions {
  // id-fido-gen-ce-aaguid: OCTET STRING (16 bytes) inside the extension's OCTET STRING.
  std::optional<ByteArray<kAaguidLen>> aaguid;
  // id-fido-gen-ce-fw-version: INTEGER (WebAuthn §8.2.1: the firmware version, optional).
  std::optional<std::uint64_t> firmware_version;
  // id-fido-gen-ce-sernum: OCTET STRING, unique per device for its AAGUID; only in enterprise
  // attestation certificates (WebAuthn §8.2.2). 1..64 bytes here.
  std::optional<Bytes> serial_number;
  // FIDO U2F transports: a u2f_transport mask, from U2F-era certificates.
  std::optional<std::uint8_t> u2f_transports;
  bool operator==(const FidoExtensions&) const = default;
};

// What to put in a certificate. The builder adds basicConstraints and keyUsage (both critical:
// CA -> cA TRUE, keyCertSign|cRLSign; end entity -> cA FALSE, digitalSignature) and the subject
// and authority key identifiers (RFC 5280 §4.2.1.1-2, method 1: SHA-1 of the subjectPublicKey).
struct CertificateSpec {
  DistinguishedName subject;  // at least one attribute
  Validity validity;
  // Big-endian magnitude, positive and at most 20 octets once DER-encoded (RFC 5280 §4.1.2.2).
  // Empty: 16 bytes from the Rng, top bit clear.
  Bytes serial;
  bool is_ca = false;
  std::optional<std::uint32_t> path_len;  // pathLenConstraint, CAs only
  FidoExtensions fido;                    // end entities only
};

// basicConstraints as read back.
struct BasicConstraints {
  bool ca = false;
  std::optional<std::uint64_t> path_len;
  bool critical = false;
};

// An extension as read back: dotted OID, criticality and the DER of its value.
struct Extension {
  std::string oid;
  bool critical = false;
  Bytes value;
};

// A parsed X.509 certificate. Copies share one immutable OpenSSL object.
class Certificate {
 public:
  // Exactly one DER certificate, no trailing bytes.
  static X509Result<Certificate> from_der(ByteSpan der);
  // Text with exactly one CERTIFICATE block (RFC 7468 §5.1); see parse_pem_chain.
  static X509Result<Certificate> from_pem(std::string_view pem);

  Bytes der() const;
  std::string pem() const;

  int version() const;  // 1, 2 or 3
  Bytes serial() const;  // big-endian magnitude
  DistinguishedName subject() const;
  DistinguishedName issuer() const;
  std::string subject_text() const;  // RFC 2253 form, e.g. "CN=x,OU=y,O=z,C=US"
  std::int64_t not_before() const;   // Unix seconds
  std::int64_t not_after() const;
  std::string signature_algorithm() const;  // OpenSSL's short name, e.g. "ecdsa-with-SHA256"

  std::optional<BasicConstraints> basic_constraints() const;
  std::optional<std::uint16_t> key_usage() const;  // a key_usage mask
  std::optional<Bytes> subject_key_id() const;
  std::optional<Bytes> authority_key_id() const;
  std::vector<Extension> extensions() const;

  // The FIDO extensions, each nullopt when absent; kMalformed when present twice or with a
  // value of the wrong shape (an AAGUID of other than 16 bytes, a negative version...).
  X509Result<FidoExtensions> fido_extensions() const;

  // The subject public key as a COSE_Key: P-256 -> ES256, Ed25519 -> EdDSA, RSA -> RS256.
  // kUnsupportedKey otherwise. Verify signatures with crypto::verify_signature.
  X509Result<cbor::Value> public_key_cose() const;
  // Whether `key` is the private half of this certificate's public key.
  bool certifies(const PrivateKey& key) const;
  // Whether `issuer`'s subject is this certificate's issuer and its key verifies this
  // certificate's signature (one link of a chain; no validity or CA checks).
  bool is_issued_by(const Certificate& issuer) const;

  x509_st* native() const { return x509_.get(); }  // for authenticator/crypto/ only

 private:
  explicit Certificate(std::shared_ptr<x509_st> x) : x509_(std::move(x)) {}
  std::shared_ptr<x509_st> x509_;
};

// Issues a certificate for `subject_key`, signed by `issuer_key`. `issuer` is the issuer's
// certificate; nullptr makes a self-signed certificate (issuer_key must then be subject_key).
// The signature algorithm follows the issuer key: ecdsa-with-SHA256 (ES256), Ed25519 (EdDSA) or
// sha256WithRSAEncryption (RS256). kKeyMismatch when issuer_key is not the issuer's key.
X509Result<Certificate> issue_certificate(const CertificateSpec& spec, const PrivateKey& subject_key,
                                          const Certificate* issuer, const PrivateKey& issuer_key, Rng& rng);

// A self-signed root CA (no pathLenConstraint unless given).
X509Result<Certificate> make_root_ca(const DistinguishedName& subject, const Validity& validity, const PrivateKey& key,
                                     Rng& rng, std::optional<std::uint32_t> path_len = std::nullopt);

// An intermediate CA signed by `issuer`, pathLenConstraint 0 by default (it issues only leaves).
X509Result<Certificate> make_intermediate_ca(const DistinguishedName& subject, const Validity& validity,
                                             const PrivateKey& key, const Certificate& issuer,
                                             const PrivateKey& issuer_key, Rng& rng,
                                             std::optional<std::uint32_t> path_len = 0);

// An attestation certificate (WebAuthn §8.2.1): subject C, O, OU = "Authenticator Attestation",
// CN; cA FALSE; the AAGUID extension; optionally the firmware version, the enterprise serial
// number (§8.2.2: only for enterprise attestation) and the U2F transports. Signed by any issuer.
struct AttestationCertificateSpec {
  std::string country;       // C, required
  std::string organization;  // O, required
  std::string common_name;   // CN, required
  Validity validity;
  Bytes serial;  // empty: from the Rng
  ByteArray<kAaguidLen> aaguid{};
  std::optional<std::uint64_t> firmware_version;
  std::optional<Bytes> enterprise_serial_number;
  std::optional<std::uint8_t> u2f_transports;
};
X509Result<Certificate> make_attestation_certificate(const AttestationCertificateSpec& spec, const PrivateKey& key,
                                                     const Certificate& issuer, const PrivateKey& issuer_key, Rng& rng);

// How strictly verify_chain applies RFC 5280.
enum class PathValidation : std::uint8_t {
  kStrict,   // OpenSSL's X509_V_FLAG_X509_STRICT: also the RFC 5280 profile (key identifiers,
             // critical basicConstraints, keyUsage on CAs...). What vfido's own chains satisfy.
  kLenient,  // path validation only, for older real-world chains (U2F-era certificates)
};

// RFC 5280 §6 path validation of `leaf` through `intermediates` (any order) to one of `anchors`
// at time `at` (Unix seconds). Every certificate in `anchors` is trusted as it is, so an anchor
// may be an intermediate (as FIDO metadata attestationRootCertificates may be). The error names
// the first failure OpenSSL found.
X509Result<void> verify_chain(const Certificate& leaf, std::span<const Certificate> intermediates,
                              std::span<const Certificate> anchors, std::int64_t at,
                              PathValidation mode = PathValidation::kStrict);

// Every CERTIFICATE block of `pem`, in order (RFC 7468 §5.1). Text around blocks is ignored;
// a block of another type, with headers, or with bad base64 or DER is kMalformed; no block at
// all is kNoCertificate.
X509Result<std::vector<Certificate>> parse_pem_chain(std::string_view pem);
std::string to_pem_chain(std::span<const Certificate> chain);

// The first private key in `pem` ("PRIVATE KEY" (PKCS #8), "EC PRIVATE KEY", "RSA PRIVATE KEY";
// other blocks are skipped), as a PrivateKey: P-256 -> ES256, Ed25519 -> EdDSA, RSA of
// 2048..4096 bits -> RS256. Encrypted keys are kMalformed (never prompts for a passphrase);
// a key that fails OpenSSL's pairwise check is kMalformed; other key types kUnsupportedKey.
X509Result<PrivateKey> private_key_from_pem(std::string_view pem);
// Unencrypted PKCS #8 PEM ("PRIVATE KEY"), in wiped memory.
X509Result<SecretBytes> private_key_to_pem(const PrivateKey& key);

}  // namespace vfido::crypto
