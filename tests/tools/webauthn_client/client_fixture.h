// Shared by the client tests: the system public suffix list (Debian's publicsuffix package),
// loaded once per test binary, and origins from URLs.
#pragma once

#include <doctest/doctest.h>

#include "tools/webauthn_client/origin.h"
#include "tools/webauthn_client/public_suffix_list.h"

namespace vfido::test {

inline const webauthn::PublicSuffixList& psl() {
  static const webauthn::PublicSuffixList list = [] {
    auto l = webauthn::PublicSuffixList::system();
    if (!l) FAIL(l.error());
    return *l;
  }();
  return list;
}

// A parsed origin; fails the test when `url` does not parse.
inline webauthn::Origin origin(const char* url) {
  auto o = webauthn::parse_origin(url);
  INFO(url);
  REQUIRE(o);
  return *o;
}

}  // namespace vfido::test
