// The FIDO:/ digit encoding (hybrid-protocol.md §3.2-3.3).
#include <doctest/doctest.h>

#include "authenticator/env/rng.h"
#include "tests/transports/hybrid/hybrid_test_util.h"
#include "transports/hybrid/digits.h"

namespace vfido::cable {
namespace {

using test::hex;

TEST_CASE("digits: known answers from Chromium, libwebauthn and our own vectors") {
  // §3.3 [C, V] and [R, V].
  CHECK(bytes_to_digits(hex("6162ff")) == "16736865");
  CHECK(bytes_to_digits(as_span("hello world")) == "335311851610699281684828783");
  // §3.3 [S].
  CHECK(bytes_to_digits(hex("01020304050607")) == "01976943448883713");
  CHECK(bytes_to_digits(hex("0102030405060708")) == "01976943448883713008");
  CHECK(bytes_to_digits(hex("ffffffffffffff")) == "72057594037927935");
  CHECK(bytes_to_digits({}) == "");
}

TEST_CASE("digits: n zero bytes give 0,3,5,8,10,13,15,17,20 digits") {
  const std::size_t expected[] = {0, 3, 5, 8, 10, 13, 15, 17, 20};
  for (std::size_t n = 0; n <= 8; ++n) {
    CAPTURE(n);
    const std::string d = bytes_to_digits(Bytes(n, 0));
    CHECK(d.size() == expected[n]);
    CHECK(d.find_first_not_of('0') == std::string::npos);
  }
}

TEST_CASE("digits: decoding the vectors gives the bytes back") {
  CHECK(digits_to_bytes("16736865") == hex("6162ff"));
  CHECK(digits_to_bytes("335311851610699281684828783") == to_bytes("hello world"));
  CHECK(digits_to_bytes("01976943448883713008") == hex("0102030405060708"));
  CHECK(digits_to_bytes("") == Bytes{});
}

TEST_CASE("digits: round trip of random inputs of every length up to 100") {
  SeededRng rng(7);
  for (std::size_t n = 0; n <= 100; ++n) {
    CAPTURE(n);
    Bytes b = rng.bytes(n);
    auto back = digits_to_bytes(bytes_to_digits(b));
    REQUIRE(back.has_value());
    CHECK(*back == b);
  }
}

TEST_CASE("digits: strict decoding") {
  SUBCASE("a group too large for its bytes: 999 for one byte") {
    CHECK(digits_to_bytes("999").error() == CableError::kBadQrUrl);
    CHECK(digits_to_bytes("256").error() == CableError::kBadQrUrl);
    CHECK(digits_to_bytes("255") == hex("ff"));
  }
  SUBCASE("a 17-digit group above 2^56 - 1") {
    CHECK(digits_to_bytes("72057594037927936").error() == CableError::kBadQrUrl);
    CHECK(digits_to_bytes("99999999999999999").error() == CableError::kBadQrUrl);
  }
  SUBCASE("tail lengths that no byte count produces") {
    for (std::size_t len : {1U, 2U, 4U, 6U, 7U, 9U, 11U, 12U, 14U, 16U, 18U, 19U, 21U}) {
      CAPTURE(len);
      CHECK(digits_to_bytes(std::string(len, '0')).error() == CableError::kBadQrUrl);
    }
  }
  SUBCASE("non-digits") {
    CHECK(digits_to_bytes("16a36865").error() == CableError::kBadQrUrl);
    CHECK(digits_to_bytes("-01").error() == CableError::kBadQrUrl);
    CHECK(digits_to_bytes(" 16736865").error() == CableError::kBadQrUrl);
    CHECK(digits_to_bytes("0197694344888371/").error() == CableError::kBadQrUrl);
  }
}

}  // namespace
}  // namespace vfido::cable
