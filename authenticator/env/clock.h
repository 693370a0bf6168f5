// Clock port: monotonic milliseconds. The core and the CTAPHID layer read time only through
// this, so tests drive timeouts with ManualClock.
#pragma once

#include <cstdint>

namespace vfido {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::uint64_t now_ms() const = 0;
};

// For tests: time moves only when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::uint64_t start_ms = 1'000'000) : now_(start_ms) {}
  std::uint64_t now_ms() const override { return now_; }
  void advance(std::uint64_t ms) { now_ += ms; }

 private:
  std::uint64_t now_;
};

// Production: std::chrono::steady_clock (defined in clock.cpp).
class SteadyClock final : public Clock {
 public:
  std::uint64_t now_ms() const override;
};

}  // namespace vfido
