// The strict DER reader and writer (X.690 §8, §10) used for RSA keys and FIDO extension values.
#include "authenticator/crypto/der.h"

#include <doctest/doctest.h>

#include "tests/authenticator/crypto/crypto_test_util.h"

namespace vfido::crypto {
namespace {

using test::unhex;

Result<ByteSpan> integer_of(const Bytes& der) {
  ByteReader in(der, CtapStatus::kInvalidParameter);
  return der::read_unsigned_integer(in);
}

Bytes written_integer(std::string_view magnitude_hex) {
  ByteWriter out;
  der::write_unsigned_integer(out, unhex(magnitude_hex));
  return std::move(out).take();
}

}  // namespace

TEST_CASE("der: INTEGER magnitudes round-trip with the sign octet only when needed") {
  CHECK(to_hex(written_integer("")) == "020100");
  CHECK(to_hex(written_integer("00")) == "020100");
  CHECK(to_hex(written_integer("7f")) == "02017f");
  CHECK(to_hex(written_integer("80")) == "02020080");
  CHECK(to_hex(written_integer("000102")) == "02020102");
  for (std::string_view m : {"", "01", "7f", "80", "ff00", "010001"}) {
    CAPTURE(m);
    Bytes der = written_integer(m);
    auto read = integer_of(der);
    REQUIRE(read.has_value());
    CHECK(to_hex(*read) == m);
  }
}

TEST_CASE("der: non-minimal and negative INTEGERs are refused") {
  CHECK_FALSE(integer_of(unhex("0200")).has_value());        // no content octets
  CHECK_FALSE(integer_of(unhex("02020001")).has_value());    // needless 00
  CHECK_FALSE(integer_of(unhex("020180")).has_value());      // negative
  CHECK_FALSE(integer_of(unhex("0201")).has_value());        // truncated
  CHECK_FALSE(integer_of(unhex("040100")).has_value());      // wrong tag
}

TEST_CASE("der: lengths use the shortest definite form") {
  Bytes long_content(200, 0xAB);
  ByteWriter out;
  der::write_tlv(out, der::kTagOctetString, long_content);
  CHECK(to_hex(Bytes(out.view().begin(), out.view().begin() + 3)) == "0481c8");
  auto read = der::read_single(out.view(), der::kTagOctetString);
  REQUIRE(read.has_value());
  CHECK(read->size() == 200);

  Bytes big(300, 0x01);
  ByteWriter out2;
  der::write_tlv(out2, der::kTagSequence, big);
  CHECK(to_hex(Bytes(out2.view().begin(), out2.view().begin() + 4)) == "3082012c");

  CHECK_FALSE(der::read_single(unhex("04810101"), der::kTagOctetString).has_value());  // 1 in long form
  CHECK_FALSE(der::read_single(unhex("0482000101"), der::kTagOctetString).has_value());  // leading 00
  CHECK_FALSE(der::read_single(unhex("04800000"), der::kTagOctetString).has_value());  // indefinite
  CHECK_FALSE(der::read_single(unhex("0485010000000001"), der::kTagOctetString).has_value());  // 5 octets
  CHECK_FALSE(der::read_single(unhex("040201"), der::kTagOctetString).has_value());  // short content
  CHECK_FALSE(der::read_single(unhex("04010100"), der::kTagOctetString).has_value());  // trailing byte
  CHECK_FALSE(der::read_single({}, der::kTagOctetString).has_value());
  auto empty = der::read_single(unhex("0400"), der::kTagOctetString);
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
}

}  // namespace vfido::crypto
