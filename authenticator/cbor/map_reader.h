// Typed access to a decoded CTAP request map: each getter returns the spec's status for the
// two ways a parameter can be wrong (CTAP 2.1 §8 and §6 parameter rules):
//   absent and required      -> CTAP2_ERR_MISSING_PARAMETER
//   present with wrong type  -> CTAP2_ERR_CBOR_UNEXPECTED_TYPE
// Keys the reader is never asked about are ignored, as the spec requires of unknown keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "authenticator/cbor/value.h"

namespace vfido::cbor {

// A map key as CTAP uses them: an integer or a text string.
class Key {
 public:
  Key(std::int64_t i) : value_(Value::integer(i)) {}            // NOLINT: implicit by design
  Key(int i) : value_(Value::integer(i)) {}                     // NOLINT
  Key(std::string_view s) : value_(Value::text(s)) {}           // NOLINT
  Key(const char* s) : value_(Value::text(s)) {}                // NOLINT
  const Value& value() const { return value_; }

 private:
  Value value_;
};

class MapReader {
 public:
  // Fails with kCborUnexpectedType when `v` is not a map. `v` must outlive the reader.
  static Result<MapReader> from(const Value& v);

  const Value* find(const Key& key) const;
  Result<const Value*> required(const Key& key) const;

  // Typed getters. `required_*` fail with kMissingParameter when absent; `optional_*` return
  // nullopt (or nullptr) when absent. Both fail with kCborUnexpectedType on a wrong type.
  Result<Bytes> required_bytes(const Key& key) const;
  Result<std::optional<Bytes>> optional_bytes(const Key& key) const;
  Result<std::string> required_text(const Key& key) const;
  Result<std::optional<std::string>> optional_text(const Key& key) const;
  Result<std::uint64_t> required_uint(const Key& key) const;
  Result<std::optional<std::uint64_t>> optional_uint(const Key& key) const;
  // Any integer that fits int64 (COSE algorithm identifiers are negative); an integer outside
  // int64 is kCborUnexpectedType too.
  Result<std::int64_t> required_int(const Key& key) const;
  Result<std::optional<bool>> optional_bool(const Key& key) const;
  Result<const Array*> required_array(const Key& key) const;
  Result<const Array*> optional_array(const Key& key) const;  // nullptr if absent
  Result<const Value*> required_map(const Key& key) const;
  Result<const Value*> optional_map(const Key& key) const;    // nullptr if absent

 private:
  explicit MapReader(const Value& v) : map_(&v) {}
  const Value* map_;
};

}  // namespace vfido::cbor
