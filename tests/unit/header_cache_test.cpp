// The process-wide header cache (lib/mail/header_cache.hpp): filled once per
// message, keyed so flag renames keep the entry, bounded by its byte limit,
// decoded and case-folded for SEARCH.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "mail/header_cache.hpp"
#include "mail/mailbox_folder.hpp"
#include "mail/mime_search.hpp"
#include "mailbox_test_support.hpp"

namespace gm::mail {
namespace {

using testing::TempMaildir;

std::string with_subject(int n, std::string_view subject) {
  return "From: =?iso-8859-1?q?J=FCrgen?= <j" + std::to_string(n) +
         "@example.org>\r\nSubject: " + std::string(subject) + "\r\n\r\nbody\r\n";
}

TEST(CachedHeader, ValuesAreDecodedAndFoldedOnce) {
  auto h = CachedHeader::from_block(
      "From: =?iso-8859-1?q?J=FCrgen?= <j@example.org>\r\n"
      "Subject: =?utf-8?b?R3LDvMOfZSBhdXMgS8O2bG4=?=\r\nX-Tag: a\r\nX-Tag: beta\r\n\r\n");
  EXPECT_TRUE(h.contains("from", casefold("JÜRGEN")));
  EXPECT_TRUE(h.contains("SUBJECT", casefold("GRÜSSE")));
  EXPECT_TRUE(h.contains("x-tag", "bet"));  // the second field of that name
  EXPECT_TRUE(h.contains("x-tag", ""));     // RFC 9051 6.4.4: the field exists
  EXPECT_FALSE(h.contains("cc", ""));
  EXPECT_FALSE(h.contains("x-tag", "gamma"));
  auto fields = h.fields();
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[1].value, "=?utf-8?b?R3LDvMOfZSBhdXMgS8O2bG4=?=");
  // Only the SEARCH address and subject fields are kept folded.
  EXPECT_EQ(h.folded.size(),
            casefold("Jürgen <j@example.org>").size() + casefold("Grüße aus Köln").size() + 4);
}

TEST(ReadHeaderBlock, StopsAtTheEmptyLineAndRefusesLongHeaders) {
  auto path = std::filesystem::temp_directory_path() / "gm_header_block_test";
  {
    std::ofstream f(path, std::ios::binary);
    f << "A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore";
  }
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  auto block = read_header_block(fd, 1024);
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(*block, "A: 1\r\nB: 2\r\n\r\n");
  EXPECT_FALSE(read_header_block(fd, 4).ok());
  ::close(fd);
  {
    std::ofstream f(path, std::ios::binary);
    f << "A: " << std::string(10000, 'x') << "\nB: 2\n\nbody";  // bare LF, over one read
  }
  fd = ::open(path.c_str(), O_RDONLY);
  block = read_header_block(fd, 20000);
  ASSERT_TRUE(block.ok());
  EXPECT_EQ(block->size(), 10000 + 3 + 1 + 5 + 1);
  ::close(fd);
  std::filesystem::remove(path);
}

TEST(HeaderCache, FillsOnceAndSurvivesAFlagRename) {
  TempMaildir dir;
  auto folder = MailboxFolder::open(dir.root());
  ASSERT_TRUE(folder.ok());
  auto uid = (*folder)->append(with_subject(1, "needle here"));
  ASSERT_TRUE(uid.ok());
  HeaderCache cache;
  bool read = false;
  auto first = cache.get(**folder, *(*folder)->find(*uid), &read);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(read);
  EXPECT_TRUE(first->contains("Subject", "needle"));
  ASSERT_TRUE((*folder)->store(std::vector<uint32_t>{*uid}, StoreMode::kAdd, kSeen, {}).ok());
  read = false;
  auto again = cache.get(**folder, *(*folder)->find(*uid), &read);
  EXPECT_FALSE(read);  // the basename did not change
  EXPECT_EQ(again, first);
  auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.entries, 1u);
}

TEST(HeaderCache, StaysUnderItsByteLimitDroppingTheLeastRecentlyUsed) {
  TempMaildir dir;
  auto folder = MailboxFolder::open(dir.root());
  ASSERT_TRUE(folder.ok());
  std::vector<uint32_t> uids;
  for (int i = 0; i < 40; ++i) uids.push_back(*(*folder)->append(with_subject(i, "s")));
  constexpr size_t kLimit = 8 * 1024;
  HeaderCache cache(kLimit);
  for (uint32_t uid : uids) ASSERT_NE(cache.get(**folder, *(*folder)->find(uid)), nullptr);
  auto stats = cache.stats();
  EXPECT_LE(stats.bytes, kLimit);
  EXPECT_GT(stats.evictions, 0u);
  EXPECT_LT(stats.entries, uids.size());
  // The most recent one is still there, the first one is gone.
  bool read = false;
  cache.get(**folder, *(*folder)->find(uids.back()), &read);
  EXPECT_FALSE(read);
  cache.get(**folder, *(*folder)->find(uids.front()), &read);
  EXPECT_TRUE(read);
}

TEST(HeaderCache, AHeaderOverTheBoundIsNotCached) {
  TempMaildir dir;
  auto folder = MailboxFolder::open(dir.root());
  ASSERT_TRUE(folder.ok());
  std::string big =
      "X-Big: " + std::string(kMaxCachedHeaderBlock, 'x') + "\r\n" + with_subject(1, "s");
  auto uid = (*folder)->append(big);
  ASSERT_TRUE(uid.ok());
  HeaderCache cache;
  EXPECT_EQ(cache.get(**folder, *(*folder)->find(*uid)), nullptr);
  EXPECT_EQ(cache.stats().entries, 0u);
}

}  // namespace
}  // namespace gm::mail
