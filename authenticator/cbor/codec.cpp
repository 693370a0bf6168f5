// CTAP2 canonical CBOR encoding and strict decoding (CTAP 2.1 §8 "Message Encoding", "CTAP2
// canonical CBOR encoding form"; RFC 8949 §3 and §4.2.1). The only file that includes <cbor.h>.
//
// Decoding uses libcbor's streaming head decoder (cbor_stream_decode), one data item at a time,
// and builds the Value tree itself. It deliberately does not use cbor_load(): libcbor 0.8's
// builder allocates an array or map for its *declared* element count before any element has
// been read, so a 5-byte input such as `9a 10 00 00 00` asks malloc for 2 GiB. Here a declared
// count is checked against the bytes that are actually left before anything is reserved, and
// no cbor_item_t is ever created (so there is nothing for a cbor_decref deleter to own).
//
// Every rejection is CTAP2_ERR_INVALID_CBOR, including input over `max_size` (style.md §6:
// "undecodable, non-canonical or too-deep input gives INVALID_CBOR"); the transport layer
// answers an oversized message before it ever reaches the decoder.
#include "authenticator/cbor/codec.h"

#include <cbor.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace vfido::cbor {

namespace {

// ---------------------------------------------------------------------------------------------
// Canonical ordering

// CTAP 2.1 §8 canonical form, rule 3: map keys sort by the length of their encoding first, then
// by the lexical (bytewise) order of the encodings.
bool canonical_less(ByteSpan a, ByteSpan b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

// ---------------------------------------------------------------------------------------------
// Encoding

// Appends one head written by a libcbor encoder. libcbor always picks the shortest form
// (CTAP 2.1 §8 canonical form, rule 1; RFC 8949 §4.2.1 "preferred serialization").
template <typename Writer>
Result<void> append_head(Bytes& out, Writer write) {
  std::array<unsigned char, 9> head{};  // 1 initial byte + at most 8 argument bytes
  const std::size_t n = write(head.data(), head.size());
  if (n == 0) return fail(CtapStatus::kOther);
  out.insert(out.end(), head.begin(), head.begin() + static_cast<std::ptrdiff_t>(n));
  return {};
}

Result<void> encode_into(const Value& v, Bytes& out);

Result<void> encode_map(const MapEntries& entries, Bytes& out) {
  struct Encoded {
    Bytes key;
    Bytes value;
  };
  std::vector<Encoded> encoded;
  encoded.reserve(entries.size());
  for (const auto& [key, value] : entries) {
    Encoded e;
    VFIDO_TRY(encode_into(key, e.key));
    VFIDO_TRY(encode_into(value, e.value));
    encoded.push_back(std::move(e));
  }
  // CTAP 2.1 §8 canonical form, rule 3: keys in length-then-bytewise order.
  std::sort(encoded.begin(), encoded.end(),
            [](const Encoded& a, const Encoded& b) { return canonical_less(a.key, b.key); });
  // RFC 8949 §5.6: a map must not contain a key twice. Inserting one is a bug in the caller.
  for (std::size_t i = 1; i < encoded.size(); ++i) {
    if (encoded[i - 1].key == encoded[i].key) return fail(CtapStatus::kOther);
  }
  VFIDO_TRY(append_head(out, [&](unsigned char* b, std::size_t n) {
    return cbor_encode_map_start(encoded.size(), b, n);
  }));
  for (const Encoded& e : encoded) {
    out.insert(out.end(), e.key.begin(), e.key.end());
    out.insert(out.end(), e.value.begin(), e.value.end());
  }
  return {};
}

Result<void> encode_into(const Value& v, Bytes& out) {
  // CTAP 2.1 §8 canonical form, rule 2: every length is definite.
  switch (v.type()) {
    case Type::kUnsigned:
      return append_head(out, [&](unsigned char* b, std::size_t n) { return cbor_encode_uint(v.as_uint(), b, n); });
    case Type::kNegative:
      return append_head(out, [&](unsigned char* b, std::size_t n) {
        return cbor_encode_negint(v.as_negative_magnitude(), b, n);
      });
    case Type::kBytes: {
      const Bytes& bytes = v.as_bytes();
      VFIDO_TRY(append_head(out, [&](unsigned char* b, std::size_t n) {
        return cbor_encode_bytestring_start(bytes.size(), b, n);
      }));
      out.insert(out.end(), bytes.begin(), bytes.end());
      return {};
    }
    case Type::kText: {
      const std::string& text = v.as_text();
      VFIDO_TRY(append_head(out, [&](unsigned char* b, std::size_t n) {
        return cbor_encode_string_start(text.size(), b, n);
      }));
      out.insert(out.end(), text.begin(), text.end());
      return {};
    }
    case Type::kArray: {
      const Array& items = v.as_array();
      VFIDO_TRY(append_head(out, [&](unsigned char* b, std::size_t n) {
        return cbor_encode_array_start(items.size(), b, n);
      }));
      for (const Value& item : items) VFIDO_TRY(encode_into(item, out));
      return {};
    }
    case Type::kMap:
      return encode_map(v.as_map(), out);
    case Type::kBool:
      return append_head(out, [&](unsigned char* b, std::size_t n) { return cbor_encode_bool(v.as_bool(), b, n); });
    case Type::kNull:
      return append_head(out, [](unsigned char* b, std::size_t n) { return cbor_encode_null(b, n); });
  }
  return fail(CtapStatus::kOther);
}

// ---------------------------------------------------------------------------------------------
// Decoding

// What cbor_stream_decode reported for one head. Every callback we do not install keeps the
// default no-op from cbor_empty_callbacks and so leaves `kind` at kRejected: indefinite-length
// starts, breaks, tags, floats and undefined are all refused by default.
struct Head {
  enum class Kind { kRejected, kUnsigned, kNegative, kBytes, kText, kArray, kMap, kBool, kNull };
  Kind kind = Kind::kRejected;
  std::uint64_t argument = 0;  // integer value or magnitude, string length, element count
  const unsigned char* data = nullptr;  // string contents, inside the input buffer
  bool boolean = false;
};

Head& head_of(void* context) { return *static_cast<Head*>(context); }

void on_unsigned(void* c, std::uint64_t v) {
  head_of(c).kind = Head::Kind::kUnsigned;
  head_of(c).argument = v;
}
void on_negative(void* c, std::uint64_t magnitude) {
  head_of(c).kind = Head::Kind::kNegative;
  head_of(c).argument = magnitude;
}
void on_string(void* c, Head::Kind kind, cbor_data data, std::size_t length) {
  head_of(c).kind = kind;
  head_of(c).data = data;
  head_of(c).argument = length;
}

cbor_callbacks make_callbacks() {
  cbor_callbacks cb = cbor_empty_callbacks;
  cb.uint8 = [](void* c, std::uint8_t v) { on_unsigned(c, v); };
  cb.uint16 = [](void* c, std::uint16_t v) { on_unsigned(c, v); };
  cb.uint32 = [](void* c, std::uint32_t v) { on_unsigned(c, v); };
  cb.uint64 = [](void* c, std::uint64_t v) { on_unsigned(c, v); };
  cb.negint8 = [](void* c, std::uint8_t v) { on_negative(c, v); };
  cb.negint16 = [](void* c, std::uint16_t v) { on_negative(c, v); };
  cb.negint32 = [](void* c, std::uint32_t v) { on_negative(c, v); };
  cb.negint64 = [](void* c, std::uint64_t v) { on_negative(c, v); };
  // Definite-length strings only: the chunks of an indefinite string follow a *_start callback
  // that stays a no-op, so the item is already rejected at its first byte.
  cb.byte_string = [](void* c, cbor_data d, std::size_t n) { on_string(c, Head::Kind::kBytes, d, n); };
  cb.string = [](void* c, cbor_data d, std::size_t n) { on_string(c, Head::Kind::kText, d, n); };
  cb.array_start = [](void* c, std::size_t n) {
    head_of(c).kind = Head::Kind::kArray;
    head_of(c).argument = n;
  };
  cb.map_start = [](void* c, std::size_t n) {
    head_of(c).kind = Head::Kind::kMap;
    head_of(c).argument = n;
  };
  cb.boolean = [](void* c, bool b) {
    head_of(c).kind = Head::Kind::kBool;
    head_of(c).boolean = b;
  };
  cb.null = [](void* c) { head_of(c).kind = Head::Kind::kNull; };
  return cb;
}

const cbor_callbacks& callbacks() {
  static const cbor_callbacks cb = make_callbacks();
  return cb;
}

// CTAP 2.1 §8 canonical form, rule 1 (RFC 8949 §4.2.1): an argument must use the shortest head.
// `additional` is the low five bits of the initial byte.
bool is_shortest(std::uint8_t additional, std::uint64_t argument) {
  switch (additional) {
    case 24: return argument >= 24;
    case 25: return argument > 0xFF;
    case 26: return argument > 0xFFFF;
    case 27: return argument > 0xFFFFFFFF;
    default: return additional < 24;  // embedded in the initial byte
  }
}

// RFC 3629 §4 (as required of CBOR text by RFC 8949 §3.1 major type 3): well-formed UTF-8, with
// no overlong forms, no surrogates and nothing above U+10FFFF.
bool is_utf8(ByteSpan s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint8_t b = s[i];
    std::size_t extra = 0;
    std::uint8_t lo = 0x80;
    std::uint8_t hi = 0xBF;  // range of the first continuation byte
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      extra = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      extra = 2;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      extra = 3;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return false;  // 0x80..0xC1 (continuation or overlong lead) and 0xF5..0xFF
    }
    if (s.size() - i - 1 < extra) return false;
    if (s[i + 1] < lo || s[i + 1] > hi) return false;
    for (std::size_t k = 2; k <= extra; ++k) {
      if (s[i + k] < 0x80 || s[i + k] > 0xBF) return false;
    }
    i += extra + 1;
  }
  return true;
}

