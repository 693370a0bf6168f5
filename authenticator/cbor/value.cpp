// The CBOR data model of CTAP 2.1 §8 "Message Encoding" and its RFC 8949 §8 diagnostic form.
#include "authenticator/cbor/value.h"

#include <cstddef>
#include <limits>
#include <type_traits>

namespace vfido::cbor {

namespace {

constexpr auto kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// RFC 8949 §8: text strings are written like JSON strings (RFC 8259 §7 escapes).
void append_quoted(std::string& out, const std::string& s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u == 0x7F) {
      out += "\\u00";
      out.push_back(kDigits[u >> 4]);
      out.push_back(kDigits[u & 0x0F]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

void append_diagnostic(std::string& out, const Value& v) {
  switch (v.type()) {
    case Type::kUnsigned:
      out += std::to_string(v.as_uint());
      return;
    case Type::kNegative: {
      // The value is -1 - m. For m = 2^64 - 1 that is -2^64, which no builtin integer holds.
      const std::uint64_t m = v.as_negative_magnitude();
      out += "-";
      out += m == std::numeric_limits<std::uint64_t>::max() ? std::string("18446744073709551616")
                                                            : std::to_string(m + 1);
      return;
    }
    case Type::kBytes:
      out += "h'" + to_hex(v.as_bytes()) + "'";
      return;
    case Type::kText:
      append_quoted(out, v.as_text());
      return;
    case Type::kArray: {
      out.push_back('[');
      bool first = true;
      for (const Value& item : v.as_array()) {
        if (!first) out += ", ";
        first = false;
        append_diagnostic(out, item);
      }
      out.push_back(']');
      return;
    }
    case Type::kMap: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : v.as_map()) {
        if (!first) out += ", ";
        first = false;
        append_diagnostic(out, key);
        out += ": ";
        append_diagnostic(out, value);
      }
      out.push_back('}');
      return;
    }
    case Type::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case Type::kNull:
      out += "null";
      return;
  }
}

}  // namespace

Value Value::integer(std::int64_t v) {
  if (v >= 0) return uint(static_cast<std::uint64_t>(v));
  // CBOR major type 1 carries -1 - v (RFC 8949 §3.1); -(v + 1) cannot overflow for INT64_MIN.
  return negative_magnitude(static_cast<std::uint64_t>(-(v + 1)));
}

Type Value::type() const {
  // The variant's alternatives are declared in the order of the Type enumerators.
  static_assert(std::is_same_v<std::variant_alternative_t<0, Storage>, std::uint64_t>);
  static_assert(std::is_same_v<std::variant_alternative_t<1, Storage>, Negative>);
  static_assert(std::is_same_v<std::variant_alternative_t<2, Storage>, Bytes>);
  static_assert(std::is_same_v<std::variant_alternative_t<3, Storage>, std::string>);
  static_assert(std::is_same_v<std::variant_alternative_t<4, Storage>, Array>);
  static_assert(std::is_same_v<std::variant_alternative_t<5, Storage>, MapBox>);
  static_assert(std::is_same_v<std::variant_alternative_t<6, Storage>, bool>);
  static_assert(std::is_same_v<std::variant_alternative_t<7, Storage>, Null>);
  static_assert(std::variant_size_v<Storage> == 8 && static_cast<std::size_t>(Type::kNull) == 7);
  return static_cast<Type>(v_.index());
}

std::optional<std::int64_t> Value::as_int64() const {
  if (const auto* u = std::get_if<std::uint64_t>(&v_)) {
    if (*u > kInt64Max) return std::nullopt;
    return static_cast<std::int64_t>(*u);
  }
  if (const auto* n = std::get_if<Negative>(&v_)) {
    if (n->magnitude > kInt64Max) return std::nullopt;
    return -1 - static_cast<std::int64_t>(n->magnitude);
  }
  return std::nullopt;
}

Value& Value::set(Value key, Value value) {
  as_map().emplace_back(std::move(key), std::move(value));
  return *this;
}

const Value* Value::find(std::int64_t key) const {
  if (!is_map()) return nullptr;
  const Value wanted = integer(key);
  for (const auto& [k, v] : as_map()) {
    if (k == wanted) return &v;
  }
  return nullptr;
}

const Value* Value::find(std::string_view key) const {
  if (!is_map()) return nullptr;
  for (const auto& [k, v] : as_map()) {
    if (k.is_text() && k.as_text() == key) return &v;
  }
  return nullptr;
}

std::string diagnostic(const Value& v) {
  std::string out;
  append_diagnostic(out, v);
  return out;
}

}  // namespace vfido::cbor
