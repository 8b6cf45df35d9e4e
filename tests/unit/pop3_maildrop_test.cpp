// Pop3Maildrop over MailboxFolder: the listing, UIDLs, wire sizes, the
// lock, and QUIT's deletions as expunges an IMAP view of the folder sees.
#include "pop3_maildrop.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "mail/mailbox_folder.hpp"
#include "mailbox_test_support.hpp"

namespace gm::maa {
namespace {

using mail::testing::TempMaildir;

std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  ssize_t got;
  while ((got = ::read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, size_t(got));
  return out;
}

std::string base_name(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  return name.substr(0, name.find(':'));
}

TEST(Pop3Maildrop, ListsOldestFirstWithBaseNameUidlsAndCrlfSizes) {
  TempMaildir dir;
  std::string first = dir.deliver("Subject: a\r\n\r\none\r\n");
  std::string second = dir.deliver("Subject: b\n\nbare lf\n");  // 3 bare LFs: 3 more octets
  auto drop = Pop3Maildrop::open(dir.root());
  ASSERT_TRUE(drop.ok()) << drop.error().message;
  auto messages = drop->messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_NE(messages[0].uid, messages[1].uid);
  EXPECT_EQ(messages[0].uidl, base_name(first));
  EXPECT_EQ(messages[1].uidl, base_name(second));
  EXPECT_EQ(messages[0].size, 19u);
  EXPECT_EQ(messages[1].size, 20u + 3u);
  auto fd = drop->open_message(messages[1]);
  ASSERT_TRUE(fd.ok());
  EXPECT_EQ(read_all(fd->get()), "Subject: b\n\nbare lf\n");
}

TEST(Pop3Maildrop, SecondOpenIsLockedUntilTheFirstEnds) {
  TempMaildir dir;
  {
    auto drop = Pop3Maildrop::open(dir.root());
    ASSERT_TRUE(drop.ok());
    auto second = Pop3Maildrop::open(dir.root());
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().code, Pop3Maildrop::kLockedCode);
  }  // the first maildrop and its lock end here
  EXPECT_TRUE(Pop3Maildrop::open(dir.root()).ok());
}

TEST(Pop3Maildrop, UidlsStayTheSameAfterAnImapFlagRename) {
  TempMaildir dir;
  dir.deliver(mail::testing::message(1));
  std::string before;
  {
    auto drop = Pop3Maildrop::open(dir.root());
    ASSERT_TRUE(drop.ok());
    before = drop->messages()[0].uidl;
  }
  auto folder = mail::MailboxFolder::open(dir.root());
  ASSERT_TRUE(folder.ok());
  uint32_t uid = (*folder)->messages()[0].uid;
  ASSERT_TRUE((*folder)->store({&uid, 1}, mail::StoreMode::kAdd, mail::kSeen, {}).ok());
  auto drop = Pop3Maildrop::open(dir.root());
  ASSERT_TRUE(drop.ok());
  EXPECT_EQ(drop->messages()[0].uidl, before);
  EXPECT_EQ(drop->messages()[0].uid, uid);
}

TEST(Pop3Maildrop, CommitExpungesThroughTheIndexSoImapSeesKnownUidsVanish) {
  TempMaildir dir;
  for (int i = 0; i < 3; ++i) dir.deliver(mail::testing::message(i));
  auto imap = mail::MailboxFolder::open(dir.root());
  ASSERT_TRUE(imap.ok());
  uint64_t modseq = (*imap)->highest_modseq();
  uint32_t deleted_uid = 0;
  {
    auto drop = Pop3Maildrop::open(dir.root());
    ASSERT_TRUE(drop.ok());
    // IMAP renames the file (a flag) while POP3 holds its listing.
    uint32_t renamed = drop->messages()[1].uid;
    ASSERT_TRUE((*imap)->store({&renamed, 1}, mail::StoreMode::kAdd, mail::kFlagged, {}).ok());
    drop->messages()[1].deleted = true;
    deleted_uid = drop->messages()[1].uid;
    auto removed = drop->commit();
    ASSERT_TRUE(removed.ok()) << removed.error().message;
    EXPECT_EQ(*removed, 1u);
  }
  auto changes = (*imap)->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->expunged, std::vector<uint32_t>{deleted_uid});
  auto vanished = (*imap)->vanished_since(modseq);
  ASSERT_TRUE(vanished.has_value());
  ASSERT_EQ(vanished->size(), 1u);
  EXPECT_EQ((*vanished)[0].uid, deleted_uid);
  EXPECT_EQ((*imap)->messages().size(), 2u);
}

TEST(Pop3Maildrop, CommitWithNothingDeletedKeepsEveryMessage) {
  TempMaildir dir;
  dir.deliver(mail::testing::message(1));
  {
    auto drop = Pop3Maildrop::open(dir.root());
    ASSERT_TRUE(drop.ok());
    auto removed = drop->commit();
    ASSERT_TRUE(removed.ok());
    EXPECT_EQ(*removed, 0u);
  }
  auto drop = Pop3Maildrop::open(dir.root());
  ASSERT_TRUE(drop.ok());
  EXPECT_EQ(drop->messages().size(), 1u);
}

}  // namespace
}  // namespace gm::maa
