#include "mail/mailbox_folder.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "core/durable_file.hpp"
#include "mailbox_test_support.hpp"

namespace gm::mail {
namespace {

namespace fs = std::filesystem;
using testing::message;
using testing::TempMaildir;

std::unique_ptr<MailboxFolder> open_folder(const std::string& dir) {
  auto folder = MailboxFolder::open(dir);
  EXPECT_TRUE(folder.ok()) << (folder.ok() ? "" : folder.error().message);
  return folder.ok() ? std::move(*folder) : nullptr;
}

std::vector<uint32_t> uids_of(const MailboxFolder& folder) {
  std::vector<uint32_t> out;
  for (const MessageRecord& m : folder.messages()) out.push_back(m.uid);
  return out;
}

std::string read_all(int fd) {
  std::string out;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(n));
  return out;
}

const std::vector<std::string> kNoKeywords;

TEST(MailboxFolder, DeliveredMessagesGetAscendingUidsAndMoveToCur) {
  TempMaildir maildir;
  for (int i = 1; i <= 3; ++i) maildir.deliver(message(i));
  auto folder = open_folder(maildir.root());
  ASSERT_TRUE(folder);
  EXPECT_EQ(uids_of(*folder), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(folder->uid_next(), 4u);
  EXPECT_NE(folder->uid_validity(), 0u);
  EXPECT_TRUE(fs::is_empty(maildir.root() + "/new"));
  const MessageRecord& first = folder->messages()[0];
  EXPECT_EQ(first.size, message(1).size());
  EXPECT_TRUE(first.filename.ends_with(":2,"));
  auto fd = folder->open_message(1);
  ASSERT_TRUE(fd.ok());
  EXPECT_EQ(read_all(fd->get()), message(1));
}

TEST(MailboxFolder, UidsAreStableAcrossOpens) {
  TempMaildir maildir;
  maildir.deliver(message(1));
  maildir.deliver(message(2));
  uint32_t validity = 0;
  {
    auto folder = open_folder(maildir.root());
    validity = folder->uid_validity();
    ASSERT_TRUE(folder->expunge(std::vector<uint32_t>{2}).ok());
  }
  maildir.deliver(message(3));
  auto again = open_folder(maildir.root());
  EXPECT_EQ(again->uid_validity(), validity);
  // UID 2 was expunged: never handed out again.
  EXPECT_EQ(uids_of(*again), (std::vector<uint32_t>{1, 3}));
}

TEST(MailboxFolder, SyncReportsDeliveriesAndNothingWhenUnchanged) {
  TempMaildir maildir;
  auto folder = open_folder(maildir.root());
  auto none = folder->sync();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  maildir.deliver(message(1));
  maildir.deliver(message(2));
  auto changes = folder->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->added, 2u);
  EXPECT_EQ(uids_of(*folder), (std::vector<uint32_t>{1, 2}));
  auto after = folder->sync();
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
}

TEST(MailboxFolder, FlagsAndKeywordsRoundTripThroughFileNames) {
  TempMaildir maildir;
  maildir.deliver(message(1));
  auto folder = open_folder(maildir.root());
  std::vector<std::string> keywords = {"$Junk", "Work"};
  auto modified = folder->store(std::vector<uint32_t>{1}, StoreMode::kReplace,
                                kSeen | kFlagged | kDeleted, keywords);
  ASSERT_TRUE(modified.ok());
  EXPECT_TRUE(modified->empty());
  const MessageRecord& m = folder->messages()[0];
  EXPECT_TRUE(m.filename.ends_with(":2,FSTab")) << m.filename;
  EXPECT_TRUE(fs::exists(maildir.root() + "/cur/" + m.filename));
  auto keywords_file = core::read_file(maildir.root() + "/dovecot-keywords", 1000);
  ASSERT_TRUE(keywords_file.ok());
  EXPECT_EQ(*keywords_file, "0 $Junk\n1 Work\n");

  auto reopened = open_folder(maildir.root());
  const MessageRecord& r = reopened->messages()[0];
  EXPECT_EQ(r.flags, kSeen | kFlagged | kDeleted);
  EXPECT_EQ(reopened->keywords_of(r), keywords);
  // Keywords are case-insensitive; removing one keeps the others.
  ASSERT_TRUE(reopened
                  ->store(std::vector<uint32_t>{1}, StoreMode::kRemove, kDeleted,
                          std::vector<std::string>{"work"})
                  .ok());
  EXPECT_TRUE(reopened->messages()[0].filename.ends_with(":2,FSa"));
  EXPECT_EQ(reopened->messages()[0].flags, kSeen | kFlagged);
}

TEST(MailboxFolder, StoreBumpsModseqOnlyWhenFlagsChange) {
  TempMaildir maildir;
  maildir.deliver(message(1));
  maildir.deliver(message(2));
  auto folder = open_folder(maildir.root());
  uint64_t before = folder->highest_modseq();
  uint64_t second = folder->messages()[1].modseq;
  ASSERT_TRUE(folder->store(std::vector<uint32_t>{1}, StoreMode::kAdd, kSeen, kNoKeywords).ok());
  EXPECT_EQ(folder->highest_modseq(), before + 1);
  EXPECT_EQ(folder->messages()[0].modseq, before + 1);
  EXPECT_EQ(folder->messages()[1].modseq, second);
  ASSERT_TRUE(folder->store(std::vector<uint32_t>{1}, StoreMode::kAdd, kSeen, kNoKeywords).ok());
  EXPECT_EQ(folder->highest_modseq(), before + 1);  // no change, no new MODSEQ
}

TEST(MailboxFolder, StoreUnchangedSinceLeavesNewerMessagesAlone) {
  TempMaildir maildir;
  maildir.deliver(message(1));
  maildir.deliver(message(2));
  auto folder = open_folder(maildir.root());
  uint64_t base = folder->highest_modseq();
  ASSERT_TRUE(folder->store(std::vector<uint32_t>{2}, StoreMode::kAdd, kSeen, kNoKeywords).ok());
  auto modified =
      folder->store(std::vector<uint32_t>{1, 2}, StoreMode::kAdd, kFlagged, kNoKeywords, base);
  ASSERT_TRUE(modified.ok());
  EXPECT_EQ(*modified, (std::vector<uint32_t>{2}));
  EXPECT_EQ(folder->messages()[0].flags, kFlagged);
  EXPECT_EQ(folder->messages()[1].flags, kSeen);
}

TEST(MailboxFolder, ExpungeRemovesFilesAndRemembersVanishedUids) {
  TempMaildir maildir;
  for (int i = 1; i <= 3; ++i) maildir.deliver(message(i));
  auto folder = open_folder(maildir.root());
  uint64_t before = folder->highest_modseq();
  std::string path = folder->path_of(2);
  ASSERT_TRUE(folder->expunge(std::vector<uint32_t>{2, 99}).ok());
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(uids_of(*folder), (std::vector<uint32_t>{1, 3}));
  auto vanished = folder->vanished_since(before);
  ASSERT_TRUE(vanished.has_value());
  ASSERT_EQ(vanished->size(), 1u);
  EXPECT_EQ((*vanished)[0].uid, 2u);
  EXPECT_GT((*vanished)[0].modseq, before);
  EXPECT_TRUE(folder->vanished_since(folder->highest_modseq())->empty());
  auto reopened = open_folder(maildir.root());
  ASSERT_TRUE(reopened->vanished_since(before).has_value());
  EXPECT_EQ(reopened->vanished_since(before)->size(), 1u);
}

TEST(MailboxFolder, OtherSessionsChangesAreReportedButNotOwnOnes) {
  TempMaildir maildir;
  for (int i = 1; i <= 3; ++i) maildir.deliver(message(i));
  auto a = open_folder(maildir.root());
  auto b = open_folder(maildir.root());
  ASSERT_TRUE(a->store(std::vector<uint32_t>{1}, StoreMode::kAdd, kSeen, kNoKeywords).ok());
  ASSERT_TRUE(a->expunge(std::vector<uint32_t>{3}).ok());
  ASSERT_TRUE(a->append("Subject: appended\r\n\r\nx\r\n").ok());
  auto own = a->sync();
  ASSERT_TRUE(own.ok());
  EXPECT_TRUE(own->empty());
  auto seen = b->sync();
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->flags_changed, (std::vector<uint32_t>{1}));
  EXPECT_EQ(seen->expunged, (std::vector<uint32_t>{3}));
  EXPECT_EQ(seen->added, 1u);
  EXPECT_EQ(uids_of(*b), (std::vector<uint32_t>{1, 2, 4}));
  EXPECT_EQ(b->messages()[0].flags, kSeen);
}

