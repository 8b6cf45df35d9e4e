#include "master/open_files.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>

namespace gm::master {
namespace {

// In a child: lowering a hard limit cannot be undone in this process.
int exit_code_of(const std::string& conf, rlim_t expected) {
  pid_t pid = ::fork();
  if (pid == 0) {
    auto config = core::Config::parse(conf, "gm.conf", "/");
    if (!config || !apply_open_files_limit(*config)) _exit(2);
    rlimit now{};
    ::getrlimit(RLIMIT_NOFILE, &now);
    _exit(now.rlim_cur == expected && now.rlim_max == expected ? 0 : 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(OpenFiles, SetsSoftAndHardLimit) {
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  rlim_t wanted = std::min<rlim_t>(limit.rlim_max, 2000);
  EXPECT_EQ(exit_code_of("max_open_files = " + std::to_string(wanted) + "\n", wanted), 0);
}

TEST(OpenFiles, WithoutRootAboveTheHardLimitIsCapped) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may raise the hard limit";
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  if (limit.rlim_max == RLIM_INFINITY) GTEST_SKIP() << "no hard limit";
  EXPECT_EQ(exit_code_of("max_open_files = " + std::to_string(limit.rlim_max + 1000) + "\n",
                         limit.rlim_max),
            0);
}

TEST(OpenFiles, ZeroLeavesTheLimitAlone) {
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  auto config = core::Config::parse("max_open_files = 0\n", "gm.conf", "/");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(apply_open_files_limit(*config).ok());
  rlimit after{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, limit.rlim_cur);
  EXPECT_EQ(after.rlim_max, limit.rlim_max);
}

}  // namespace
}  // namespace gm::master
