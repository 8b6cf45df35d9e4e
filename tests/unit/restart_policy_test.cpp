#include "master/restart_policy.hpp"

#include <gtest/gtest.h>

namespace gm::master {
namespace {

using namespace std::chrono_literals;

RestartPolicy policy() {
  return {1000ms, 8000ms, 3, 60000ms};
}

TEST(RestartPolicy, BackoffDoublesUpToTheMaximum) {
  RestartTracker tracker;
  auto now = Clock::time_point{} + 1000h;
  RestartPolicy slow_loop = policy();
  slow_loop.crash_loop_restarts = 100;
  std::vector<std::chrono::milliseconds> delays;
  for (int i = 0; i < 6; ++i) {
    delays.push_back(tracker.on_exit(now, 10ms, slow_loop).delay);
    now += 1s;
  }
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{1000ms, 2000ms, 4000ms, 8000ms, 8000ms,
                                                            8000ms}));
}

TEST(RestartPolicy, CrashLoopAfterTooManyExitsInTheWindow) {
  RestartTracker tracker;
  auto now = Clock::time_point{} + 1000h;
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(tracker.on_exit(now, 10ms, policy()).crash_loop) << i;
    now += 1s;
  }
  RestartDecision fourth = tracker.on_exit(now, 10ms, policy());
  EXPECT_TRUE(fourth.crash_loop);
  EXPECT_EQ(fourth.exits_in_window, 4);
  EXPECT_EQ(fourth.delay, 8000ms);  // retried at the maximum, never in a tight loop
}

TEST(RestartPolicy, OldExitsLeaveTheWindow) {
  RestartTracker tracker;
  auto now = Clock::time_point{} + 1000h;
  for (int i = 0; i < 3; ++i) {
    (void)tracker.on_exit(now, 10ms, policy());
    now += 30s;  // 4 exits over 90s: never more than 3 in any 60s
  }
  EXPECT_FALSE(tracker.on_exit(now, 10ms, policy()).crash_loop);
}

TEST(RestartPolicy, AHealthyRunResetsTheBackoff) {
  RestartTracker tracker;
  auto now = Clock::time_point{} + 1000h;
  (void)tracker.on_exit(now, 10ms, policy());
  (void)tracker.on_exit(now + 1s, 10ms, policy());
  EXPECT_EQ(tracker.on_exit(now + 2h, 2h, policy()).delay, 1000ms);
}

TEST(RestartPolicy, DescribesDurations) {
  EXPECT_EQ(describe_duration(250ms), "250ms");
  EXPECT_EQ(describe_duration(1500ms), "1.5s");
  EXPECT_EQ(describe_duration(60s), "60s");
  EXPECT_EQ(describe_duration(150s), "2m30s");
  EXPECT_EQ(describe_duration(10min), "10m");
}

}  // namespace
}  // namespace gm::master