TEST(MailboxFolder, NoticesFlagChangesByOtherMaildirPrograms) {
  TempMaildir maildir;
  maildir.deliver(message(1));
  auto folder = open_folder(maildir.root());
  std::string old_path = folder->path_of(1);
  // mutt marks the message read: a rename within cur/.
  ASSERT_EQ(::rename(old_path.c_str(), (old_path + "S").c_str()), 0);
  auto changes = folder->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->flags_changed, (std::vector<uint32_t>{1}));
  EXPECT_EQ(folder->messages()[0].flags, kSeen);
  // And a removal is an expunge.
  ASSERT_EQ(::unlink(folder->path_of(1).c_str()), 0);
  changes = folder->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->expunged, (std::vector<uint32_t>{1}));
}

TEST(MailboxFolder, OpenMessageFindsAFileRenamedByAnotherSession) {
  TempMaildir maildir;
  maildir.deliver(message(1));
  auto a = open_folder(maildir.root());
  auto b = open_folder(maildir.root());
  ASSERT_TRUE(a->store(std::vector<uint32_t>{1}, StoreMode::kAdd, kFlagged, kNoKeywords).ok());
  auto fd = b->open_message(1);  // b still has the old name
  ASSERT_TRUE(fd.ok());
  EXPECT_EQ(read_all(fd->get()), message(1));
}

