// QR contents (hybrid-protocol.md §3): real browser QR codes, round trips, strict parsing.
#include <doctest/doctest.h>

#include "authenticator/cbor/codec.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/env/rng.h"
#include "tests/transports/hybrid/hybrid_test_util.h"
#include "transports/hybrid/digits.h"
#include "transports/hybrid/qr.h"

namespace vfido::cable {
namespace {

using test::hex;
using test::hex_array;

// §3.3 [R, V]: captured by webauthn-rs from Chrome and from Safari on iOS.
constexpr std::string_view kChromeUrl =
    "FIDO:/162870791865632382552704231438327900152302540348097243854039966655366469794954476199158014113179232779520163"
    "209900691930075274801398564434658077048963842109321447142660";
constexpr std::string_view kChromeCbor =
    "a600582103dd39afaf50b1b5b05ac1dad0b2848a00c0f6ec4e65a25687ca4f3c71dae50bea0150871bcec9c1227f91ccb86c9ffacd9eac02"
    "02031a6356217b04f505626d63";
constexpr std::string_view kSafariUrl =
    "FIDO:/089962132878132862898875319509818655951233947060166026934941652203853844930597225184066237811614893181300344"
    "014421205790072080843938838513707157859599106109321447142404";
constexpr std::string_view kSafariCbor =
    "a600582102f61f4ae0ac101efd66c6c728d059c7c6212cecfab79109c01c56a87099887d440150f052eb83c3ff0421b46ae118fb4a928f02"
    "02031a6396b23004f405626d63";

Bytes cbor_bytes(const cbor::Value& v) {
  auto b = cbor::encode(v);
  REQUIRE(b.has_value());
  return *b;
}

// A valid map to break one key of at a time.
cbor::Value valid_map() {
  cbor::Value m = cbor::Value::map();
  m.set(0, cbor::Value::bytes(hex("03dd39afaf50b1b5b05ac1dad0b2848a00c0f6ec4e65a25687ca4f3c71dae50bea")));
  m.set(1, cbor::Value::bytes(hex("871bcec9c1227f91ccb86c9ffacd9eac")));
  return m;
}

cbor::Value with(std::int64_t key, cbor::Value value) {
  cbor::Value m = valid_map();
  for (auto& [k, v] : m.as_map()) {
    if (k == cbor::Value::integer(key)) {
      v = std::move(value);
      return m;
    }
  }
  m.set(key, std::move(value));
  return m;
}

TEST_CASE("qr: decodes Chrome's QR code") {
  CHECK(digits_to_bytes(kChromeUrl.substr(6)) == hex(kChromeCbor));
  auto qr = parse_qr_url(kChromeUrl);
  REQUIRE(qr.has_value());
  CHECK(qr->public_key == hex_array<33>("03dd39afaf50b1b5b05ac1dad0b2848a00c0f6ec4e65a25687ca4f3c71dae50bea"));
  CHECK(qr->secret == hex_array<16>("871bcec9c1227f91ccb86c9ffacd9eac"));
  CHECK(qr->assigned_domains == 2U);
  CHECK(qr->timestamp == 1666589051U);
  CHECK(qr->supports_linking == true);
  CHECK(qr->request_hint == "mc");
  CHECK(qr->request_type() == RequestType::kMakeCredential);
  // Re-encoding gives the same digits.
  CHECK(encode_qr_cbor(*qr) == hex(kChromeCbor));
  CHECK(qr_url(*qr) == kChromeUrl);
}

TEST_CASE("qr: decodes Safari's QR code (key 4 present and false)") {
  auto qr = parse_qr_url(kSafariUrl);
  REQUIRE(qr.has_value());
  CHECK(qr->public_key == hex_array<33>("02f61f4ae0ac101efd66c6c728d059c7c6212cecfab79109c01c56a87099887d44"));
  CHECK(qr->secret == hex_array<16>("f052eb83c3ff0421b46ae118fb4a928f"));
  CHECK(qr->assigned_domains == 2U);
  CHECK(qr->timestamp == 1670820400U);
  CHECK(qr->supports_linking == false);
  CHECK(qr->request_hint == "mc");
  CHECK(encode_qr_cbor(*qr) == hex(kSafariCbor));
  CHECK(qr_url(*qr) == kSafariUrl);
}

TEST_CASE("qr: round trip of a generated QR code, prefix case-insensitive") {
  SeededRng rng(3);
  auto key = crypto::EcdhKey::generate(rng);
  REQUIRE(key.has_value());
  QrContents qr;
  auto compressed = crypto::p256_compress(key->public_point());
  REQUIRE(compressed.has_value());
  std::copy(compressed->begin(), compressed->end(), qr.public_key.begin());
  rng.fill(qr.secret);
  qr.assigned_domains = 2;
  qr.timestamp = 1700000000;
  qr.supports_linking = true;
  qr.request_hint = "ga";
  const std::string url = qr_url(qr);
  CHECK(url.substr(0, 6) == "FIDO:/");
  CHECK(parse_qr_url(url) == qr);
  std::string lower = url;
  lower.replace(0, 4, "fido");
  CHECK(parse_qr_url(lower) == qr);
  // The key decompresses to the generator's point.
  CHECK(crypto::p256_decompress(qr.public_key) == key->public_point());
}

TEST_CASE("qr: minimal map, defaults and hints") {
  auto qr = parse_qr_cbor(cbor_bytes(valid_map()));
  REQUIRE(qr.has_value());
  CHECK(qr->assigned_domain_count() == 0);
  CHECK_FALSE(qr->supports_linking.has_value());
  CHECK(qr->request_type() == RequestType::kGetAssertion);
  auto dcp = parse_qr_cbor(cbor_bytes(with(5, cbor::Value::text("dcp"))));
  REQUIRE(dcp.has_value());
  CHECK(dcp->request_type() == RequestType::kDigitalCredential);
  // §3.1: an unknown hint is treated as "ga" but kept as it was.
  auto other = parse_qr_cbor(cbor_bytes(with(5, cbor::Value::text("zz"))));
  REQUIRE(other.has_value());
  CHECK(other->request_type() == RequestType::kGetAssertion);
  CHECK(other->request_hint == "zz");
  // Unknown keys (6 as a bool or an array, 99) are ignored.
  CHECK(parse_qr_cbor(cbor_bytes(with(6, cbor::Value::boolean(true)))).has_value());
  CHECK(parse_qr_cbor(cbor_bytes(with(6, cbor::Value::array({cbor::Value::uint(0)})))).has_value());
  CHECK(parse_qr_cbor(cbor_bytes(with(99, cbor::Value::text("x")))).has_value());
}

TEST_CASE("qr: strict parsing") {
  SUBCASE("key 0 = 42 (Chromium's negative test)") {
    CHECK(parse_qr_cbor(cbor_bytes(with(0, cbor::Value::uint(42)))).error() == CableError::kBadQrContents);
  }
  SUBCASE("key 0 not a point on the curve") {
    // x = ...50be9 has no y on P-256 (x^3 - 3x + b is not a square mod p; checked offline).
    Bytes bad = hex("03dd39afaf50b1b5b05ac1dad0b2848a00c0f6ec4e65a25687ca4f3c71dae50be9");
    CHECK(parse_qr_cbor(cbor_bytes(with(0, cbor::Value::bytes(bad)))).error() == CableError::kBadPublicKey);
    Bytes uncompressed_prefix = hex("04dd39afaf50b1b5b05ac1dad0b2848a00c0f6ec4e65a25687ca4f3c71dae50bea");
    CHECK(parse_qr_cbor(cbor_bytes(with(0, cbor::Value::bytes(uncompressed_prefix)))).error() == CableError::kBadPublicKey);
  }
  SUBCASE("key 0 of the wrong length") {
    CHECK(parse_qr_cbor(cbor_bytes(with(0, cbor::Value::bytes(Bytes(32, 2))))).error() == CableError::kBadQrContents);
  }
  SUBCASE("a secret of other than 16 bytes") {
    CHECK(parse_qr_cbor(cbor_bytes(with(1, cbor::Value::bytes(Bytes(15, 1))))).error() == CableError::kBadQrContents);
    CHECK(parse_qr_cbor(cbor_bytes(with(1, cbor::Value::bytes(Bytes(17, 1))))).error() == CableError::kBadQrContents);
  }
  SUBCASE("missing keys") {
    cbor::Value only0 = cbor::Value::map();
    only0.set(0, valid_map().as_map()[0].second);
    CHECK(parse_qr_cbor(cbor_bytes(only0)).error() == CableError::kBadQrContents);
    cbor::Value only1 = cbor::Value::map();
    only1.set(1, valid_map().as_map()[1].second);
    CHECK(parse_qr_cbor(cbor_bytes(only1)).error() == CableError::kBadQrContents);
  }
  SUBCASE("wrong types for keys 2, 3, 4, 5") {
    CHECK(parse_qr_cbor(cbor_bytes(with(2, cbor::Value::text("2")))).error() == CableError::kBadQrContents);
    CHECK(parse_qr_cbor(cbor_bytes(with(2, cbor::Value::integer(-1)))).error() == CableError::kBadQrContents);
    CHECK(parse_qr_cbor(cbor_bytes(with(3, cbor::Value::bytes(Bytes{1})))).error() == CableError::kBadQrContents);
    CHECK(parse_qr_cbor(cbor_bytes(with(4, cbor::Value::uint(1)))).error() == CableError::kBadQrContents);
    CHECK(parse_qr_cbor(cbor_bytes(with(5, cbor::Value::bytes(to_bytes("ga"))))).error() == CableError::kBadQrContents);
  }
  SUBCASE("not a map, trailing bytes, non-canonical order") {
    CHECK(parse_qr_cbor(cbor_bytes(cbor::Value::array())).error() == CableError::kBadQrContents);
    Bytes trailing = hex(kChromeCbor);
    trailing.push_back(0x00);
    CHECK(parse_qr_cbor(trailing).error() == CableError::kBadQrContents);
    // {1: secret, 0: key}: keys out of order.
    Bytes unsorted = hex("a20150871bcec9c1227f91ccb86c9ffacd9eac00582103dd39afaf50b1b5b05ac1dad0b2848a00c0f6ec4e65a25687ca4f3c71dae50bea");
    CHECK(parse_qr_cbor(unsorted).error() == CableError::kBadQrContents);
    CHECK(parse_qr_cbor({}).error() == CableError::kBadQrContents);
  }
  SUBCASE("URLs (webauthn-rs' invalid_urls, as this parser reports them)") {
    CHECK(parse_qr_url("http://example.com").error() == CableError::kBadQrUrl);
    CHECK(parse_qr_url("FIDO:").error() == CableError::kBadQrUrl);
    CHECK(parse_qr_url("FIDO:/").error() == CableError::kBadQrContents);  // no bytes: no map
    CHECK(parse_qr_url("FIDO://").error() == CableError::kBadQrUrl);
    CHECK(parse_qr_url("FIDO:/0").error() == CableError::kBadQrUrl);
    CHECK(parse_qr_url("FIDO:/999").error() == CableError::kBadQrUrl);
    CHECK(parse_qr_url("FIDO:/000").error() == CableError::kBadQrContents);
    CHECK(parse_qr_url(std::string(kChromeUrl) + "\n").error() == CableError::kBadQrUrl);
  }
}

}  // namespace
}  // namespace vfido::cable
