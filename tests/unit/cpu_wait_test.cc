#include "server/cpu_wait.h"

#include <gtest/gtest.h>

namespace redwing {
namespace {

TEST(CpuWaitMeter, ParsesTheRunQueueWaitOfASchedstatLine) {
  EXPECT_EQ(CpuWaitMeter::ParseWaitNs("205916 96351 2\n"), 96351u);
  EXPECT_EQ(CpuWaitMeter::ParseWaitNs("0 0 0"), 0u);
  EXPECT_EQ(CpuWaitMeter::ParseWaitNs("12345678901234 9876543210 77\n"), 9876543210u);
  EXPECT_FALSE(CpuWaitMeter::ParseWaitNs(""));
  EXPECT_FALSE(CpuWaitMeter::ParseWaitNs("205916"));
  EXPECT_FALSE(CpuWaitMeter::ParseWaitNs("205916 x 2"));
}

TEST(CpuWaitMeter, AveragesTheShareOfWallTimeSpentWaiting) {
  // Each sample weighs half.
  EXPECT_EQ(CpuWaitMeter::Fold(0, 50'000'000, 100'000'000), 250u);  // 500 permille now
  EXPECT_EQ(CpuWaitMeter::Fold(250, 50'000'000, 100'000'000), 375u);
  EXPECT_EQ(CpuWaitMeter::Fold(400, 0, 100'000'000), 200u);
  // A share is capped at the whole interval; an empty interval changes nothing.
  EXPECT_EQ(CpuWaitMeter::Fold(1000, 500'000'000, 100'000'000), 1000u);
  EXPECT_EQ(CpuWaitMeter::Fold(321, 5, 0), 321u);
  // Converges on a steady share.
  uint32_t avg = 0;
  for (int i = 0; i < 40; ++i)
    avg = CpuWaitMeter::Fold(avg, 20'000'000, 100'000'000);
  EXPECT_NEAR(avg, 200u, 3u);
}

}  // namespace
}  // namespace redwing
