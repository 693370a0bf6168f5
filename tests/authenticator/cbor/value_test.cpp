// The CBOR data model (authenticator/cbor/value.h): integer handling, map helpers and the
// RFC 8949 §8 diagnostic rendering.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <variant>

#include "authenticator/cbor/value.h"

using vfido::Bytes;
using vfido::cbor::Array;
using vfido::cbor::Type;
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
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
}  // namespace

TEST_CASE("cbor value: integer() picks unsigned or negative as CBOR stores them") {
  CHECK(Value::integer(0).type() == Type::kUnsigned);
  CHECK(Value::integer(0) == Value::uint(0));
  CHECK(Value::integer(kMax) == Value::uint(static_cast<std::uint64_t>(kMax)));
  CHECK(Value::integer(-1).type() == Type::kNegative);
  CHECK(Value::integer(-1) == Value::negative_magnitude(0));
  CHECK(Value::integer(-25) == Value::negative_magnitude(24));
  CHECK(Value::integer(kMin) == Value::negative_magnitude(static_cast<std::uint64_t>(kMax)));
  CHECK(Value::integer(kMin).as_negative_magnitude() == static_cast<std::uint64_t>(kMax));
}

TEST_CASE("cbor value: type() reports every kind") {
  CHECK(Value::uint(5).type() == Type::kUnsigned);
  CHECK(Value::negative_magnitude(5).type() == Type::kNegative);
  CHECK(Value::bytes(Bytes{1, 2}).type() == Type::kBytes);
  CHECK(Value::text("x").type() == Type::kText);
  CHECK(Value::array().type() == Type::kArray);
  CHECK(Value::map().type() == Type::kMap);
  CHECK(Value::boolean(false).type() == Type::kBool);
  CHECK(Value::null().type() == Type::kNull);
  CHECK(Value().type() == Type::kNull);

  CHECK(Value::uint(1).is_unsigned());
  CHECK(Value::uint(1).is_integer());
  CHECK(Value::integer(-1).is_integer());
  CHECK_FALSE(Value::integer(-1).is_unsigned());
  CHECK_FALSE(Value::text("1").is_integer());
  CHECK(Value::bytes(Bytes{}).is_bytes());
  CHECK(Value::text("").is_text());
  CHECK(Value::array().is_array());
  CHECK(Value::map().is_map());
  CHECK(Value::boolean(true).is_bool());
  CHECK(Value::null().is_null());
}

TEST_CASE("cbor value: as_int64 covers exactly the int64 range") {
  CHECK(Value::uint(0).as_int64() == 0);
  CHECK(Value::uint(static_cast<std::uint64_t>(kMax)).as_int64() == kMax);
  CHECK_FALSE(Value::uint(static_cast<std::uint64_t>(kMax) + 1).as_int64().has_value());
  CHECK_FALSE(Value::uint(kU64Max).as_int64().has_value());
  CHECK(Value::integer(-1).as_int64() == -1);
  CHECK(Value::integer(-7).as_int64() == -7);
  CHECK(Value::integer(kMin).as_int64() == kMin);
  // magnitude 2^63 is -2^63 - 1, one below INT64_MIN.
  CHECK_FALSE(Value::negative_magnitude(static_cast<std::uint64_t>(kMax) + 1).as_int64().has_value());
  CHECK_FALSE(Value::negative_magnitude(kU64Max).as_int64().has_value());
  CHECK_FALSE(Value::text("1").as_int64().has_value());
  CHECK_FALSE(Value::boolean(true).as_int64().has_value());
  CHECK_FALSE(Value::null().as_int64().has_value());
}

TEST_CASE("cbor value: accessors of the wrong type throw bad_variant_access") {
  CHECK_THROWS_AS((void)Value::text("x").as_uint(), std::bad_variant_access);
  CHECK_THROWS_AS((void)Value::uint(1).as_text(), std::bad_variant_access);
  CHECK_THROWS_AS((void)Value::uint(1).as_negative_magnitude(), std::bad_variant_access);
  CHECK_THROWS_AS((void)Value::map().as_array(), std::bad_variant_access);
  CHECK_THROWS_AS(Value::array().set(1, Value::null()), std::bad_variant_access);
}

