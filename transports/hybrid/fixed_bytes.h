// Copying a decoded byte string into a fixed-size field (QR keys, link IDs, tunnel IDs).
#pragma once

#include <algorithm>

#include "authenticator/bytes.h"

namespace vfido::cable {

// True (and `to` filled) when `from` has exactly N bytes.
template <std::size_t N>
bool copy_exact(ByteSpan from, ByteArray<N>& to) {
  if (from.size() != N) return false;
  std::copy(from.begin(), from.end(), to.begin());
  return true;
}

}  // namespace vfido::cable
