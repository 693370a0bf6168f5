// The Rng implementations that live in vfido_crypto (authenticator/env/env.cpp).
#include "authenticator/env/rng.h"

#include <doctest/doctest.h>

#include "authenticator/crypto/hash.h"

namespace vfido {

TEST_CASE("rng: SeededRng with the same seed gives the same bytes") {
  SeededRng a(1234);
  SeededRng b(1234);
  for (std::size_t n : {1u, 31u, 32u, 33u, 100u}) {
    CAPTURE(n);
    CHECK(a.bytes(n) == b.bytes(n));
  }
}

TEST_CASE("rng: SeededRng with different seeds differs") {
  SeededRng a(1);
  SeededRng b(2);
  SeededRng c(std::uint64_t{1} << 32);  // differs only in the high half of the seed
  Bytes x = a.bytes(64);
  CHECK(x != b.bytes(64));
  CHECK(x != c.bytes(64));
}

TEST_CASE("rng: SeededRng output is SHA-256 in counter mode over the seed") {
  // Block i = SHA-256(seed as 8 bytes big-endian || i as 8 bytes big-endian).
  SeededRng rng(0x0102030405060708);
  Bytes out = rng.bytes(40);
  Bytes block0 = vfido::from_hex("0102030405060708 0000000000000000").value();
  Bytes block1 = vfido::from_hex("0102030405060708 0000000000000001").value();
  auto h0 = crypto::sha256(block0);
  auto h1 = crypto::sha256(block1);
  CHECK(Bytes(out.begin(), out.begin() + 32) == Bytes(h0.begin(), h0.end()));
  CHECK(Bytes(out.begin() + 32, out.end()) == Bytes(h1.begin(), h1.begin() + 8));
  // Successive calls move on: the next call starts at block 2.
  auto h2 = crypto::sha256(vfido::from_hex("0102030405060708 0000000000000002").value());
  CHECK(rng.bytes(32) == Bytes(h2.begin(), h2.end()));
}

TEST_CASE("rng: SeededRng and OpenSslRng accept empty requests") {
  SeededRng s(5);
  OpenSslRng o;
  CHECK(s.bytes(0).empty());
  CHECK(o.bytes(0).empty());
  // An empty request does not advance the seeded stream.
  SeededRng t(5);
  CHECK(s.bytes(16) == t.bytes(16));
}

TEST_CASE("rng: OpenSslRng fills the whole buffer with fresh bytes") {
  OpenSslRng rng;
  Bytes a = rng.bytes(64);
  Bytes b = rng.bytes(64);
  CHECK(a.size() == 64);
  CHECK(a != b);                  // equal with probability 2^-512
  CHECK(a != Bytes(64, 0));       // untouched output would be all zeros
  Bytes big = rng.bytes(4096);
  std::size_t zeros = static_cast<std::size_t>(std::count(big.begin(), big.end(), std::uint8_t{0}));
  CHECK(zeros < 64);  // about 16 expected; untouched memory would give 4096
}

}  // namespace vfido