TEST(MailboxFolder, SizeComesFromStatWhenTheNameHasNone) {
  TempMaildir maildir;
  std::string content = "Subject: no size\r\n\r\n12345\r\n";
  std::ofstream(maildir.root() + "/new/1700000000.M1P1.other") << content;
  auto folder = open_folder(maildir.root());
  ASSERT_EQ(folder->messages().size(), 1u);
  EXPECT_EQ(folder->messages()[0].size, content.size());
}

TEST(MailboxFolder, AppendSetsFlagsInternalDateAndUid) {
  TempMaildir maildir;
  auto folder = open_folder(maildir.folder("Sent"));
  std::string content = "Subject: sent\r\n\r\nhello\r\n";
  auto uid =
      folder->append(content, kSeen | kDraft, std::vector<std::string>{"$Forwarded"}, 1600000000);
  ASSERT_TRUE(uid.ok()) << uid.error().message;
  EXPECT_EQ(*uid, 1u);
  const MessageRecord* m = folder->find(1);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->internal_date, 1600000000);
  EXPECT_EQ(m->size, content.size());
  EXPECT_EQ(m->flags, kSeen | kDraft);
  EXPECT_TRUE(m->filename.ends_with(",S=" + std::to_string(content.size()) + ":2,DSa"));
  EXPECT_TRUE(fs::is_empty(maildir.folder("Sent") + "/tmp"));
  struct stat st {};
  ASSERT_EQ(::stat(folder->path_of(1).c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1600000000);
}

TEST(MailboxFolder, DroppedAppendLeavesNothingBehind) {
  TempMaildir maildir;
  auto folder = open_folder(maildir.root());
  {
    auto append = folder->begin_append();
    ASSERT_TRUE(append.ok());
    ASSERT_TRUE(append->write("partial").ok());
  }
  EXPECT_TRUE(fs::is_empty(maildir.root() + "/tmp"));
  ASSERT_TRUE(folder->sync().ok());
  EXPECT_TRUE(folder->messages().empty());
}

TEST(MailboxFolder, CopyKeepsFlagsKeywordsAndDateWithNewUids) {
  TempMaildir maildir;
  maildir.deliver(message(1));
  maildir.deliver(message(2));
  auto inbox = open_folder(maildir.root());
  auto trash = open_folder(maildir.folder("Trash"));
  // Trash already knows another keyword, so the letters differ.
  ASSERT_TRUE(trash->append("x\r\n", 0, std::vector<std::string>{"Other"}).ok());
  ASSERT_TRUE(inbox
                  ->store(std::vector<uint32_t>{2}, StoreMode::kAdd, kAnswered,
                          std::vector<std::string>{"Work"})
                  .ok());
  auto copied = inbox->copy_to(*trash, std::vector<uint32_t>{2, 1, 77});
  ASSERT_TRUE(copied.ok()) << copied.error().message;
  EXPECT_EQ(*copied, (std::vector<uint32_t>{2, 3}));
  const MessageRecord* m = trash->find(2);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->flags, kAnswered);
  EXPECT_EQ(trash->keywords_of(*m), (std::vector<std::string>{"Work"}));
  EXPECT_TRUE(m->filename.ends_with(":2,Rb"));
  EXPECT_EQ(m->internal_date, inbox->find(2)->internal_date);
  auto fd = trash->open_message(3);
  ASSERT_TRUE(fd.ok());
  EXPECT_EQ(read_all(fd->get()), message(1));
  // The source is untouched.
  EXPECT_EQ(uids_of(*inbox), (std::vector<uint32_t>{1, 2}));
}

