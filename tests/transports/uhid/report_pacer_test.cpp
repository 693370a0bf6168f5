// The token bucket that paces reports over uhid: a burst at once, then one per interval.
#include <doctest/doctest.h>

#include "transports/uhid/report_pacer.h"

using vfido::transport::uhid::ReportPacer;

TEST_CASE("report pacer: a burst goes at once, then one report per interval") {
  ReportPacer p(3, 1000);
  const std::uint64_t t0 = 5'000'000;
  CHECK(p.try_take(t0));
  CHECK(p.try_take(t0));
  CHECK(p.try_take(t0));
  CHECK_FALSE(p.try_take(t0));
  CHECK(p.wait_us(t0) == 1000);
  CHECK(p.wait_us(t0 + 400) == 600);
  CHECK_FALSE(p.try_take(t0 + 999));
  CHECK(p.try_take(t0 + 1000));
  CHECK_FALSE(p.try_take(t0 + 1500));
  CHECK(p.wait_us(t0 + 1500) == 500);
  CHECK(p.try_take(t0 + 2000));
}

TEST_CASE("report pacer: a late caller gets what accrued, never more than the burst") {
  ReportPacer p(4, 1000);
  const std::uint64_t t0 = 1'000;
  for (int i = 0; i < 4; ++i) CHECK(p.try_take(t0));
  // 2.5 intervals later: two reports' worth, and half an interval towards the third.
  CHECK(p.try_take(t0 + 2500));
  CHECK(p.try_take(t0 + 2500));
  CHECK_FALSE(p.try_take(t0 + 2500));
  CHECK(p.wait_us(t0 + 2500) == 500);
  // Idle for a long time: a full bucket, not a bank of credit.
  int taken = 0;
  while (p.try_take(t0 + 10'000'000)) ++taken;
  CHECK(taken == 4);
}

TEST_CASE("report pacer: time that does not move forward earns nothing and breaks nothing") {
  ReportPacer p(1, 1000);
  CHECK(p.try_take(10'000));
  CHECK_FALSE(p.try_take(9'000));  // a clock going backwards
  CHECK(p.wait_us(9'000) == 1000);
  CHECK(p.try_take(11'000));
}
