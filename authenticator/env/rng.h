// Rng port. Production uses OpenSSL's RAND_bytes; tests use SeededRng, a deterministic
// generator (SHA-256 in counter mode over the seed), so keys and IDs repeat run to run.
#pragma once

#include <cstdint>
#include <span>

#include "authenticator/bytes.h"

namespace vfido {

class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;

  Bytes bytes(std::size_t n) {
    Bytes b(n);
    fill(b);
    return b;
  }
};

class OpenSslRng final : public Rng {
 public:
  void fill(std::span<std::uint8_t> out) override;  // aborts if RAND_bytes fails
};

// Deterministic, for tests and reproducible runs only. Not for real keys.
class SeededRng final : public Rng {
 public:
  explicit SeededRng(std::uint64_t seed) : seed_(seed) {}
  void fill(std::span<std::uint8_t> out) override;

 private:
  std::uint64_t seed_;
  std::uint64_t counter_ = 0;
};

}  // namespace vfido