TEST(MailboxFolder, DeletedIndexIsRebuiltKeepingUids) {
  TempMaildir maildir;
  for (int i = 1; i <= 4; ++i) maildir.deliver(message(i));
  uint32_t validity;
  uint64_t modseq;
  {
    auto folder = open_folder(maildir.root());
    ASSERT_TRUE(folder->expunge(std::vector<uint32_t>{1}).ok());
    ASSERT_TRUE(folder->store(std::vector<uint32_t>{3}, StoreMode::kAdd, kSeen, kNoKeywords).ok());
    validity = folder->uid_validity();
    modseq = folder->highest_modseq();
  }
  ASSERT_TRUE(fs::remove(maildir.root() + "/gm-index"));
  maildir.deliver(message(5));
  auto folder = open_folder(maildir.root());
  EXPECT_EQ(folder->uid_validity(), validity);
  EXPECT_EQ(uids_of(*folder), (std::vector<uint32_t>{2, 3, 4, 5}));
  EXPECT_EQ(folder->find(3)->flags, kSeen);
  EXPECT_GT(folder->highest_modseq(), modseq);
  for (const MessageRecord& m : folder->messages()) EXPECT_GT(m.modseq, modseq);
  // The expunged list did not survive: QRESYNC clients from before must resync.
  EXPECT_FALSE(folder->vanished_since(modseq).has_value());
}

TEST(MailboxFolder, CorruptIndexIsRebuiltKeepingUids) {
  TempMaildir maildir;
  for (int i = 1; i <= 3; ++i) maildir.deliver(message(i));
  uint32_t validity;
  {
    auto folder = open_folder(maildir.root());
    ASSERT_TRUE(folder->expunge(std::vector<uint32_t>{2}).ok());
    validity = folder->uid_validity();
  }
  std::string index_path = maildir.root() + "/gm-index";
  auto text = core::read_file(index_path, 1 << 20);
  ASSERT_TRUE(text.ok());
  // Torn write: the file ends in the middle of a record.
  ASSERT_TRUE(core::write_file_durably(index_path, text->substr(0, text->size() / 2)).ok());
  auto folder = open_folder(maildir.root());
  EXPECT_EQ(folder->uid_validity(), validity);
  EXPECT_EQ(uids_of(*folder), (std::vector<uint32_t>{1, 3}));
  // Garbage.
  ASSERT_TRUE(core::write_file_durably(index_path, "GMINDEX 1 x\n\x01\x02").ok());
  auto again = open_folder(maildir.root());
  EXPECT_EQ(uids_of(*again), (std::vector<uint32_t>{1, 3}));
}

TEST(MailboxFolder, LostUidListIsRebuiltFromTheIndex) {
  TempMaildir maildir;
  for (int i = 1; i <= 3; ++i) maildir.deliver(message(i));
  uint32_t validity;
  {
    auto folder = open_folder(maildir.root());
    ASSERT_TRUE(folder->expunge(std::vector<uint32_t>{3}).ok());
    validity = folder->uid_validity();
  }
  ASSERT_TRUE(fs::remove(maildir.root() + "/gm-uids"));
  maildir.deliver(message(4));
  auto folder = open_folder(maildir.root());
  EXPECT_EQ(folder->uid_validity(), validity);
  EXPECT_EQ(uids_of(*folder), (std::vector<uint32_t>{1, 2, 4}));  // 3 is not reused
  // And gm-uids is back, so losing the index now still keeps the UIDs.
  ASSERT_TRUE(fs::remove(maildir.root() + "/gm-index"));
  auto again = open_folder(maildir.root());
  EXPECT_EQ(again->uid_validity(), validity);
  EXPECT_EQ(uids_of(*again), (std::vector<uint32_t>{1, 2, 4}));
}

