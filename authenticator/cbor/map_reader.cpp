// Typed parameter access for CTAP request maps. Status rules (CTAP 2.1 §8 status codes, and the
// parameter checks of each §6 command): a required key that is absent is
// CTAP2_ERR_MISSING_PARAMETER; a key whose value has the wrong CBOR type is
// CTAP2_ERR_CBOR_UNEXPECTED_TYPE.
#include "authenticator/cbor/map_reader.h"

namespace vfido::cbor {

namespace {

// Looks `key` up and checks its type: absent -> nullptr; wrong type -> kCborUnexpectedType.
template <typename Predicate>
Result<const Value*> typed(const MapReader& reader, const Key& key, Predicate has_type) {
  const Value* v = reader.find(key);
  if (v == nullptr) return nullptr;
  if (!has_type(*v)) return fail(CtapStatus::kCborUnexpectedType);
  return v;
}

// As typed(), but an absent key is kMissingParameter.
template <typename Predicate>
Result<const Value*> typed_required(const MapReader& reader, const Key& key, Predicate has_type) {
  auto v = typed(reader, key, has_type);
  if (!v) return fail(v.error());
  if (*v == nullptr) return fail(CtapStatus::kMissingParameter);
  return *v;
}

bool is_bytes(const Value& v) { return v.is_bytes(); }
bool is_text(const Value& v) { return v.is_text(); }
bool is_unsigned(const Value& v) { return v.is_unsigned(); }
bool is_int64(const Value& v) { return v.as_int64().has_value(); }
bool is_bool(const Value& v) { return v.is_bool(); }
bool is_array(const Value& v) { return v.is_array(); }
bool is_map(const Value& v) { return v.is_map(); }

}  // namespace

Result<MapReader> MapReader::from(const Value& v) {
  // CTAP 2.1 §6: every command's parameters are a CBOR map.
  if (!v.is_map()) return fail(CtapStatus::kCborUnexpectedType);
  return MapReader(v);
}

const Value* MapReader::find(const Key& key) const {
  for (const auto& [k, v] : map_->as_map()) {
    if (k == key.value()) return &v;
  }
  return nullptr;
}

Result<const Value*> MapReader::required(const Key& key) const {
  const Value* v = find(key);
  if (v == nullptr) return fail(CtapStatus::kMissingParameter);
  return v;
}

Result<Bytes> MapReader::required_bytes(const Key& key) const {
  auto v = typed_required(*this, key, is_bytes);
  if (!v) return fail(v.error());
  return (*v)->as_bytes();
}

Result<std::optional<Bytes>> MapReader::optional_bytes(const Key& key) const {
  auto v = typed(*this, key, is_bytes);
  if (!v) return fail(v.error());
  if (*v == nullptr) return std::optional<Bytes>();
  return std::optional<Bytes>((*v)->as_bytes());
}

Result<std::string> MapReader::required_text(const Key& key) const {
  auto v = typed_required(*this, key, is_text);
  if (!v) return fail(v.error());
  return (*v)->as_text();
}

Result<std::optional<std::string>> MapReader::optional_text(const Key& key) const {
  auto v = typed(*this, key, is_text);
  if (!v) return fail(v.error());
  if (*v == nullptr) return std::optional<std::string>();
  return std::optional<std::string>((*v)->as_text());
}

Result<std::uint64_t> MapReader::required_uint(const Key& key) const {
  auto v = typed_required(*this, key, is_unsigned);
  if (!v) return fail(v.error());
  return (*v)->as_uint();
}

Result<std::optional<std::uint64_t>> MapReader::optional_uint(const Key& key) const {
  auto v = typed(*this, key, is_unsigned);
  if (!v) return fail(v.error());
  if (*v == nullptr) return std::optional<std::uint64_t>();
  return std::optional<std::uint64_t>((*v)->as_uint());
}

Result<std::int64_t> MapReader::required_int(const Key& key) const {
  // An integer outside int64 cannot be any CTAP/COSE value we accept: treated as a wrong type.
  auto v = typed_required(*this, key, is_int64);
  if (!v) return fail(v.error());
  return *(*v)->as_int64();
}

Result<std::optional<bool>> MapReader::optional_bool(const Key& key) const {
  auto v = typed(*this, key, is_bool);
  if (!v) return fail(v.error());
  // Built in place: g++ 12 -O2 reports a false maybe-uninitialized for `return optional<bool>()`.
  Result<std::optional<bool>> out(tl::in_place, std::nullopt);
  if (*v != nullptr) *out = (*v)->as_bool();
  return out;
}

Result<const Array*> MapReader::required_array(const Key& key) const {
  auto v = typed_required(*this, key, is_array);
  if (!v) return fail(v.error());
  return &(*v)->as_array();
}

Result<const Array*> MapReader::optional_array(const Key& key) const {
  auto v = typed(*this, key, is_array);
  if (!v) return fail(v.error());
  if (*v == nullptr) return static_cast<const Array*>(nullptr);
  return &(*v)->as_array();
}

Result<const Value*> MapReader::required_map(const Key& key) const {
  return typed_required(*this, key, is_map);
}

Result<const Value*> MapReader::optional_map(const Key& key) const {
  return typed(*this, key, is_map);
}

}  // namespace vfido::cbor
