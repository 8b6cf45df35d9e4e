#include "mail/mailbox_name.hpp"

#include <gtest/gtest.h>

namespace gm::mail {
namespace {

std::string dir_of(std::string_view name) {
  auto dir = mailbox_dir_name(name);
  return dir.ok() ? *dir : "ERROR";
}

TEST(MailboxName, MapsHierarchySeparatorToMaildirDots) {
  EXPECT_EQ(dir_of("Sent"), ".Sent");
  EXPECT_EQ(dir_of("Archive/2024/Q1"), ".Archive.2024.Q1");
}

TEST(MailboxName, InboxIsTheRootInAnyCase) {
  EXPECT_EQ(dir_of("INBOX"), "");
  EXPECT_EQ(dir_of("iNbOx"), "");
  EXPECT_EQ(dir_of("inbox/Lists"), ".INBOX.Lists");
  EXPECT_EQ(*normalize_mailbox_name("Inbox/x"), "INBOX/x");
  EXPECT_EQ(*normalize_mailbox_name("Sent/inbox"), "Sent/inbox");
}

TEST(MailboxName, AcceptsUtf8) {
  EXPECT_EQ(dir_of("Entwürfe/日本"), ".Entwürfe.日本");
  EXPECT_EQ(*mailbox_name_from_dir(".Entwürfe.日本"), "Entwürfe/日本");
}

TEST(MailboxName, RefusesEscapesAndSeparators) {
  const std::string refused[] = {"",
                                 "..",
                                 "../x",
                                 "a/../b",
                                 "/abs",
                                 "a/",
                                 "a//b",
                                 ".hidden",
                                 "a.b",
                                 "a/./b",
                                 "x/..",
                                 "a\\057b",
                                 "a\\b",
                                 "a*",
                                 "a%",
                                 "tab\there",
                                 "del\x7f",
                                 "\xc0\xaf",
                                 "a\xc0\xaf"
                                 "b",
                                 "\xe0\x80\xaf",
                                 "\xed\xa0\x80",
                                 "\xff",
                                 "\xe2\x82",
                                 "\xf4\x90\x80\x80",
                                 std::string("a\0b", 3)};
  for (const std::string& name : refused) {
    EXPECT_FALSE(mailbox_dir_name(name).ok()) << "accepted: " << name;
    EXPECT_FALSE(normalize_mailbox_name(name).ok()) << "accepted: " << name;
  }
}

TEST(MailboxName, RefusesTooLongAndTooDeep) {
  EXPECT_FALSE(mailbox_dir_name(std::string(kMaxMailboxName + 1, 'a')).ok());
  EXPECT_TRUE(mailbox_dir_name(std::string(kMaxMailboxName, 'a')).ok());
  std::string deep = "a";
  for (size_t i = 0; i < kMaxMailboxDepth; ++i) deep += "/a";
  EXPECT_FALSE(mailbox_dir_name(deep).ok());
}

TEST(MailboxName, FromDirSkipsEntriesThatAreNotFolders) {
  for (std::string_view entry :
       {".", "..", "cur", "new", "..gm-deleted.1", ".a..b", ".a.", ".INBOX", ".x\\057y"})
    EXPECT_FALSE(mailbox_name_from_dir(entry).ok()) << entry;
  EXPECT_EQ(*mailbox_name_from_dir(".INBOX.Lists"), "INBOX/Lists");
  EXPECT_EQ(*mailbox_name_from_dir(".Sent"), "Sent");
}

}  // namespace
}  // namespace gm::mail
