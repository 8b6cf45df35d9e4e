// Two processes flag their own messages of one folder many times, so that
// gm-index.log is appended to by both and compacted more than once, while a
// third object (the parent's) follows along: every view ends up the same as
// a fresh open, and HIGHESTMODSEQ never goes back in any of them.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "mail/mailbox_folder.hpp"
#include "mailbox_test_support.hpp"

namespace gm::mail {
namespace {

using testing::message;
using testing::TempMaildir;

constexpr uint32_t kMessages = 6;
constexpr int kRounds = 300;  // ~170 bytes a batch: past the 64 KiB floor together

// Child c toggles \Seen on the messages with uid % 2 == c, then sets
// \Flagged on them. Exits non-zero on any error or a MODSEQ going back.
[[noreturn]] void flag_in_child(const std::string& dir, uint32_t parity) {
  auto folder = MailboxFolder::open(dir);
  if (!folder) _exit(2);
  const std::vector<std::string> none;
  uint64_t highest = (*folder)->highest_modseq();
  for (int i = 0; i < kRounds; ++i) {
    uint32_t uid = 1 + parity + 2 * static_cast<uint32_t>(i % (kMessages / 2));
    auto mode = (i / (kMessages / 2)) % 2 == 0 ? StoreMode::kAdd : StoreMode::kRemove;
    if (!(*folder)->store(std::vector<uint32_t>{uid}, mode, kSeen, none)) _exit(3);
    if (!(*folder)->sync()) _exit(4);
    if ((*folder)->highest_modseq() <= highest) _exit(5);
    highest = (*folder)->highest_modseq();
  }
  std::vector<uint32_t> mine;
  for (uint32_t uid = 1 + parity; uid <= kMessages; uid += 2) mine.push_back(uid);
  if (!(*folder)->store(mine, StoreMode::kAdd, kFlagged, none)) _exit(6);
  _exit(0);
}

TEST(IndexLogConcurrency, TwoWritersAndAFollowerAgreeWithAFreshOpen) {
  TempMaildir maildir;
  for (uint32_t i = 1; i <= kMessages; ++i) maildir.deliver(message(static_cast<int>(i)));
  auto follower = MailboxFolder::open(maildir.root());
  ASSERT_TRUE(follower.ok());
  pid_t children[2];
  for (uint32_t c = 0; c < 2; ++c) {
    children[c] = ::fork();
    ASSERT_GE(children[c], 0);
    if (children[c] == 0) flag_in_child(maildir.root(), c);
  }
  uint64_t highest = (*follower)->highest_modseq();
  bool running = true;
  while (running) {
    running = false;
    for (pid_t& child : children) {
      if (child == 0) continue;
      int status = 0;
      pid_t done = ::waitpid(child, &status, WNOHANG);
      if (done == child) {
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
        child = 0;
      } else {
        running = true;
      }
    }
    ASSERT_TRUE((*follower)->sync().ok());
    EXPECT_GE((*follower)->highest_modseq(), highest);
    highest = (*follower)->highest_modseq();
  }
  ASSERT_TRUE((*follower)->sync().ok());
  auto fresh = MailboxFolder::open(maildir.root());
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ((*follower)->highest_modseq(), (*fresh)->highest_modseq());
  ASSERT_EQ((*follower)->messages().size(), kMessages);
  ASSERT_EQ((*fresh)->messages().size(), kMessages);
  for (size_t i = 0; i < kMessages; ++i) {
    const MessageRecord& a = (*follower)->messages()[i];
    const MessageRecord& b = (*fresh)->messages()[i];
    EXPECT_EQ(a.uid, b.uid);
    EXPECT_EQ(a.modseq, b.modseq);
    EXPECT_EQ(a.filename, b.filename);
    EXPECT_TRUE(b.flags & kFlagged) << b.uid;
  }
}

}  // namespace
}  // namespace gm::mail
