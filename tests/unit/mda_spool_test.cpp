// mda's Spool: in memory while small, in an unlinked temporary file once
// it outgrows kSpoolInMemory; reads give back the same bytes either way.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "local_delivery.hpp"

namespace gm::mda {
namespace {

namespace fs = std::filesystem;

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
  return s;
}

std::string read_all(const Spool& spool, size_t chunk) {
  std::string out;
  for (uint64_t offset = 0; offset < spool.size(); offset += chunk) {
    auto part = spool.read(offset, chunk);
    EXPECT_TRUE(part.ok());
    if (!part) break;
    out += *part;
  }
  return out;
}

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gm_spool_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(SpoolTest, SmallBodyStaysInMemoryAndReadsBack) {
  auto spool = Spool::create(dir_.string());
  ASSERT_TRUE(spool.ok());
  std::string body = "Delivered-To: A@x\r\nSubject: s\r\n\r\n" + pattern(5000);
  ASSERT_TRUE(spool->append(body.substr(0, 100)).ok());
  ASSERT_TRUE(spool->append(body.substr(100)).ok());
  ASSERT_TRUE(spool->finish().ok());
  EXPECT_EQ(spool->size(), body.size());
  EXPECT_EQ(read_all(*spool, 999), body);
  EXPECT_EQ(spool->delivered_to(), std::vector<std::string>{"a@x"});
  EXPECT_EQ(*spool->read(body.size() + 10, 10), "");
}

TEST_F(SpoolTest, LargeBodySpillsToATemporaryFileWithTheSameBytes) {
  auto spool = Spool::create(dir_.string());
  ASSERT_TRUE(spool.ok());
  std::string body = "Subject: big\r\n\r\n" + pattern(kSpoolInMemory * 3 + 17);
  for (size_t offset = 0; offset < body.size(); offset += 40000)
    ASSERT_TRUE(spool->append(body.substr(offset, 40000)).ok());
  ASSERT_TRUE(spool->finish().ok());
  EXPECT_EQ(spool->size(), body.size());
  EXPECT_EQ(read_all(*spool, 65536), body);
  EXPECT_TRUE(spool->delivered_to().empty());
  EXPECT_TRUE(fs::is_empty(dir_));  // O_TMPFILE: never a name in the directory
}

TEST_F(SpoolTest, SpillFailureIsATemporaryStorageError) {
  auto spool = Spool::create((dir_ / "missing").string());
  ASSERT_TRUE(spool.ok());
  ASSERT_TRUE(spool->append(pattern(100)).ok());  // memory: no directory needed yet
  Status s = spool->append(pattern(kSpoolInMemory));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, 452);
}

}  // namespace
}  // namespace gm::mda
