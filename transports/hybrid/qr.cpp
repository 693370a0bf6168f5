#include "transports/hybrid/qr.h"

#include <algorithm>
#include <cctype>

#include "authenticator/cbor/codec.h"
#include "authenticator/cbor/map_reader.h"
#include "authenticator/crypto/keys.h"
#include "transports/hybrid/digits.h"
#include "transports/hybrid/fixed_bytes.h"

namespace vfido::cable {
namespace {

// hybrid-protocol.md §3.1 map keys.
constexpr std::int64_t kKeyPublicKey = 0;
constexpr std::int64_t kKeySecret = 1;
constexpr std::int64_t kKeyAssignedDomains = 2;
constexpr std::int64_t kKeyTimestamp = 3;
constexpr std::int64_t kKeySupportsLinking = 4;
constexpr std::int64_t kKeyRequestType = 5;

// A QR code holds at most a few thousand digits; its CBOR is far below this.
constexpr std::size_t kMaxQrCbor = 1024;

}  // namespace

std::string_view request_type_text(RequestType t) {
  switch (t) {
    case RequestType::kMakeCredential:
      return "mc";
    case RequestType::kDigitalCredential:
      return "dcp";
    case RequestType::kGetAssertion:
      break;
  }
  return "ga";
}

RequestType QrContents::request_type() const {
  if (request_hint == "mc") return RequestType::kMakeCredential;
  if (request_hint == "dcp") return RequestType::kDigitalCredential;
  return RequestType::kGetAssertion;  // §3.1: unknown -> "ga"
}

Bytes encode_qr_cbor(const QrContents& qr) {
  cbor::Value m = cbor::Value::map();
  m.set(kKeyPublicKey, cbor::Value::bytes(ByteSpan(qr.public_key)));
  m.set(kKeySecret, cbor::Value::bytes(ByteSpan(qr.secret)));
  if (qr.assigned_domains) m.set(kKeyAssignedDomains, cbor::Value::uint(*qr.assigned_domains));
  if (qr.timestamp) m.set(kKeyTimestamp, cbor::Value::uint(*qr.timestamp));
  if (qr.supports_linking) m.set(kKeySupportsLinking, cbor::Value::boolean(*qr.supports_linking));
  if (qr.request_hint) m.set(kKeyRequestType, cbor::Value::text(*qr.request_hint));
  // Only distinct integer keys and plain values: encoding cannot fail.
  return cbor::encode(m).value_or(Bytes{});
}

CableResult<QrContents> parse_qr_cbor(ByteSpan bytes) {
  auto value = cbor::decode(bytes, {.max_depth = cbor::kDefaultMaxDepth, .max_size = kMaxQrCbor});
  if (!value) return cable_fail(CableError::kBadQrContents);
  auto reader = cbor::MapReader::from(*value);
  if (!reader) return cable_fail(CableError::kBadQrContents);

  QrContents qr;
  auto public_key = reader->required_bytes(kKeyPublicKey);
  auto secret = reader->required_bytes(kKeySecret);
  if (!public_key || !secret) return cable_fail(CableError::kBadQrContents);
  // §3.1: key 1 must be exactly 16 bytes; key 0 a 33-byte compressed point on the curve.
  if (!copy_exact(*secret, qr.secret)) return cable_fail(CableError::kBadQrContents);
  if (!copy_exact(*public_key, qr.public_key)) return cable_fail(CableError::kBadQrContents);
  if (!crypto::p256_decompress(qr.public_key)) return cable_fail(CableError::kBadPublicKey);

  auto assigned = reader->optional_uint(kKeyAssignedDomains);
  auto timestamp = reader->optional_uint(kKeyTimestamp);
  auto linking = reader->optional_bool(kKeySupportsLinking);
  auto hint = reader->optional_text(kKeyRequestType);
  if (!assigned || !timestamp || !linking || !hint) return cable_fail(CableError::kBadQrContents);
  qr.assigned_domains = *assigned;
  qr.timestamp = *timestamp;
  qr.supports_linking = *linking;
  qr.request_hint = *hint;
  return qr;
}

std::string qr_url(const QrContents& qr) { return std::string(kQrUrlPrefix) + bytes_to_digits(encode_qr_cbor(qr)); }

CableResult<QrContents> parse_qr_url(std::string_view url) {
  // hybrid-protocol.md §3.2: the prefix is compared case-insensitively.
  if (url.size() < kQrUrlPrefix.size() ||
      !std::equal(kQrUrlPrefix.begin(), kQrUrlPrefix.end(), url.begin(), [](char a, char b) {
        return std::toupper(static_cast<unsigned char>(a)) == std::toupper(static_cast<unsigned char>(b));
      })) {
    return cable_fail(CableError::kBadQrUrl);
  }
  auto bytes = digits_to_bytes(url.substr(kQrUrlPrefix.size()));
  if (!bytes) return cable_fail(bytes.error());
  return parse_qr_cbor(*bytes);
}

}  // namespace vfido::cable
