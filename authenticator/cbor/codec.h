// Encoding and decoding between Value and bytes, on libcbor. The only header that knows the
// codec; only codec.cpp includes <cbor.h> (style.md §7).
//
// encode(): CTAP2 canonical form (CTAP 2.1 §8 "Message Encoding", "CTAP2 canonical CBOR
//   encoding form"): shortest-form integers and lengths, definite lengths, map keys sorted by
//   length of their encoding then bytewise. A map with a duplicate key is a programming error
//   and yields kOther.
// decode(): strict. Input must be exactly one well-formed item in canonical form with nothing
//   after it (kInvalidCbor otherwise: trailing bytes, truncation, indefinite lengths, floats,
//   tags, undefined, non-shortest integers or lengths, unsorted or duplicate map keys, text that
//   is not UTF-8), nest at most `max_depth` levels of arrays and maps (the top-level container
//   is level 1), and be at most `max_size` bytes.
#pragma once

#include <cstddef>

#include "authenticator/cbor/value.h"

namespace vfido::cbor {

// CTAP 2.1 §8: messages use at most four levels of nested maps and arrays.
inline constexpr std::size_t kDefaultMaxDepth = 4;

struct DecodeLimits {
  std::size_t max_depth = kDefaultMaxDepth;
  std::size_t max_size = 7609;  // the largest CTAPHID message
};

Result<Bytes> encode(const Value& v);
Result<Value> decode(ByteSpan data, DecodeLimits limits = {});

}  // namespace vfido::cbor