class Decoder {
 public:
  Decoder(ByteSpan in, std::size_t max_depth) : in_(in), max_depth_(max_depth) {}

  std::size_t position() const { return pos_; }

  // Decodes the item at the cursor. `depth` counts the arrays and maps around it, so the
  // recursion is at most max_depth + 1 calls deep whatever the input.
  Result<Value> item(std::size_t depth) {
    Head head;
    const ByteSpan rest = in_.subspan(pos_);
    const cbor_decoder_result r = cbor_stream_decode(rest.data(), rest.size(), &callbacks(), &head);
    // NEDATA is truncation (also a declared length beyond the input); ERROR is a reserved
    // additional-information value or an unassigned simple value.
    if (r.status != CBOR_DECODER_FINISHED) return fail(CtapStatus::kInvalidCbor);
    // CTAP 2.1 §8: no indefinite lengths, tags, floats, undefined or other simple values.
    if (head.kind == Head::Kind::kRejected) return fail(CtapStatus::kInvalidCbor);
    // CTAP 2.1 §8 canonical form, rule 1: shortest integers and lengths.
    if (!is_shortest(static_cast<std::uint8_t>(rest[0] & 0x1F), head.argument)) {
      return fail(CtapStatus::kInvalidCbor);
    }
    pos_ += r.read;

    switch (head.kind) {
      case Head::Kind::kUnsigned:
        return Value::uint(head.argument);
      case Head::Kind::kNegative:
        return Value::negative_magnitude(head.argument);
      case Head::Kind::kBytes:
        return Value::bytes(ByteSpan(head.data, static_cast<std::size_t>(head.argument)));
      case Head::Kind::kText: {
        const ByteSpan text(head.data, static_cast<std::size_t>(head.argument));
        // RFC 8949 §3.1: a text string is UTF-8; CTAP 2.1 §8 asks for valid CBOR.
        if (!is_utf8(text)) return fail(CtapStatus::kInvalidCbor);
        return Value::text(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
      }
      case Head::Kind::kArray:
        return array(head.argument, depth + 1);
      case Head::Kind::kMap:
        return map(head.argument, depth + 1);
      case Head::Kind::kBool:
        return Value::boolean(head.boolean);
      case Head::Kind::kNull:
        return Value::null();
      case Head::Kind::kRejected:
        break;
    }
    return fail(CtapStatus::kInvalidCbor);
  }

 private:
  std::size_t remaining() const { return in_.size() - pos_; }

  // `level` is this container's nesting level; the top-level container is level 1.
  Result<Value> array(std::uint64_t count, std::size_t level) {
    // CTAP 2.1 §8: at most max_depth (4) levels of nested arrays and maps.
    if (level > max_depth_) return fail(CtapStatus::kInvalidCbor);
    // Each element takes at least one byte: a larger count is truncated input. Checked before
    // reserving so that a declared count can never drive an allocation.
    if (count > remaining()) return fail(CtapStatus::kInvalidCbor);
    Array items;
    items.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) {
      auto element = item(level);
      if (!element) return fail(element.error());
      items.push_back(std::move(*element));
    }
    return Value::array(std::move(items));
  }

