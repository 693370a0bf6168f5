// MapReader (authenticator/cbor/map_reader.h): absent required -> CTAP2_ERR_MISSING_PARAMETER,
// wrong type -> CTAP2_ERR_CBOR_UNEXPECTED_TYPE, unknown keys ignored.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "authenticator/cbor/codec.h"
#include "authenticator/cbor/map_reader.h"

using vfido::Bytes;
using vfido::CtapStatus;
using vfido::cbor::Array;
using vfido::cbor::MapReader;
using vfido::cbor::Value;

namespace {

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

// One key of every type, plus integer edge cases.
Value sample() {
  Value m = Value::map();
  m.set(1, Value::bytes(Bytes{0xCA, 0xFE}));
  m.set(2, Value::text("example.com"));
  m.set(3, Value::uint(7));
  m.set(4, Value::integer(-7));
  m.set(5, Value::boolean(true));
  m.set(6, Value::array({Value::uint(1), Value::uint(2)}));
  m.set(7, Value::map().set("rk", Value::boolean(false)));
  m.set(8, Value::null());
  m.set(9, Value::uint(static_cast<std::uint64_t>(kMax) + 1));                 // 2^63
  m.set(10, Value::negative_magnitude(static_cast<std::uint64_t>(kMax) + 1));  // -2^63 - 1
  m.set(11, Value::integer(kMin));
  m.set(12, Value::uint(static_cast<std::uint64_t>(kMax)));
  m.set("id", Value::bytes(Bytes{0x01}));
  m.set("type", Value::text("public-key"));
  return m;
}

// The optional inside a successful Result (REQUIREs success), for comparing with doctest.
template <typename T>
std::optional<T> unwrap(const vfido::Result<std::optional<T>>& r) {
  REQUIRE(r.has_value());
  return *r;
}

template <typename T>
CtapStatus status_of(const vfido::Result<T>& r) {
  return r ? CtapStatus::kOk : r.error();
}

}  // namespace

TEST_CASE("map_reader: from() accepts only a map") {
  CHECK(MapReader::from(Value::map()).has_value());
  for (const Value& v : {Value::uint(1), Value::integer(-1), Value::bytes(Bytes{}), Value::text("a"),
                         Value::array(), Value::boolean(true), Value::null()}) {
    CAPTURE(vfido::cbor::diagnostic(v));
    auto r = MapReader::from(v);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == CtapStatus::kCborUnexpectedType);
  }
}

TEST_CASE("map_reader: find and required look keys up by integer or text") {
  const Value m = sample();
  auto r = MapReader::from(m);
  REQUIRE(r.has_value());
  REQUIRE(r->find(2) != nullptr);
  CHECK(r->find(2)->as_text() == "example.com");
  REQUIRE(r->find("type") != nullptr);
  CHECK(r->find("type")->as_text() == "public-key");
  CHECK(r->find(std::int64_t{4}) != nullptr);
  CHECK(r->find(std::string_view("id")) != nullptr);
  CHECK(r->find(99) == nullptr);
  CHECK(r->find("2") == nullptr);  // text "2" is not integer 2
  CHECK(r->find(-1) == nullptr);

  auto present = r->required(8);
  REQUIRE(present.has_value());
  CHECK((*present)->is_null());
  CHECK(status_of(r->required(99)) == CtapStatus::kMissingParameter);
  CHECK(status_of(r->required("name")) == CtapStatus::kMissingParameter);
}

TEST_CASE("map_reader: typed getters return the value when the type matches") {
  const Value m = sample();
  auto r = MapReader::from(m);
  REQUIRE(r.has_value());

  CHECK(r->required_bytes(1) == Bytes{0xCA, 0xFE});
  CHECK(unwrap(r->optional_bytes("id")) == std::optional<Bytes>(Bytes{0x01}));
  CHECK(r->required_text(2) == std::string("example.com"));
  CHECK(unwrap(r->optional_text("type")) == std::optional<std::string>("public-key"));
  CHECK(r->required_uint(3) == std::uint64_t{7});
  CHECK(unwrap(r->optional_uint(3)) == std::optional<std::uint64_t>(7));
  CHECK(r->required_int(4) == std::int64_t{-7});
  CHECK(r->required_int(3) == std::int64_t{7});
  CHECK(unwrap(r->optional_bool(5)) == std::optional<bool>(true));

  auto arr = r->required_array(6);
  REQUIRE(arr.has_value());
  REQUIRE(*arr != nullptr);
  CHECK(**arr == Array{Value::uint(1), Value::uint(2)});
  auto opt_arr = r->optional_array(6);
  REQUIRE(opt_arr.has_value());
  CHECK(*opt_arr == *arr);

  auto map = r->required_map(7);
  REQUIRE(map.has_value());
  REQUIRE(*map != nullptr);
  CHECK((*map)->find("rk")->as_bool() == false);
  auto opt_map = r->optional_map(7);
  REQUIRE(opt_map.has_value());
  CHECK(*opt_map == *map);
}

