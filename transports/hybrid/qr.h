// The caBLE v2 QR code (hybrid-protocol.md §3): a canonical CBOR map that the desktop shows as
// "FIDO:/" + digits and the phone scans.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "authenticator/bytes.h"
#include "transports/hybrid/cable_error.h"
#include "transports/hybrid/derive.h"

namespace vfido::cable {

inline constexpr std::size_t kCompressedPointLen = 33;
inline constexpr std::size_t kUncompressedPointLen = 65;
inline constexpr std::string_view kQrUrlPrefix = "FIDO:/";

// QR key 5: what the desktop is about to ask (hybrid-protocol.md §3.1).
enum class RequestType : std::uint8_t { kGetAssertion, kMakeCredential, kDigitalCredential };
std::string_view request_type_text(RequestType t);  // "ga", "mc", "dcp"

struct QrContents {
  // Key 0: the desktop's static ("QR identity") public key, compressed (SEC 1 §2.3.3).
  ByteArray<kCompressedPointLen> public_key{};
  // Key 1: the QR secret.
  ByteArray<kQrSecretLen> secret{};
  // Key 2: how many assigned tunnel domains the desktop knows (absent means 0).
  std::optional<std::uint64_t> assigned_domains;
  // Key 3: generation time, Unix seconds.
  std::optional<std::uint64_t> timestamp;
  // Key 4: the desktop can store linking information. Safari sends false, Chrome true; the key's
  // presence marks protocol revision 1 (§8.5).
  std::optional<bool> supports_linking;
  // Key 5: the request hint as sent ("ga", "mc", "dcp"; others are kept as they are).
  std::optional<std::string> request_hint;

  // Key 5 as a RequestType: unknown or absent hints count as getAssertion (§3.1).
  RequestType request_type() const;
  std::uint64_t assigned_domain_count() const { return assigned_domains.value_or(0); }
  bool operator==(const QrContents&) const = default;
};

// Canonical CBOR, keys in ascending order; absent optionals are left out.
Bytes encode_qr_cbor(const QrContents& qr);
// Strict: a canonical CBOR map; keys 0 and 1 required with their exact lengths, key 0 a valid
// compressed P-256 point (kBadPublicKey otherwise); keys 2 and 3 unsigned integers, 4 a bool,
// 5 a text string when present; other keys ignored. Errors are kBadQrContents.
CableResult<QrContents> parse_qr_cbor(ByteSpan cbor);

// "FIDO:/" + bytes_to_digits(encode_qr_cbor(qr)).
std::string qr_url(const QrContents& qr);
// The prefix is compared case-insensitively; surrounding whitespace is not accepted.
CableResult<QrContents> parse_qr_url(std::string_view url);

}  // namespace vfido::cable
