// encode()/decode() (authenticator/cbor/codec.h): CTAP2 canonical form (CTAP 2.1 §8) on the way
// out, and strict refusal of everything else on the way in. One test case per rejected defect.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "authenticator/cbor/codec.h"

using vfido::ByteSpan;
using vfido::Bytes;
using vfido::ByteWriter;
using vfido::CtapStatus;
using vfido::from_hex;
using vfido::to_hex;
using vfido::cbor::Array;
using vfido::cbor::decode;
using vfido::cbor::DecodeLimits;
using vfido::cbor::encode;
using vfido::cbor::Value;

// Failure messages show values in diagnostic notation.
namespace doctest {
template <>
struct StringMaker<vfido::cbor::Value> {
  static String convert(const vfido::cbor::Value& v) { return vfido::cbor::diagnostic(v).c_str(); }
};
}  // namespace doctest

namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

Bytes hex(std::string_view h) {
  auto b = from_hex(h);
  REQUIRE(b.has_value());
  return *b;
}

std::string enc(const Value& v) {
  auto b = encode(v);
  REQUIRE(b.has_value());
  return to_hex(*b);
}

Value dec(std::string_view h) {
  auto v = decode(hex(h));
  REQUIRE(v.has_value());
  return *v;
}

// kOk when `data` decodes, otherwise the status decode() failed with.
CtapStatus decode_status(ByteSpan data, DecodeLimits limits = {}) {
  auto v = decode(data, limits);
  return v ? CtapStatus::kOk : v.error();
}