TEST_CASE("cbor value: set appends entries and find looks them up by int or text") {
  Value m = Value::map();
  m.set(1, Value::text("one")).set(-7, Value::boolean(true)).set("id", Value::bytes(Bytes{0xAB}));
  m.set(Value::uint(300), Value::null());
  REQUIRE(m.as_map().size() == 4);
  // Insertion order is kept; encode() is what sorts.
  CHECK(m.as_map()[0].first == Value::uint(1));
  CHECK(m.as_map()[1].first == Value::integer(-7));
  CHECK(m.as_map()[2].first == Value::text("id"));

  REQUIRE(m.find(1) != nullptr);
  CHECK(m.find(1)->as_text() == "one");
  REQUIRE(m.find(-7) != nullptr);
  CHECK(m.find(-7)->as_bool());
  REQUIRE(m.find("id") != nullptr);
  CHECK(m.find("id")->as_bytes() == Bytes{0xAB});
  REQUIRE(m.find(300) != nullptr);
  CHECK(m.find(300)->is_null());

  CHECK(m.find(2) == nullptr);
  CHECK(m.find(-1) == nullptr);
  CHECK(m.find("ID") == nullptr);
  CHECK(m.find("1") == nullptr);  // a text key never matches an integer lookup, and vice versa

  CHECK(Value::array().find(1) == nullptr);
  CHECK(Value::text("id").find("id") == nullptr);
}

TEST_CASE("cbor value: equality is structural") {
  Value a = Value::array({Value::uint(1), Value::map().set("k", Value::text("v"))});
  Value b = Value::array({Value::uint(1), Value::map().set("k", Value::text("v"))});
  Value c = Value::array({Value::uint(1), Value::map().set("k", Value::text("w"))});
  CHECK(a == b);
  CHECK_FALSE(a == c);
  CHECK_FALSE(Value::uint(0) == Value::negative_magnitude(0));
  CHECK_FALSE(Value::bytes(vfido::to_bytes("ab")) == Value::text("ab"));
}

TEST_CASE("cbor value: diagnostic notation follows RFC 8949 §8") {
  using vfido::cbor::diagnostic;
  CHECK(diagnostic(Value::bytes(Bytes{0x00, 0xFF})) == "h'00ff'");
  CHECK(diagnostic(Value::bytes(Bytes{})) == "h''");
  CHECK(diagnostic(Value::text("text")) == "\"text\"");
  CHECK(diagnostic(Value::array({Value::integer(1), Value::integer(-2)})) == "[1, -2]");
  CHECK(diagnostic(Value::map().set(1, Value::boolean(true))) == "{1: true}");
  CHECK(diagnostic(Value::map()) == "{}");
  CHECK(diagnostic(Value::array()) == "[]");
  CHECK(diagnostic(Value::boolean(false)) == "false");
  CHECK(diagnostic(Value::null()) == "null");
  CHECK(diagnostic(Value::uint(kU64Max)) == "18446744073709551615");
  CHECK(diagnostic(Value::integer(kMin)) == "-9223372036854775808");
  CHECK(diagnostic(Value::negative_magnitude(static_cast<std::uint64_t>(kMax) + 1)) == "-9223372036854775809");
  CHECK(diagnostic(Value::negative_magnitude(kU64Max)) == "-18446744073709551616");
  CHECK(diagnostic(Value::text("a\"b\\c\n\x01")) == "\"a\\\"b\\\\c\\u000a\\u0001\"");
  CHECK(diagnostic(Value::map().set("alg", Value::integer(-7)).set(3, Value::array({Value::null()}))) ==
        "{\"alg\": -7, 3: [null]}");
}
