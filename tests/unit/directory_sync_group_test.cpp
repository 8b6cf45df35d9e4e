// core::fsync_directory_grouped: concurrent callers share fsyncs and all
// get an answer; a failure reaches every caller it covered.
#include "core/directory_sync_group.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace gm::core {
namespace {

namespace fs = std::filesystem;

TEST(DirectorySyncGroup, ConcurrentCallersAllSucceed) {
  std::string pattern = (fs::temp_directory_path() / "gm_dirsync_test.XXXXXX").string();
  std::string dir = ::mkdtemp(pattern.data());
  std::atomic<int> failed = 0, done = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::ofstream(dir + "/f" + std::to_string(t) + "-" + std::to_string(i)) << "x";
        if (fsync_directory_grouped(dir))
          ++done;
        else
          ++failed;
      }
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failed, 0);
  EXPECT_EQ(done, 16 * 20);
  fs::remove_all(dir);
}

TEST(DirectorySyncGroup, MissingDirectoryIsAnError) {
  auto status = fsync_directory_grouped("/nonexistent/gm/dir");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("/nonexistent/gm/dir"), std::string::npos);
  // The entry is gone: a later call tries again rather than reusing the answer.
  EXPECT_FALSE(fsync_directory_grouped("/nonexistent/gm/dir").ok());
}

}  // namespace
}  // namespace gm::core
