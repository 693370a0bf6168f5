// Pacing for report streams without flow control (a token bucket). A USB key cannot send or
// receive faster than its interrupt endpoints are polled (a full-speed endpoint with bInterval 1:
// one report per millisecond), so hosts and hidraw are built for that rate. Through uhid nothing
// paces either side: the kernel queues at most 32 events for the daemon and hidraw at most 64
// reports for each reader, and drops what does not fit. Letting a burst through at once and
// then one report per interval keeps ordinary CTAP messages (getInfo maxMsgSize 1200 bytes: 21
// reports) undelayed and long ones (a 7609-byte PING: 129 reports) within those queues.
//
// Pure: time comes in as microseconds of any monotonic clock.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace vfido::transport::uhid {

class ReportPacer {
 public:
  // `burst` reports may go at once; one more becomes available every `interval_us`.
  ReportPacer(std::uint32_t burst, std::uint64_t interval_us) : burst_(burst), interval_us_(interval_us) {}

  // Takes one report's allowance at `now_us`; false when the caller must wait.
  bool try_take(std::uint64_t now_us) {
    refill(now_us);
    if (available_ == 0) return false;
    --available_;
    return true;
  }

  // Microseconds from `now_us` until try_take() succeeds (0 = now).
  std::uint64_t wait_us(std::uint64_t now_us) {
    refill(now_us);
    if (available_ > 0) return 0;
    const std::uint64_t elapsed = now_us > last_us_ ? now_us - last_us_ : 0;  // a clock stepping back: none
    return interval_us_ - std::min(interval_us_, elapsed);
  }

 private:
  void refill(std::uint64_t now_us) {
    if (!started_) {
      started_ = true;
      last_us_ = now_us;
      available_ = burst_;
      return;
    }
    if (now_us <= last_us_ || interval_us_ == 0) return;
    const std::uint64_t earned = (now_us - last_us_) / interval_us_;
    if (earned == 0) return;
    available_ = static_cast<std::uint32_t>(std::min<std::uint64_t>(burst_, available_ + earned));
    last_us_ += earned * interval_us_;
    if (available_ == burst_) last_us_ = now_us;  // a full bucket does not bank time
  }

  std::uint32_t burst_;
  std::uint64_t interval_us_;
  std::uint32_t available_ = 0;
  std::uint64_t last_us_ = 0;
  bool started_ = false;
};

// The clock the pacer's users feed it: std::chrono::steady_clock in microseconds.
inline std::uint64_t steady_now_us() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

}  // namespace vfido::transport::uhid