CtapStatus decode_status(std::string_view h, DecodeLimits limits = {}) {
  return decode_status(ByteSpan(hex(h)), limits);
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

Value filler_bytes(std::size_t n) { return Value::bytes(Bytes(n, 0xAA)); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// Encoding

TEST_CASE("cbor: encode writes integers in the shortest form at every boundary") {
  struct Case {
    Value value;
    std::string hex;
  };
  const std::vector<Case> cases = {
      {Value::uint(0), "00"},
      {Value::uint(23), "17"},
      {Value::uint(24), "1818"},
      {Value::uint(255), "18ff"},
      {Value::uint(256), "190100"},
      {Value::uint(65535), "19ffff"},
      {Value::uint(65536), "1a00010000"},
      {Value::uint(0xFFFFFFFFu), "1affffffff"},
      {Value::uint(0x100000000u), "1b0000000100000000"},
      {Value::uint(kU64Max), "1bffffffffffffffff"},
      {Value::integer(-1), "20"},
      {Value::integer(-24), "37"},
      {Value::integer(-25), "3818"},
      {Value::integer(-256), "38ff"},
      {Value::integer(-257), "390100"},
      {Value::integer(-65536), "39ffff"},
      {Value::integer(-65537), "3a00010000"},
      {Value::integer(-4294967296), "3affffffff"},
      {Value::integer(-4294967297), "3b0000000100000000"},
      {Value::integer(kMin), "3b7fffffffffffffff"},
      {Value::negative_magnitude(kU64Max), "3bffffffffffffffff"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.hex);
    CHECK(enc(c.value) == c.hex);
    // And the exact bytes decode back to the same value.
    CHECK(dec(c.hex) == c.value);
  }
}

TEST_CASE("cbor: encode writes string lengths in the shortest form at every boundary") {
  struct Case {
    std::size_t length;
    std::string head;
  };
  const std::vector<Case> byte_heads = {{0, "40"},       {23, "57"},     {24, "5818"},      {255, "58ff"},
                                        {256, "590100"}, {65535, "59ffff"}, {65536, "5a00010000"}};
  for (const Case& c : byte_heads) {
    CAPTURE(c.length);
    const std::string out = enc(filler_bytes(c.length));
    CHECK(out == c.head + repeat("aa", c.length));
  }
  const std::vector<Case> text_heads = {{0, "60"},       {23, "77"},     {24, "7818"},      {255, "78ff"},
                                        {256, "790100"}, {65535, "79ffff"}, {65536, "7a00010000"}};
  for (const Case& c : text_heads) {
    CAPTURE(c.length);
    const std::string out = enc(Value::text(std::string(c.length, 'a')));
    CHECK(out == c.head + repeat("61", c.length));
  }
}

TEST_CASE("cbor: encode writes array and map counts in the shortest form") {
  CHECK(enc(Value::array()) == "80");
  CHECK(enc(Value::array(Array(23, Value::uint(0)))) == "97" + repeat("00", 23));
  CHECK(enc(Value::array(Array(24, Value::uint(0)))) == "9818" + repeat("00", 24));
  CHECK(enc(Value::array(Array(256, Value::uint(0)))) == "990100" + repeat("00", 256));
  CHECK(enc(Value::map()) == "a0");

  Value m23 = Value::map();
  std::string m23_hex = "b7";
  for (std::uint64_t k = 0; k < 23; ++k) {
    m23.set(Value::uint(k), Value::null());
    m23_hex += to_hex(Bytes{static_cast<std::uint8_t>(k)}) + "f6";
  }
  CHECK(enc(m23) == m23_hex);
  Value m24 = m23;
  m24.set(23, Value::null());
  CHECK(enc(m24) == "b818" + m23_hex.substr(2) + "17f6");
}

TEST_CASE("cbor: encode writes the simple values") {
  CHECK(enc(Value::boolean(false)) == "f4");
  CHECK(enc(Value::boolean(true)) == "f5");
  CHECK(enc(Value::null()) == "f6");
}

TEST_CASE("cbor: encode sorts COSE key labels 1, 3, -1, -2, -3") {
  const Bytes x(32, 0x11);
  const Bytes y(32, 0x22);
  Value key = Value::map();
  key.set(-3, Value::bytes(y)).set(1, Value::integer(2)).set(-1, Value::integer(1));
  key.set(3, Value::integer(-7)).set(-2, Value::bytes(x));
  CHECK(enc(key) == "a5" "0102" "0326" "2001" "215820" + to_hex(x) + "225820" + to_hex(y));
}

TEST_CASE("cbor: encode sorts a credential descriptor \"id\" < \"type\" < \"transports\"") {
  Value d = Value::map();
  d.set("transports", Value::array({Value::text("usb")}));
  d.set("type", Value::text("public-key"));
  d.set("id", Value::bytes(Bytes{0x01, 0x02}));
  CHECK(enc(d) == "a3"
                  "626964" "420102"
                  "6474797065" "6a7075626c69632d6b6579"
                  "6a7472616e73706f727473" "8163757362");
}

TEST_CASE("cbor: encode sorts an attestation object \"fmt\" < \"attStmt\" < \"authData\"") {
  Value a = Value::map();
  a.set("authData", Value::bytes(Bytes{0xAB}));
  a.set("attStmt", Value::map());
  a.set("fmt", Value::text("none"));
  CHECK(enc(a) == "a3"
                  "63666d74" "646e6f6e65"
                  "6761747453746d74" "a0"
                  "686175746844617461" "41ab");
}

TEST_CASE("cbor: encode sorts a packed attStmt \"alg\" < \"sig\" < \"x5c\"") {
  Value s = Value::map();
  s.set("x5c", Value::array({Value::bytes(Bytes{0x01})}));
  s.set("sig", Value::bytes(Bytes{0x02}));
  s.set("alg", Value::integer(-7));
  CHECK(enc(s) == "a3" "63616c67" "26" "63736967" "4102" "63783563" "814101");

  Value p = Value::map();
  p.set("type", Value::text("public-key")).set("alg", Value::integer(-7));
  CHECK(enc(p) == "a2" "63616c67" "26" "6474797065" "6a7075626c69632d6b6579");
}

TEST_CASE("cbor: encode orders keys by encoded length before bytes") {
  // 24 (1818) is longer than -1 (20); "b" (6162) is shorter than 256 (190100); 256 (19...) sorts
  // before "aa" (62...) at equal length; a byte string key h'00' (4100) before "a" (6161).
  Value m = Value::map();
  m.set(Value::text("aa"), Value::uint(0));
  m.set(Value::uint(256), Value::uint(0));
  m.set(Value::text("b"), Value::uint(0));
  m.set(Value::bytes(Bytes{0x00}), Value::uint(0));
  m.set(Value::uint(24), Value::uint(0));
  m.set(Value::integer(-1), Value::uint(0));
  m.set(Value::uint(23), Value::uint(0));
  m.set(Value::uint(0), Value::uint(0));
  CHECK(enc(m) == "a8" "0000" "1700" "2000" "181800" "410000" "616200" "19010000" "62616100");
}

TEST_CASE("cbor: encode sorts maps nested in maps and arrays") {
  Value inner = Value::map();
  inner.set(2, Value::uint(0)).set(1, Value::uint(0));
  Value outer = Value::map();
  outer.set("b", Value::array({inner, Value::map().set("z", Value::null()).set("y", Value::null())}));
  outer.set("a", inner);
  CHECK(enc(outer) == "a2"
                      "6161" "a2" "0100" "0200"
                      "6162" "82" "a2" "0100" "0200" "a2" "6179f6" "617af6");
}

TEST_CASE("cbor: encode reports a duplicate map key as kOther") {
  Value dup_int = Value::map();
  dup_int.set(1, Value::uint(1)).set(1, Value::uint(2));
  REQUIRE_FALSE(encode(dup_int).has_value());
  CHECK(encode(dup_int).error() == CtapStatus::kOther);

  // integer(1) and uint(1) are the same key.
  Value dup_mixed = Value::map();
  dup_mixed.set(Value::uint(1), Value::null()).set(Value::integer(1), Value::null());
  REQUIRE_FALSE(encode(dup_mixed).has_value());
  CHECK(encode(dup_mixed).error() == CtapStatus::kOther);

  Value dup_text = Value::map();
  dup_text.set("id", Value::null()).set("type", Value::null()).set("id", Value::null());
  REQUIRE_FALSE(encode(dup_text).has_value());
  CHECK(encode(dup_text).error() == CtapStatus::kOther);

  // Found however deep it sits.
  Value nested = Value::array({Value::uint(0), Value::map().set("m", dup_int)});
  REQUIRE_FALSE(encode(nested).has_value());
  CHECK(encode(nested).error() == CtapStatus::kOther);

  // Distinct keys that share a prefix or a value are not duplicates.
  Value ok = Value::map();
  ok.set("a", Value::uint(1)).set("aa", Value::uint(1)).set(Value::bytes(Bytes{0x61}), Value::uint(1));
  CHECK(encode(ok).has_value());
}

// ---------------------------------------------------------------------------------------------
// Round trips

TEST_CASE("cbor: decode then encode reproduces canonical input byte for byte") {
  const std::vector<std::string> inputs = {
      "00", "17", "1818", "1bffffffffffffffff", "20", "3bffffffffffffffff", "40", "4401020304",
      "60", "6449455446", "62c3a9", "64f09f9880", "80", "83010203", "a0", "f4", "f5", "f6",
      "a201020304",
      // {1: h'..', 2: {"id": "example.com"}, 4: [{"alg": -7, "type": "public-key"}], 7: {"rk": true}}
      "a4" "01" "4100" "02" "a1" "626964" "6b6578616d706c652e636f6d"
      "04" "81" "a2" "63616c67" "26" "6474797065" "6a7075626c69632d6b6579"
      "07" "a1" "62726b" "f5",
  };
  for (const std::string& h : inputs) {
    CAPTURE(h);
    CHECK(enc(dec(h)) == h);
  }
}

TEST_CASE("cbor: encode then decode gives back the same value") {
  Value v = Value::map();
  v.set(1, Value::bytes(Bytes(32, 0x5A)));
  v.set(2, Value::map().set("id", Value::text("example.com")).set("name", Value::text("Exämple ✓")));
  v.set(3, Value::map().set("id", Value::bytes(Bytes{1, 2, 3})).set("displayName", Value::text("")));
  v.set(4, Value::array({Value::map().set("type", Value::text("public-key")).set("alg", Value::integer(-7)),
                         Value::map().set("type", Value::text("public-key")).set("alg", Value::integer(-257))}));
  v.set(-1, Value::integer(kMin));
  v.set(24, Value::uint(kU64Max));
  v.set("up", Value::boolean(false));
  v.set("x", Value::null());
  auto bytes = encode(v);
  REQUIRE(bytes.has_value());
  auto back = decode(*bytes);
  REQUIRE(back.has_value());
  // decode() returns the entries in canonical order, which differs from insertion order, so
  // compare through the canonical encoding and through lookups.
  CHECK(to_hex(*encode(*back)) == to_hex(*bytes));
  REQUIRE(back->find(2) != nullptr);
  CHECK(back->find(2)->find("name")->as_text() == "Exämple ✓");
  CHECK(back->find(-1)->as_int64() == kMin);
  CHECK(back->find(24)->as_uint() == kU64Max);
  CHECK(to_hex(*encode(*back->find(4))) == to_hex(*encode(*v.find(4))));
  CHECK(back->find("up")->as_bool() == false);
  CHECK(back->find("x")->is_null());

  // A tree already in canonical order compares equal as a whole.
  Value sorted = Value::map();
  sorted.set(1, Value::array({Value::text("a"), Value::bytes(Bytes{})})).set(2, Value::map().set(0, Value::null()));
  auto sorted_bytes = encode(sorted);
  REQUIRE(sorted_bytes.has_value());
  auto sorted_back = decode(*sorted_bytes);
  REQUIRE(sorted_back.has_value());
  CHECK(*sorted_back == sorted);
}

TEST_CASE("cbor: decode accepts any single top-level item") {
  CHECK(dec("00") == Value::uint(0));
  CHECK(dec("f6") == Value::null());
  CHECK(dec("6161") == Value::text("a"));
  CHECK(dec("3903e7") == Value::integer(-1000));
}

TEST_CASE("cbor: decode accepts valid UTF-8 up to U+10FFFF") {
  CHECK(dec("62c3a9").as_text() == "\xc3\xa9");                    // U+00E9
  CHECK(dec("63e282ac").as_text() == "\xe2\x82\xac");              // U+20AC
  CHECK(dec("63ed9fbf").as_text() == "\xed\x9f\xbf");              // U+D7FF, just below surrogates
  CHECK(dec("63efbfbf").as_text() == "\xef\xbf\xbf");              // U+FFFF
  CHECK(dec("64f0908080").as_text() == "\xf0\x90\x80\x80");        // U+10000
  CHECK(dec("64f48fbfbf").as_text() == "\xf4\x8f\xbf\xbf");        // U+10FFFF
  CHECK(dec("6100").as_text() == std::string(1, '\0'));
}

// ---------------------------------------------------------------------------------------------
// Decode rejections: one test case per defect. Each also checks a nearby valid input, so a
// decoder that rejected everything would fail.

TEST_CASE("cbor: decode rejects empty input") {
  CHECK(decode_status("") == CtapStatus::kInvalidCbor);
}

TEST_CASE("cbor: decode rejects trailing bytes") {
  CHECK(decode_status("00") == CtapStatus::kOk);
  CHECK(decode_status("0000") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("a0a0") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("a1010200") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("4100ff") == CtapStatus::kInvalidCbor);
}

TEST_CASE("cbor: decode rejects truncated input") {
  CHECK(decode_status("820102") == CtapStatus::kOk);
  for (std::string h : {"18", "19ff", "1a000100", "1b00000001000000", "38", "41", "430102", "5818",
                        "62c3", "7818" "61", "82", "8201", "a1", "a101", "a20102", "9818" "00"}) {
    CAPTURE(h);
    CHECK(decode_status(h) == CtapStatus::kInvalidCbor);
  }
}

TEST_CASE("cbor: decode rejects indefinite-length items") {
  CHECK(decode_status("9f01ff") == CtapStatus::kInvalidCbor);          // array
  CHECK(decode_status("9fff") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("bf0102ff") == CtapStatus::kInvalidCbor);        // map
  CHECK(decode_status("5f4101ff") == CtapStatus::kInvalidCbor);        // byte string
  CHECK(decode_status("7f6161ff") == CtapStatus::kInvalidCbor);        // text string
  CHECK(decode_status("a1019fff") == CtapStatus::kInvalidCbor);        // nested
  CHECK(decode_status("ff") == CtapStatus::kInvalidCbor);              // a lone break
  CHECK(decode_status("8201ff") == CtapStatus::kInvalidCbor);          // a break inside a definite array
  CHECK(decode_status("a10180") == CtapStatus::kOk);
}

TEST_CASE("cbor: decode rejects floats") {
  CHECK(decode_status("f93c00") == CtapStatus::kInvalidCbor);          // 1.0 half
  CHECK(decode_status("fa3f800000") == CtapStatus::kInvalidCbor);      // 1.0 single
  CHECK(decode_status("fb3ff0000000000000") == CtapStatus::kInvalidCbor);  // 1.0 double
  CHECK(decode_status("a101f90000") == CtapStatus::kInvalidCbor);
}

TEST_CASE("cbor: decode rejects tags") {
  CHECK(decode_status("c074323031332d30332d32315432303a30343a30305a") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("c24101") == CtapStatus::kInvalidCbor);          // bignum
  CHECK(decode_status("d82000") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("d9d9f700") == CtapStatus::kInvalidCbor);        // self-describe 55799
  CHECK(decode_status("8101") == CtapStatus::kOk);
  CHECK(decode_status("81c101") == CtapStatus::kInvalidCbor);
}

TEST_CASE("cbor: decode rejects undefined") {
  CHECK(decode_status("f7") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("a101f7") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("a101f6") == CtapStatus::kOk);
}

TEST_CASE("cbor: decode rejects simple values other than true, false and null") {
  for (std::string h : {"e0", "f0", "f3", "f820", "f8ff", "f818"}) {
    CAPTURE(h);
    CHECK(decode_status(h) == CtapStatus::kInvalidCbor);
  }
  CHECK(dec("f4") == Value::boolean(false));
  CHECK(dec("f5") == Value::boolean(true));
  CHECK(dec("f6") == Value::null());
}

TEST_CASE("cbor: decode rejects reserved additional-information values") {
  for (std::string h : {"1c", "1d", "1e", "3c", "5c", "7c", "9c", "bc", "dc", "fc", "fd", "fe"}) {
    CAPTURE(h);
    CHECK(decode_status(h) == CtapStatus::kInvalidCbor);
  }
}

TEST_CASE("cbor: decode rejects non-shortest integers") {
  for (std::string h : {"1800", "1817", "190000", "1900ff", "1a00000000", "1a0000ffff",
                        "1b0000000000000000", "1b00000000ffffffff", "3817", "3900ff", "3a0000ffff",
                        "3b00000000ffffffff", "a1181701", "a1011817"}) {
    CAPTURE(h);
    CHECK(decode_status(h) == CtapStatus::kInvalidCbor);
  }
  for (std::string h : {"1818", "190100", "1a00010000", "1b0000000100000000", "3818", "390100"}) {
    CAPTURE(h);
    CHECK(decode_status(h) == CtapStatus::kOk);
  }
}

TEST_CASE("cbor: decode rejects non-shortest lengths") {
  for (std::string h : {"5800", "580101", "59000101", "5a0000000101", "5b000000000000000101", "7800",
                        "78016161", "9800", "98010101", "990000", "b800", "b8010102", "b900010102"}) {
    CAPTURE(h);
    CHECK(decode_status(h) == CtapStatus::kInvalidCbor);
  }
  CHECK(decode_status("5817" + repeat("00", 23)) == CtapStatus::kInvalidCbor);
  CHECK(decode_status("5818" + repeat("00", 24)) == CtapStatus::kOk);
  CHECK(decode_status("7817" + repeat("61", 23)) == CtapStatus::kInvalidCbor);
  CHECK(decode_status("7818" + repeat("61", 24)) == CtapStatus::kOk);
  CHECK(decode_status("9817" + repeat("00", 23)) == CtapStatus::kInvalidCbor);
  CHECK(decode_status("9818" + repeat("00", 24)) == CtapStatus::kOk);
  CHECK(decode_status("5900ff" + repeat("00", 255)) == CtapStatus::kInvalidCbor);
  CHECK(decode_status("590100" + repeat("00", 256)) == CtapStatus::kOk);
}

TEST_CASE("cbor: decode rejects unsorted map keys") {
  CHECK(decode_status("a201000200") == CtapStatus::kOk);
  CHECK(decode_status("a202000100") == CtapStatus::kInvalidCbor);
  // Length first: -1 (20) sorts before 24 (1818), and "b" (6162) before "aa" (626161).
  CHECK(decode_status("a2" "2000" "181800") == CtapStatus::kOk);
  CHECK(decode_status("a2181800" "2000") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("a2616200" "62616100") == CtapStatus::kOk);
  CHECK(decode_status("a262616100" "616200") == CtapStatus::kInvalidCbor);
  // Integer keys sort before text keys.
  CHECK(decode_status("a2616100" "0100") == CtapStatus::kInvalidCbor);
  // COSE key in the wrong order: -1 before 3.
  CHECK(decode_status("a3" "0102" "2001" "0326") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("a3" "0102" "0326" "2001") == CtapStatus::kOk);
  // "type" before "id".
  CHECK(decode_status("a2" "6474797065" "00" "626964" "00") == CtapStatus::kInvalidCbor);
  // Unsorted keys in a nested map.
  CHECK(decode_status("a101a2020001f6") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("81a2020001f6") == CtapStatus::kInvalidCbor);
}

TEST_CASE("cbor: decode rejects duplicate map keys") {
  CHECK(decode_status("a201000101") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("a2626964f6626964f5") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("a3010002000100") == CtapStatus::kInvalidCbor);  // 1, 2, 1
  CHECK(decode_status("81a2" "2000" "2001") == CtapStatus::kInvalidCbor);
}

TEST_CASE("cbor: decode rejects invalid UTF-8 in text strings") {
  for (std::string h : {
           "61ff",        // never valid
           "6180",        // lone continuation byte
           "62c080",      // overlong NUL
           "62c1bf",      // overlong
           "63e08080",    // overlong 3-byte
           "63eda080",    // surrogate U+D800
           "63edbfbf",    // surrogate U+DFFF
           "64f08f8080",  // overlong 4-byte
           "64f4908080",  // above U+10FFFF
           "64f5808080",  // invalid lead
           "62e282",      // truncated sequence
           "62c3c3",      // continuation missing
           "6461c3a9ff",  // bad byte after valid ones
       }) {
    CAPTURE(h);
    CHECK(decode_status(h) == CtapStatus::kInvalidCbor);
  }
  // In a key and deep inside a request as well.
  CHECK(decode_status("a161ff00") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("a102a162696462c080") == CtapStatus::kInvalidCbor);
  // The same bytes are fine in a byte string.
  CHECK(decode_status("41ff") == CtapStatus::kOk);
}

TEST_CASE("cbor: decode rejects input larger than max_size") {
  // 7609 bytes is the default limit: a 7606-byte byte string plus its 3-byte head fits exactly.
  Bytes fits = hex("591db6");
  fits.resize(7609, 0x00);
  CHECK(decode_status(ByteSpan(fits)) == CtapStatus::kOk);
  Bytes too_big = hex("591db7");
  too_big.resize(7610, 0x00);
  CHECK(decode_status(ByteSpan(too_big)) == CtapStatus::kInvalidCbor);

  DecodeLimits small;
  small.max_size = 2;
  CHECK(decode_status("8101", small) == CtapStatus::kOk);
  CHECK(decode_status("820101", small) == CtapStatus::kInvalidCbor);
}

TEST_CASE("cbor: decode rejects nesting deeper than max_depth") {
  // Default 4, the top-level container being level 1: map -> array -> map -> array is fine.
  CHECK(decode_status("a1" "01" "81" "a1" "01" "81" "00") == CtapStatus::kOk);
  CHECK(decode_status("a1" "01" "81" "a1" "01" "81" "80") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("a1" "01" "81" "a1" "01" "81" "a0") == CtapStatus::kInvalidCbor);
  CHECK(decode_status("81818180") == CtapStatus::kOk);
  CHECK(decode_status("8181818180") == CtapStatus::kInvalidCbor);
  // A container used as a map key counts too.
  CHECK(decode_status("a1" "01" "81" "a1" "8100" "00") == CtapStatus::kOk);
  CHECK(decode_status("a1" "01" "81" "a1" "01" "a1" "8100" "00") == CtapStatus::kInvalidCbor);

  DecodeLimits none;
  none.max_depth = 0;
  CHECK(decode_status("00", none) == CtapStatus::kOk);
  CHECK(decode_status("80", none) == CtapStatus::kInvalidCbor);
  CHECK(decode_status("a0", none) == CtapStatus::kInvalidCbor);

  DecodeLimits one;
  one.max_depth = 1;
  CHECK(decode_status("820102", one) == CtapStatus::kOk);
  CHECK(decode_status("8180", one) == CtapStatus::kInvalidCbor);

  DecodeLimits deep;
  deep.max_depth = 100;
  CHECK(decode_status(repeat("81", 99) + "00", deep) == CtapStatus::kOk);
  CHECK(decode_status(repeat("81", 100) + "00", deep) == CtapStatus::kOk);
  CHECK(decode_status(repeat("81", 101) + "00", deep) == CtapStatus::kInvalidCbor);
}

// ---------------------------------------------------------------------------------------------
// Hostile input: must fail fast, without crashing or allocating for declared sizes.

TEST_CASE("cbor: decode rejects 7609 nested one-element arrays quickly" * doctest::timeout(2.0)) {
  const Bytes nested(7609, 0x81);
  CHECK(decode_status(ByteSpan(nested)) == CtapStatus::kInvalidCbor);
  Bytes completed(7608, 0x81);
  completed.push_back(0x00);
  CHECK(decode_status(ByteSpan(completed)) == CtapStatus::kInvalidCbor);
}

TEST_CASE("cbor: decode rejects a run of indefinite-length array starts" * doctest::timeout(2.0)) {
  const Bytes starts(7609, 0x9f);
  CHECK(decode_status(ByteSpan(starts)) == CtapStatus::kInvalidCbor);
  Bytes mixed;
  for (int i = 0; i < 3000; ++i) {
    mixed.push_back(0x81);
    mixed.push_back(0x9f);
  }
  CHECK(decode_status(ByteSpan(mixed)) == CtapStatus::kInvalidCbor);
}

TEST_CASE("cbor: decode rejects huge declared lengths without allocating them" * doctest::timeout(2.0)) {
  for (std::string h : {"5b8000000000000000", "5bffffffffffffffff", "5b7fffffffffffffff00",
                        "7b8000000000000000", "7bffffffffffffffff61", "9b8000000000000000",
                        "9bffffffffffffffff00", "bb8000000000000000", "bbffffffffffffffff0000",
                        "9a10000000", "9affffffff00", "ba10000000", "baffffffff0000", "5a100000000102",
                        "a1019a10000000"}) {
    CAPTURE(h);
    CHECK(decode_status(h) == CtapStatus::kInvalidCbor);
  }
}

TEST_CASE("cbor: decode handles a map with 1000 entries" * doctest::timeout(2.0)) {
  Value m = Value::map();
  for (std::int64_t k = 0; k < 1000; ++k) m.set(k, Value::uint(static_cast<std::uint64_t>(k) % 24));
  auto bytes = encode(m);
  REQUIRE(bytes.has_value());
  auto back = decode(*bytes);
  REQUIRE(back.has_value());
  CHECK(back->as_map().size() == 1000);
  CHECK(*back == m);  // keys 0..999 were inserted in canonical order

  // The same map with its last two keys swapped is rejected.
  ByteWriter swapped;
  swapped.bytes(hex("b903e8"));
  for (std::uint64_t k = 0; k < 1000; ++k) {
    const std::uint64_t key = k == 998 ? 999 : k == 999 ? 998 : k;
    swapped.bytes(*encode(Value::uint(key))).bytes(*encode(Value::uint(key % 24)));
  }
  CHECK(decode_status(ByteSpan(swapped.view())) == CtapStatus::kInvalidCbor);

  // And with its last key equal to the one before.
  ByteWriter duplicated;
  duplicated.bytes(hex("b903e8"));
  for (std::uint64_t k = 0; k < 1000; ++k) {
    const std::uint64_t key = k == 999 ? 998 : k;
    duplicated.bytes(*encode(Value::uint(key))).u8(0x00);
  }
  CHECK(decode_status(ByteSpan(duplicated.view())) == CtapStatus::kInvalidCbor);
}

TEST_CASE("cbor: decode handles a flat array of 7000 elements" * doctest::timeout(2.0)) {
  Bytes flat = hex("991b58");  // an array of 7000 elements
  flat.resize(3 + 7000, 0x00);
  auto v = decode(flat);
  REQUIRE(v.has_value());
  CHECK(v->as_array().size() == 7000);
  flat.pop_back();
  CHECK(decode_status(ByteSpan(flat)) == CtapStatus::kInvalidCbor);
}
