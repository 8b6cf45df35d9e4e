#include "mail/mailbox_store.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "mail/mailbox_folder.hpp"
#include "mailbox_test_support.hpp"

namespace gm::mail {
namespace {

namespace fs = std::filesystem;
using testing::TempMaildir;

std::vector<std::string> names_of(const MailboxStore& store) {
  auto list = store.list();
  EXPECT_TRUE(list.ok());
  std::vector<std::string> out;
  if (list)
    for (const FolderInfo& info : *list) out.push_back(info.name);
  return out;
}

const FolderInfo* info_of(const std::vector<FolderInfo>& list, std::string_view name) {
  for (const FolderInfo& info : list)
    if (info.name == name) return &info;
  return nullptr;
}

TEST(MailboxStore, ListsInboxFirstAndSpecialUseFolders) {
  TempMaildir maildir;
  MailboxStore store(maildir.root());
  EXPECT_EQ(names_of(store),
            (std::vector<std::string>{"INBOX", "Drafts", "Junk", "Sent", "Trash"}));
  auto list = store.list();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(info_of(*list, "Sent")->special_use, SpecialUse::kSent);
  EXPECT_EQ(special_use_attribute(info_of(*list, "Trash")->special_use), "\\Trash");
  EXPECT_EQ(info_of(*list, "INBOX")->special_use, SpecialUse::kNone);
}

TEST(MailboxStore, CreateMakesParentsAndRefusesDuplicates) {
  TempMaildir maildir;
  MailboxStore store(maildir.root());
  ASSERT_TRUE(store.create("Archive/2024/Q1").ok());
  EXPECT_TRUE(fs::exists(maildir.root() + "/.Archive.2024.Q1/cur"));
  EXPECT_TRUE(fs::exists(maildir.root() + "/.Archive.2024.Q1/maildirfolder"));
  EXPECT_TRUE(fs::exists(maildir.root() + "/.Archive/cur"));
  EXPECT_FALSE(store.create("Archive/2024").ok());
  EXPECT_FALSE(store.create("INBOX").ok());
  EXPECT_FALSE(store.create("../escape").ok());
  EXPECT_FALSE(store.create("a.b").ok());
  auto list = store.list();
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(info_of(*list, "Archive")->has_children);
  EXPECT_FALSE(info_of(*list, "Archive/2024/Q1")->has_children);
  EXPECT_FALSE(info_of(*list, "Sent")->has_children);
}

TEST(MailboxStore, ImpliedParentsAreListedAsNonExistent) {
  TempMaildir maildir;
  fs::create_directories(maildir.root() + "/.Lists.gm/cur");  // made by another program
  MailboxStore store(maildir.root());
  auto list = store.list();
  ASSERT_TRUE(list.ok());
  ASSERT_NE(info_of(*list, "Lists"), nullptr);
  EXPECT_TRUE(info_of(*list, "Lists")->non_existent);
  EXPECT_TRUE(info_of(*list, "Lists")->has_children);
  EXPECT_FALSE(info_of(*list, "Lists/gm")->non_existent);
}

TEST(MailboxStore, RenameMovesChildrenAndKeepsMessages) {
  TempMaildir maildir;
  MailboxStore store(maildir.root());
  ASSERT_TRUE(store.create("Work/Projects").ok());
  maildir.deliver(testing::message(1), "Work");
  ASSERT_TRUE(store.rename("Work", "Old/Work").ok());
  EXPECT_FALSE(store.exists("Work"));
  EXPECT_TRUE(store.exists("Old/Work"));
  EXPECT_TRUE(store.exists("Old/Work/Projects"));
  EXPECT_TRUE(store.exists("Old"));
  auto folder = MailboxFolder::open(*store.folder_dir("Old/Work"));
  ASSERT_TRUE(folder.ok());
  EXPECT_EQ((*folder)->messages().size(), 1u);
  EXPECT_FALSE(store.rename("INBOX", "X").ok());
  EXPECT_FALSE(store.rename("Old", "Old/Inner").ok());
  EXPECT_FALSE(store.rename("Sent", "Drafts").ok());
}

TEST(MailboxStore, DeleteRemovesFolderButNotInboxOrParents) {
  TempMaildir maildir;
  MailboxStore store(maildir.root());
  ASSERT_TRUE(store.create("A/B").ok());
  EXPECT_FALSE(store.remove("INBOX").ok());
  EXPECT_FALSE(store.remove("A").ok());  // has children
  EXPECT_TRUE(store.remove("A/B").ok());
  EXPECT_TRUE(store.remove("A").ok());
  EXPECT_FALSE(store.remove("A").ok());
  EXPECT_EQ(names_of(store),
            (std::vector<std::string>{"INBOX", "Drafts", "Junk", "Sent", "Trash"}));
  for (const auto& entry : fs::directory_iterator(maildir.root()))
    EXPECT_FALSE(entry.path().filename().string().starts_with("..")) << entry.path();
}

TEST(MailboxStore, SubscriptionsRoundTrip) {
  TempMaildir maildir;
  MailboxStore store(maildir.root());
  EXPECT_TRUE(store.subscriptions()->empty());
  ASSERT_TRUE(store.subscribe("Sent").ok());
  ASSERT_TRUE(store.subscribe("inbox").ok());
  ASSERT_TRUE(store.subscribe("Sent").ok());
  EXPECT_EQ(*store.subscriptions(), (std::vector<std::string>{"Sent", "INBOX"}));
  ASSERT_TRUE(store.unsubscribe("Sent").ok());
  EXPECT_FALSE(store.unsubscribe("Sent").ok());
  EXPECT_FALSE(store.subscribe("a/../b").ok());
  EXPECT_EQ(*store.subscriptions(), (std::vector<std::string>{"INBOX"}));
}

TEST(MailboxStore, FolderDirRefusesEscapes) {
  TempMaildir maildir;
  MailboxStore store(maildir.root());
  EXPECT_EQ(*store.folder_dir("INBOX"), maildir.root());
  EXPECT_EQ(*store.folder_dir("Sent"), maildir.root() + "/.Sent");
  EXPECT_FALSE(store.folder_dir("..").ok());
  EXPECT_FALSE(store.folder_dir("/etc").ok());
  EXPECT_FALSE(store.folder_dir(std::string("Sent\0/../x", 10)).ok());
}

}  // namespace
}  // namespace gm::mail
