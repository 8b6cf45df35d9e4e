#include "core/service_status.hpp"

#include <gtest/gtest.h>

namespace gm::core {
namespace {

TEST(ServiceStatus, RoundTripsThroughTheStatusLine) {
  ServiceStatus running{
      "msa", "running", {4711, 4712},
      3600,  2,         {"submission=inet:127.0.0.1:587", "submissions=inet:[::1]:465"}};
  std::string line = format_status_line(running);
  EXPECT_EQ(
      line,
      "msa running 4711,4712 3600 2 submission=inet:127.0.0.1:587,submissions=inet:[::1]:465");
  auto parsed = parse_status_line(line);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, running);
}

TEST(ServiceStatus, DashesStandForNone) {
  ServiceStatus waiting{"bad", "crash-loop", {}, -1, 7, {}};
  EXPECT_EQ(format_status_line(waiting), "bad crash-loop - - 7 -");
  auto parsed = parse_status_line("bad crash-loop - - 7 -");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, waiting);
}

TEST(ServiceStatus, RejectsMalformedLines) {
  for (auto bad : {"", "a running", "a running 1 2 3 - extra", "a running x 2 3 -",
                   "a running 0 2 3 -", "a running 1 -5 3 -", "a running 1 2 - -",
                   "a running 1 2 3x -", "a running , 2 3 -", "a running 1 2 3 ,-",
                   "a running 1,,2 2 3 -", "a running 1 2 3 x,", "a\x01 running 1 2 3 -"})
    EXPECT_FALSE(parse_status_line(bad).ok()) << bad;
}

}  // namespace
}  // namespace gm::core
