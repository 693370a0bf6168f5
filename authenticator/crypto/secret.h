// Secret bytes: move-only, wiped with OPENSSL_cleanse when destroyed or reassigned, read only
// through expose() so that every place that touches key material is visible (style.md §9).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "authenticator/bytes.h"

namespace vfido::crypto {

void cleanse(void* p, std::size_t n);  // OPENSSL_cleanse, declared here to keep <openssl> out

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t n) : b_(n, 0) {}
  explicit SecretBytes(ByteSpan b) : b_(b.begin(), b.end()) {}
  ~SecretBytes() { wipe(); }
  SecretBytes(SecretBytes&& o) noexcept : b_(std::move(o.b_)) { o.b_.clear(); }
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      wipe();
      b_ = std::move(o.b_);
      o.b_.clear();
    }
    return *this;
  }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // An explicit copy, for the few places (stores) that must keep a second copy.
  SecretBytes clone() const { return SecretBytes(ByteSpan(b_)); }

  ByteSpan expose() const { return b_; }
  std::span<std::uint8_t> expose_mut() { return b_; }
  std::size_t size() const { return b_.size(); }
  bool empty() const { return b_.empty(); }

 private:
  void wipe() {
    if (!b_.empty()) cleanse(b_.data(), b_.size());
  }
  std::vector<std::uint8_t> b_;
};

template <std::size_t N>
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::span<const std::uint8_t, N> b) { std::copy(b.begin(), b.end(), a_.begin()); }
  ~Secret() { cleanse(a_.data(), N); }
  Secret(Secret&& o) noexcept : a_(o.a_) { cleanse(o.a_.data(), N); }
  Secret& operator=(Secret&& o) noexcept {
    a_ = o.a_;
    cleanse(o.a_.data(), N);
    return *this;
  }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  std::span<const std::uint8_t, N> expose() const { return a_; }
  std::span<std::uint8_t, N> expose_mut() { return a_; }

 private:
  std::array<std::uint8_t, N> a_{};
};

}  // namespace vfido::crypto