TEST_CASE("map_reader: an absent required key is kMissingParameter") {
  const Value m = sample();
  auto r = MapReader::from(m);
  REQUIRE(r.has_value());
  CHECK(status_of(r->required_bytes(50)) == CtapStatus::kMissingParameter);
  CHECK(status_of(r->required_text(50)) == CtapStatus::kMissingParameter);
  CHECK(status_of(r->required_uint(50)) == CtapStatus::kMissingParameter);
  CHECK(status_of(r->required_int(50)) == CtapStatus::kMissingParameter);
  CHECK(status_of(r->required_array(50)) == CtapStatus::kMissingParameter);
  CHECK(status_of(r->required_map(50)) == CtapStatus::kMissingParameter);
  CHECK(status_of(r->required_bytes("name")) == CtapStatus::kMissingParameter);
}

TEST_CASE("map_reader: an absent optional key is nullopt or nullptr") {
  const Value m = sample();
  auto r = MapReader::from(m);
  REQUIRE(r.has_value());
  CHECK(unwrap(r->optional_bytes(50)) == std::optional<Bytes>());
  CHECK(unwrap(r->optional_text(50)) == std::optional<std::string>());
  CHECK(unwrap(r->optional_uint(50)) == std::optional<std::uint64_t>());
  CHECK(unwrap(r->optional_bool(50)) == std::optional<bool>());
  CHECK(r->optional_array(50) == static_cast<const Array*>(nullptr));
  CHECK(r->optional_map(50) == static_cast<const Value*>(nullptr));
}

TEST_CASE("map_reader: a present key of the wrong type is kCborUnexpectedType") {
  const Value m = sample();
  auto r = MapReader::from(m);
  REQUIRE(r.has_value());
  // Each getter is tried on keys holding every other type, both required and optional.
  const CtapStatus bad = CtapStatus::kCborUnexpectedType;
  for (std::int64_t key : {2, 3, 5, 6, 7, 8}) {
    CAPTURE(key);
    CHECK(status_of(r->required_bytes(key)) == bad);
    CHECK(status_of(r->optional_bytes(key)) == bad);
  }
  for (std::int64_t key : {1, 3, 5, 6, 7, 8}) {
    CAPTURE(key);
    CHECK(status_of(r->required_text(key)) == bad);
    CHECK(status_of(r->optional_text(key)) == bad);
  }
  for (std::int64_t key : {1, 2, 4, 5, 6, 7, 8, 10, 11}) {  // negatives are not uints
    CAPTURE(key);
    CHECK(status_of(r->required_uint(key)) == bad);
    CHECK(status_of(r->optional_uint(key)) == bad);
  }
  for (std::int64_t key : {1, 2, 5, 6, 7, 8}) {
    CAPTURE(key);
    CHECK(status_of(r->required_int(key)) == bad);
  }
  for (std::int64_t key : {1, 2, 3, 6, 7, 8}) {
    CAPTURE(key);
    CHECK(status_of(r->optional_bool(key)) == bad);
  }
  for (std::int64_t key : {1, 2, 3, 5, 7, 8}) {
    CAPTURE(key);
    CHECK(status_of(r->required_array(key)) == bad);
    CHECK(status_of(r->optional_array(key)) == bad);
  }
  for (std::int64_t key : {1, 2, 3, 5, 6, 8}) {
    CAPTURE(key);
    CHECK(status_of(r->required_map(key)) == bad);
    CHECK(status_of(r->optional_map(key)) == bad);
  }
}

TEST_CASE("map_reader: required_int accepts exactly the int64 range") {
  const Value m = sample();
  auto r = MapReader::from(m);
  REQUIRE(r.has_value());
  CHECK(r->required_int(11) == kMin);
  CHECK(r->required_int(12) == kMax);
  CHECK(status_of(r->required_int(9)) == CtapStatus::kCborUnexpectedType);   // 2^63
  CHECK(status_of(r->required_int(10)) == CtapStatus::kCborUnexpectedType);  // -2^63 - 1
  CHECK(r->required_uint(9) == static_cast<std::uint64_t>(kMax) + 1);       // still a fine uint
}

TEST_CASE("map_reader: reads a decoded request and ignores unknown keys") {
  // {1: h'00..' (32), 2: {"id": "example.com"}, 0x7f: "unknown", "ext": 1}
  auto bytes = vfido::from_hex(
      "a4"
      "01" "5820" "0000000000000000000000000000000000000000000000000000000000000000"
      "02" "a1" "626964" "6b6578616d706c652e636f6d"
      "187f" "67756e6b6e6f776e"
      "63657874" "01");
  REQUIRE(bytes.has_value());
  auto request = vfido::cbor::decode(*bytes);
  REQUIRE(request.has_value());
  auto r = MapReader::from(*request);
  REQUIRE(r.has_value());
  CHECK(r->required_bytes(1)->size() == 32);
  auto rp = r->required_map(2);
  REQUIRE(rp.has_value());
  auto rp_reader = MapReader::from(**rp);
  REQUIRE(rp_reader.has_value());
  CHECK(rp_reader->required_text("id") == std::string("example.com"));
  CHECK(unwrap(rp_reader->optional_text("name")) == std::optional<std::string>());
  CHECK(status_of(r->required_array(4)) == CtapStatus::kMissingParameter);
  CHECK(r->optional_map(6) == static_cast<const Value*>(nullptr));
}
