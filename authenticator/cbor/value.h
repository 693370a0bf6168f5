// The CBOR data model CTAP2 uses (CTAP 2.1 §8 "Message Encoding"): unsigned and negative
// integers, byte and text strings, arrays, maps, booleans and null. No floats, no tags, no
// indefinite lengths: the decoder refuses them as kInvalidCbor (CTAP2 canonical form).
//
// Value is a plain tree. Maps keep their entries in a vector; encode() sorts them into CTAP2
// canonical order (shorter encoded key first, then bytewise), so callers may insert in any order
// but may never insert a key twice (the encoder reports that as a bug: kOther).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "authenticator/bytes.h"

namespace vfido::cbor {

class Value;
using Array = std::vector<Value>;
using MapEntries = std::vector<std::pair<Value, Value>>;

enum class Type : std::uint8_t { kUnsigned, kNegative, kBytes, kText, kArray, kMap, kBool, kNull };

class Value {
 public:
  // A negative integer is stored as CBOR does: the value is -1 - magnitude.
  struct Negative {
    std::uint64_t magnitude;
    bool operator==(const Negative&) const = default;
  };
  struct Null {
    bool operator==(const Null&) const = default;
  };
  struct MapBox {
    MapEntries entries;
    bool operator==(const MapBox&) const = default;
  };

  Value() : v_(Null{}) {}
  // Integers: any signed or unsigned value; picks kUnsigned or kNegative.
  static Value integer(std::int64_t v);
  static Value uint(std::uint64_t v) { return Value(Storage(v)); }
  static Value negative_magnitude(std::uint64_t magnitude) { return Value(Storage(Negative{magnitude})); }
  static Value bytes(ByteSpan b) { return Value(Storage(Bytes(b.begin(), b.end()))); }
  static Value bytes(Bytes b) { return Value(Storage(std::move(b))); }
  static Value text(std::string_view s) { return Value(Storage(std::string(s))); }
  static Value array(Array a = {}) { return Value(Storage(std::move(a))); }
  static Value map(MapEntries m = {}) { return Value(Storage(MapBox{std::move(m)})); }
  static Value boolean(bool b) { return Value(Storage(b)); }
  static Value null() { return Value(); }

  Type type() const;
  bool is_unsigned() const { return type() == Type::kUnsigned; }
  bool is_integer() const { return type() == Type::kUnsigned || type() == Type::kNegative; }
  bool is_bytes() const { return type() == Type::kBytes; }
  bool is_text() const { return type() == Type::kText; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_map() const { return type() == Type::kMap; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_null() const { return type() == Type::kNull; }

  // Accessors: call only after checking the type (they throw std::bad_variant_access otherwise).
  std::uint64_t as_uint() const { return std::get<std::uint64_t>(v_); }
  // For kNegative: the CBOR argument m of the value -1 - m (covers -2^64 .. -1, beyond int64).
  std::uint64_t as_negative_magnitude() const { return std::get<Negative>(v_).magnitude; }
  // Integers that fit an int64_t; nullopt for other types and out-of-range integers.
  std::optional<std::int64_t> as_int64() const;
  const Bytes& as_bytes() const { return std::get<Bytes>(v_); }
  const std::string& as_text() const { return std::get<std::string>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  const MapEntries& as_map() const { return std::get<MapBox>(v_).entries; }
  MapEntries& as_map() { return std::get<MapBox>(v_).entries; }
  bool as_bool() const { return std::get<bool>(v_); }

  // Map convenience: append an entry (no duplicate check here; encode() catches duplicates).
  Value& set(Value key, Value value);
  Value& set(std::int64_t key, Value value) { return set(integer(key), std::move(value)); }
  Value& set(std::string_view key, Value value) { return set(text(key), std::move(value)); }
  // Map lookup by integer or text key; nullptr when absent or when this is not a map.
  const Value* find(std::int64_t key) const;
  const Value* find(std::string_view key) const;

  bool operator==(const Value& other) const = default;

 private:
  using Storage = std::variant<std::uint64_t, Negative, Bytes, std::string, Array, MapBox, bool, Null>;
  explicit Value(Storage s) : v_(std::move(s)) {}
  Storage v_;
};

// A human-readable diagnostic rendering (RFC 8949 §8), for logs and test failure messages.
std::string diagnostic(const Value& v);

}  // namespace vfido::cbor
