#include <doctest/doctest.h>

#include "authenticator/crypto/scrypt.h"

using namespace vfido;
using namespace vfido::crypto;

TEST_CASE("scrypt: RFC 7914 §12 test vector (password, NaCl, N=1024, r=8, p=16)") {
  ScryptParams p{.n = 1024, .r = 8, .p = 16};
  auto dk = scrypt(as_span("password"), as_span("NaCl"), p, 64);
  REQUIRE(dk.has_value());
  CHECK(to_hex(dk->expose()) ==
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83"
        "ee6d8360cbdfa2cc0640");
}

TEST_CASE("scrypt: a different passphrase or salt gives a different key") {
  ScryptParams p{.n = 1024, .r = 8, .p = 1};
  auto a = scrypt(as_span("one"), as_span("salt"), p, 32);
  auto b = scrypt(as_span("two"), as_span("salt"), p, 32);
  auto c = scrypt(as_span("one"), as_span("pepper"), p, 32);
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(c);
  CHECK(to_hex(a->expose()) != to_hex(b->expose()));
  CHECK(to_hex(a->expose()) != to_hex(c->expose()));
}

TEST_CASE("scrypt: implausible parameters are refused, not run") {
  CHECK(ScryptParams{}.plausible());
  CHECK_FALSE(ScryptParams{.n = 1000, .r = 8, .p = 1}.plausible());        // not a power of two
  CHECK_FALSE(ScryptParams{.n = 1, .r = 8, .p = 1}.plausible());           // N must exceed 1
  CHECK_FALSE(ScryptParams{.n = std::uint64_t{1} << 40, .r = 8, .p = 1}.plausible());
  CHECK_FALSE(ScryptParams{.n = 1024, .r = 0, .p = 1}.plausible());
  CHECK_FALSE(ScryptParams{.n = 1024, .r = 8, .p = 0}.plausible());
  CHECK_FALSE(ScryptParams{.n = std::uint64_t{1} << 20, .r = 32, .p = 1}.plausible());  // 4 GiB
  auto r = scrypt(as_span("x"), as_span("y"), ScryptParams{.n = 3, .r = 1, .p = 1}, 32);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error() == CtapStatus::kInvalidParameter);
}
