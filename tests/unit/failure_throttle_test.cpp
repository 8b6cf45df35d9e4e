#include "auth/failure_throttle.hpp"

#include <gtest/gtest.h>

namespace gm::auth {
namespace {

using namespace std::chrono_literals;

class FailureThrottleTest : public ::testing::Test {
 protected:
  FailureThrottle::Clock::time_point now_ = FailureThrottle::Clock::time_point(1000h);
  FailureThrottle throttle_{ThrottlePolicy{5, 10min, 15min}, [this] { return now_; }};
};

TEST_F(FailureThrottleTest, FiveFailuresThrottleTheSixthAttempt) {
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(throttle_.address_throttled("192.0.2.1"));
    throttle_.record_failure("192.0.2.1", "");
  }
  EXPECT_FALSE(throttle_.address_throttled("192.0.2.1"));
  throttle_.record_failure("192.0.2.1", "");
  EXPECT_TRUE(throttle_.address_throttled("192.0.2.1"));
  EXPECT_FALSE(throttle_.address_throttled("192.0.2.2")) << "other addresses unaffected";
}

TEST_F(FailureThrottleTest, FailuresOutsideTheWindowDoNotCount) {
  for (int i = 0; i < 4; ++i) throttle_.record_failure("192.0.2.1", "");
  now_ += 10min;
  throttle_.record_failure("192.0.2.1", "");
  EXPECT_FALSE(throttle_.address_throttled("192.0.2.1"));
  now_ += 1min;
  for (int i = 0; i < 3; ++i) throttle_.record_failure("192.0.2.1", "");
  EXPECT_FALSE(throttle_.address_throttled("192.0.2.1")) << "4 within the window";
  throttle_.record_failure("192.0.2.1", "");
  EXPECT_TRUE(throttle_.address_throttled("192.0.2.1"));
}

TEST_F(FailureThrottleTest, LockoutEndsAfterLockoutTime) {
  for (int i = 0; i < 5; ++i) throttle_.record_failure("192.0.2.1", "alice@example.org");
  now_ += 15min - 1s;
  throttle_.record_failure("192.0.2.1", "alice@example.org");  // does not extend it
  EXPECT_TRUE(throttle_.address_throttled("192.0.2.1"));
  EXPECT_TRUE(throttle_.account_throttled("alice@example.org"));
  now_ += 1s;
  EXPECT_FALSE(throttle_.address_throttled("192.0.2.1"));
  EXPECT_FALSE(throttle_.account_throttled("alice@example.org"));
  throttle_.record_failure("192.0.2.1", "");
  EXPECT_FALSE(throttle_.address_throttled("192.0.2.1")) << "counting starts afresh";
}

TEST_F(FailureThrottleTest, AccountsAndAddressesCountIndependently) {
  for (int i = 0; i < 5; ++i)
    throttle_.record_failure("192.0.2." + std::to_string(i), "alice@example.org");
  EXPECT_TRUE(throttle_.account_throttled("alice@example.org"));
  EXPECT_FALSE(throttle_.address_throttled("192.0.2.0"));
  EXPECT_FALSE(throttle_.account_throttled("bob@example.org"));
  for (int i = 0; i < 5; ++i) throttle_.record_failure("198.51.100.7", "u" + std::to_string(i));
  EXPECT_TRUE(throttle_.address_throttled("198.51.100.7"));
  EXPECT_FALSE(throttle_.account_throttled("u0"));
}

TEST_F(FailureThrottleTest, SuccessClearsTheAccountButNotTheAddress) {
  for (int i = 0; i < 4; ++i) throttle_.record_failure("192.0.2.1", "alice@example.org");
  throttle_.record_success("alice@example.org");
  throttle_.record_failure("192.0.2.1", "alice@example.org");
  EXPECT_FALSE(throttle_.account_throttled("alice@example.org"));
  EXPECT_TRUE(throttle_.address_throttled("192.0.2.1"));
}

TEST_F(FailureThrottleTest, PruneForgetsExpiredEntries) {
  throttle_.record_failure("192.0.2.1", "alice@example.org");
  for (int i = 0; i < 5; ++i) throttle_.record_failure("192.0.2.2", "");
  EXPECT_EQ(throttle_.tracked_entries(), 3u);
  now_ += 11min;
  throttle_.prune();
  EXPECT_EQ(throttle_.tracked_entries(), 1u) << "the lockout is still running";
  now_ += 5min;
  throttle_.prune();
  EXPECT_EQ(throttle_.tracked_entries(), 0u);
}

TEST_F(FailureThrottleTest, ZeroLimitDisablesThrottling) {
  throttle_.set_policy(ThrottlePolicy{0, 10min, 15min});
  for (int i = 0; i < 50; ++i) throttle_.record_failure("192.0.2.1", "a");
  EXPECT_FALSE(throttle_.address_throttled("192.0.2.1"));
}

TEST(ThrottleAddressKey, GroupsIpv6By64) {
  EXPECT_EQ(throttle_address_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(throttle_address_key("2001:db8:1:2::9"), "2001:db8:1:2::/64");
  EXPECT_EQ(throttle_address_key("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(throttle_address_key("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
  EXPECT_EQ(throttle_address_key("garbage"), "garbage");
}

}  // namespace
}  // namespace gm::auth
