#include "net/connection_limiter.hpp"

#include <gtest/gtest.h>

namespace gm::net {
namespace {

TEST(ConnectionLimiter, RefusesBeyondPerAddressLimit) {
  ConnectionLimiter limiter(100, 2);
  EXPECT_EQ(limiter.admit("192.0.2.1"), Admission::kAccepted);
  EXPECT_EQ(limiter.admit("192.0.2.1"), Admission::kAccepted);
  EXPECT_EQ(limiter.admit("192.0.2.1"), Admission::kTooManyFromAddress);
  EXPECT_EQ(limiter.admit("192.0.2.2"), Admission::kAccepted);
  limiter.release("192.0.2.1");
  EXPECT_EQ(limiter.admit("192.0.2.1"), Admission::kAccepted);
  EXPECT_EQ(limiter.count("192.0.2.1"), 2u);
  EXPECT_EQ(limiter.total(), 3u);
}

TEST(ConnectionLimiter, RefusesBeyondTotal) {
  ConnectionLimiter limiter(2, 10);
  EXPECT_EQ(limiter.admit("a"), Admission::kAccepted);
  EXPECT_EQ(limiter.admit("b"), Admission::kAccepted);
  EXPECT_EQ(limiter.admit("c"), Admission::kTooManyConnections);
  limiter.release("a");
  EXPECT_EQ(limiter.count("a"), 0u);
  EXPECT_EQ(limiter.admit("c"), Admission::kAccepted);
}

TEST(ConnectionLimiter, LocalPeersCountOnlyTowardTheTotal) {
  ConnectionLimiter limiter(3, 1);
  EXPECT_EQ(limiter.admit(""), Admission::kAccepted);
  EXPECT_EQ(limiter.admit(""), Admission::kAccepted);
  EXPECT_EQ(limiter.admit(""), Admission::kAccepted);
  EXPECT_EQ(limiter.admit(""), Admission::kTooManyConnections);
}

TEST(ConnectionLimiter, LoweredLimitsApplyToNewConnections) {
  ConnectionLimiter limiter(10, 5);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(limiter.admit("a"), Admission::kAccepted);
  limiter.set_limits(10, 2);
  EXPECT_EQ(limiter.admit("a"), Admission::kTooManyFromAddress);
}

}  // namespace
}  // namespace gm::net