  Result<Value> map(std::uint64_t count, std::size_t level) {
    if (level > max_depth_) return fail(CtapStatus::kInvalidCbor);  // CTAP 2.1 §8 depth limit
    if (count > remaining() / 2) return fail(CtapStatus::kInvalidCbor);  // >= 2 bytes per entry
    MapEntries entries;
    entries.reserve(static_cast<std::size_t>(count));
    ByteSpan previous_key;
    for (std::uint64_t i = 0; i < count; ++i) {
      const std::size_t key_start = pos_;
      auto key = item(level);
      if (!key) return fail(key.error());
      const ByteSpan key_bytes = in_.subspan(key_start, pos_ - key_start);
      // CTAP 2.1 §8 canonical form, rule 3, and RFC 8949 §5.6: each key's encoding must sort
      // strictly after the previous one, which rejects unsorted and duplicate keys alike.
      if (i > 0 && !canonical_less(previous_key, key_bytes)) return fail(CtapStatus::kInvalidCbor);
      previous_key = key_bytes;
      auto value = item(level);
      if (!value) return fail(value.error());
      entries.emplace_back(std::move(*key), std::move(*value));
    }
    return Value::map(std::move(entries));
  }

  ByteSpan in_;
  std::size_t pos_ = 0;
  std::size_t max_depth_;
};

}  // namespace

Result<Bytes> encode(const Value& v) {
  Bytes out;
  VFIDO_TRY(encode_into(v, out));
  return out;
}

Result<Value> decode(ByteSpan data, DecodeLimits limits) {
  // CTAP 2.1 §8 / §11.2.4: no message is larger than the transport's maximum.
  if (data.size() > limits.max_size) return fail(CtapStatus::kInvalidCbor);
  Decoder decoder(data, limits.max_depth);
  auto value = decoder.item(0);
  if (!value) return fail(value.error());
  // Exactly one item: anything after it is malformed input (RFC 8949 §5.3.1 "well-formed").
  if (decoder.position() != data.size()) return fail(CtapStatus::kInvalidCbor);
  return value;
}

}  // namespace vfido::cbor
