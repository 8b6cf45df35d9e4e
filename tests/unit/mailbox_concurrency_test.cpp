// Two processes on one folder: UIDs are handed out under flock, so they
// never collide, while mda keeps delivering into new/.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <set>

#include "mail/mailbox_folder.hpp"
#include "mailbox_test_support.hpp"

namespace gm::mail {
namespace {

using testing::message;
using testing::TempMaildir;

constexpr int kPerProcess = 40;

// Child: appends (and syncs, picking up deliveries) and writes each UID it
// got to the pipe. Exits non-zero on any error.
[[noreturn]] void append_in_child(const std::string& dir, int pipe_fd, int child) {
  auto folder = MailboxFolder::open(dir);
  if (!folder) _exit(2);
  for (int i = 0; i < kPerProcess; ++i) {
    auto uid = (*folder)->append(message(child * 1000 + i));
    if (!uid) _exit(3);
    if (::write(pipe_fd, &*uid, sizeof *uid) != sizeof *uid) _exit(4);
    if (!(*folder)->sync()) _exit(5);
  }
  _exit(0);
}

TEST(MailboxConcurrency, TwoProcessesNeverHandOutTheSameUid) {
  TempMaildir maildir;
  maildir.deliver(message(0));
  { ASSERT_TRUE(MailboxFolder::open(maildir.root()).ok()); }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t children[2];
  for (int c = 0; c < 2; ++c) {
    children[c] = ::fork();
    ASSERT_GE(children[c], 0);
    if (children[c] == 0) {
      ::close(fds[0]);
      append_in_child(maildir.root(), fds[1], c + 1);
    }
  }
  ::close(fds[1]);
  // Meanwhile mda delivers.
  for (int i = 0; i < 20; ++i) maildir.deliver(message(500 + i));
  std::multiset<uint32_t> appended;
  uint32_t uid;
  while (::read(fds[0], &uid, sizeof uid) == sizeof uid) appended.insert(uid);
  ::close(fds[0]);
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  ASSERT_EQ(appended.size(), 2u * kPerProcess);
  EXPECT_EQ(std::set<uint32_t>(appended.begin(), appended.end()).size(), appended.size());

  auto folder = MailboxFolder::open(maildir.root());
  ASSERT_TRUE(folder.ok());
  std::set<uint32_t> all;
  for (const MessageRecord& m : (*folder)->messages()) all.insert(m.uid);
  EXPECT_EQ(all.size(), 1u + 20u + 2u * kPerProcess);
  EXPECT_EQ((*folder)->messages().size(), all.size());
  for (uint32_t u : appended) EXPECT_TRUE(all.count(u)) << u;
  EXPECT_EQ(*all.rbegin(), (*folder)->uid_next() - 1);
}

}  // namespace
}  // namespace gm::mail