TEST(MailboxFolder, LosingIndexAndUidListGivesANewUidValidity) {
  TempMaildir maildir;
  for (int i = 1; i <= 2; ++i) maildir.deliver(message(i));
  uint32_t validity;
  {
    auto folder = open_folder(maildir.root());
    validity = folder->uid_validity();
  }
  // UIDVALIDITY is in seconds: make sure a second has passed.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_TRUE(fs::remove(maildir.root() + "/gm-index"));
  ASSERT_TRUE(fs::remove(maildir.root() + "/gm-uids"));
  auto folder = open_folder(maildir.root());
  EXPECT_GT(folder->uid_validity(), validity);
  EXPECT_EQ(uids_of(*folder), (std::vector<uint32_t>{1, 2}));
}

TEST(MailboxFolder, OpenSessionLearnsOfANewUidValidity) {
  TempMaildir maildir;
  maildir.deliver(message(1));
  auto folder = open_folder(maildir.root());
  uint32_t validity = folder->uid_validity();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_TRUE(fs::remove(maildir.root() + "/gm-index"));
  ASSERT_TRUE(fs::remove(maildir.root() + "/gm-uids"));
  auto changes = folder->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_TRUE(changes->uid_validity_changed);
  EXPECT_GT(folder->uid_validity(), validity);
}

TEST(MailboxFolder, IndexOfAnotherUidValidityYieldsToTheUidList) {
  TempMaildir maildir;
  maildir.deliver(message(1));
  maildir.deliver(message(2));
  uint32_t validity;
  {
    auto folder = open_folder(maildir.root());
    validity = folder->uid_validity();
  }
  // gm-uids now says another UIDVALIDITY with other UIDs: it wins over the cache.
  auto uids = core::read_file(maildir.root() + "/gm-uids", 1 << 20);
  ASSERT_TRUE(uids.ok());
  std::string rewritten = "GMUIDS 1 " + std::to_string(validity + 5) + " 20\n";
  std::string_view rest = std::string_view(*uids).substr(uids->find('\n') + 1);
  uint32_t uid = 10;
  while (!rest.empty()) {
    size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rewritten += std::to_string(uid++) + std::string(line.substr(line.find(' '))) + "\n";
    rest.remove_prefix(eol + 1);
  }
  ASSERT_TRUE(core::write_file_durably(maildir.root() + "/gm-uids", rewritten).ok());
  auto folder = open_folder(maildir.root());
  EXPECT_EQ(folder->uid_validity(), validity + 5);
  EXPECT_EQ(uids_of(*folder), (std::vector<uint32_t>{10, 11}));
  EXPECT_EQ(folder->uid_next(), 20u);
}

TEST(MailboxFolder, CrashedWriterUidsAreNotReused) {
  // A writer appended to gm-uids and linked its file, then died before
  // writing gm-index: the next writer must keep that UID.
  TempMaildir maildir;
  maildir.deliver(message(1));
  { auto folder = open_folder(maildir.root()); }
  std::string name = "1700000001.M2P3.crashed,S=3";
  std::ofstream(maildir.root() + "/cur/" + name + ":2,") << "x\r\n";
  std::ofstream(maildir.root() + "/gm-uids", std::ios::app) << "2 " << name << "\n";
  auto folder = open_folder(maildir.root());
  EXPECT_EQ(uids_of(*folder), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(folder->messages()[1].filename, name + ":2,");
  maildir.deliver(message(3));
  ASSERT_TRUE(folder->sync().ok());
  EXPECT_EQ(uids_of(*folder), (std::vector<uint32_t>{1, 2, 3}));
}

TEST(MailboxFolder, QuotaFileFollowsAppendAndExpunge) {
  TempMaildir maildir;
  ASSERT_TRUE(core::write_file_durably(maildir.root() + "/maildirsize", "1000000S\n").ok());
  auto sent = open_folder(maildir.folder("Sent"));
  auto uid = sent->append("12345");
  ASSERT_TRUE(uid.ok());
  ASSERT_TRUE(sent->expunge(std::vector<uint32_t>{*uid}).ok());
  auto text = core::read_file(maildir.root() + "/maildirsize", 1000);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "1000000S\n5 1\n-5 -1\n");
}

}  // namespace
}  // namespace gm::mail
