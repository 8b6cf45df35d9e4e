// gm-index.log: the record format (lib/mail/mailbox_index_log.hpp) and how
// MailboxFolder appends to it, applies its tail, ignores torn or stale logs
// and compacts it into gm-index.
#include "mail/mailbox_index_log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/durable_file.hpp"
#include "mail/mailbox_filename.hpp"
#include "mail/mailbox_folder.hpp"
#include "mailbox_test_support.hpp"

namespace gm::mail {
namespace {

namespace fs = std::filesystem;
using testing::message;
using testing::TempMaildir;

const std::vector<std::string> kNoKeywords;

MessageRecord record(uint32_t uid, uint64_t modseq, std::string filename) {
  MaildirName name = parse_maildir_name(filename);
  return MessageRecord{
      uid, modseq, 100, 1700000000 + uid, name.flags, name.keyword_bits, std::move(filename)};
}

MailboxIndex base_index() {
  MailboxIndex index;
  index.generation = 7;
  index.uid_validity = 1000;
  index.uid_next = 4;
  index.highest_modseq = 10;
  index.messages = {record(1, 5, "1.M1.h,S=100:2,"), record(2, 6, "2.M2.h,S=100:2,"),
                    record(3, 7, "3.M3.h,S=100:2,")};
  return index;
}

void expect_same(const MailboxIndex& a, const MailboxIndex& b) {
  EXPECT_EQ(format_mailbox_index(a), format_mailbox_index(b));
  ASSERT_EQ(a.messages.size(), b.messages.size());
  for (size_t i = 0; i < a.messages.size(); ++i) {
    EXPECT_EQ(a.messages[i].flags, b.messages[i].flags);
    EXPECT_EQ(a.messages[i].keyword_bits, b.messages[i].keyword_bits);
  }
}

// Flags on 2, expunge 1, new message 4: what the writer did and its batch.
std::string first_batch(MailboxIndex& writer) {
  IndexLogBatch batch;
  writer.highest_modseq = 11;
  writer.messages[1] = record(2, 11, "2.M2.h,S=100:2,S");
  batch.change_message(writer.messages[1]);
  writer.expunged.push_back({1, 11});
  batch.expunge(writer.expunged.back());
  writer.messages.erase(writer.messages.begin());
  writer.messages.push_back(record(4, 11, "4.M4.h,S=100:2,Fa"));
  batch.add_message(writer.messages.back());
  writer.uid_next = 5;
  writer.cur_mtime_ns = 123456789;
  writer.uids_size = 99;
  return batch.commit(writer);
}

std::string second_batch(MailboxIndex& writer) {
  IndexLogBatch batch;
  writer.highest_modseq = 12;
  writer.messages[0] = record(2, 12, "2.M2.h,S=100:2,RS");
  batch.change_message(writer.messages[0]);
  return batch.commit(writer);
}

TEST(IndexLog, BatchesReplayTheWritersChanges) {
  MailboxIndex writer = base_index();
  std::string text = first_batch(writer);
  text += second_batch(writer);
  MailboxIndex reader = base_index();
  auto consumed = apply_index_log(text, reader);
  ASSERT_TRUE(consumed.ok()) << consumed.error().message;
  EXPECT_EQ(*consumed, text.size());
  expect_same(reader, writer);
  EXPECT_EQ(reader.messages.back().flags, kFlagged);
  EXPECT_EQ(reader.messages.back().keyword_bits, 1u);
  // Applying in two steps gives the same as in one.
  MailboxIndex stepwise = base_index();
  MailboxIndex writer2 = base_index();
  std::string one = first_batch(writer2);
  ASSERT_EQ(*apply_index_log(one, stepwise), one.size());
  std::string two = second_batch(writer2);
  ASSERT_EQ(*apply_index_log(two, stepwise), two.size());
  expect_same(stepwise, writer);
}

TEST(IndexLog, TornOrDamagedTailEndsTheLogAtTheLastCompleteBatch) {
  MailboxIndex writer = base_index();
  std::string one = first_batch(writer);
  MailboxIndex after_one = writer;
  std::string two = second_batch(writer);
  for (size_t cut = 0; cut < two.size(); ++cut) {
    MailboxIndex reader = base_index();
    auto consumed = apply_index_log(one + two.substr(0, cut), reader);
    ASSERT_TRUE(consumed.ok()) << cut;
    EXPECT_EQ(*consumed, one.size()) << cut;
    expect_same(reader, after_one);
  }
  // One flipped bit in the second batch's record: its CRC fails, it is the end.
  std::string damaged = one + two;
  damaged[one.size() + 12] ^= 1;
  MailboxIndex reader = base_index();
  EXPECT_EQ(*apply_index_log(damaged, reader), one.size());
  expect_same(reader, after_one);
}

TEST(IndexLog, RecordsThatDoNotFitTheIndexAreErrors) {
  auto apply = [](auto change) {
    MailboxIndex writer = base_index();
    IndexLogBatch batch;
    change(writer, batch);
    MailboxIndex reader = base_index();
    return apply_index_log(batch.commit(writer), reader).ok();
  };
  EXPECT_TRUE(apply([](MailboxIndex&, IndexLogBatch&) {}));
  EXPECT_FALSE(apply([](MailboxIndex& w, IndexLogBatch& b) {
    w.highest_modseq = 11;
    b.change_message(record(9, 11, "9.M9.h:2,S"));  // unknown UID
  }));
  EXPECT_FALSE(apply([](MailboxIndex& w, IndexLogBatch& b) {
    w.highest_modseq = 11;
    b.add_message(record(2, 11, "2.M2b.h:2,"));  // UID already there
  }));
  EXPECT_FALSE(apply([](MailboxIndex& w, IndexLogBatch& b) {
    w.highest_modseq = 11;
    b.expunge({3, 11});
    b.expunge({3, 11});  // twice
  }));
  EXPECT_FALSE(apply([](MailboxIndex& w, IndexLogBatch&) { w.highest_modseq = 9; }));
  EXPECT_FALSE(apply([](MailboxIndex& w, IndexLogBatch&) { w.uid_next = 3; }));
  EXPECT_FALSE(apply([](MailboxIndex&, IndexLogBatch& b) {
    b.change_message(record(1, 11, "1.M1.h:2,S"));  // MODSEQ above the commit's
  }));
}

TEST(IndexLog, HeaderNamesTheGeneration) {
  std::string header = format_index_log_header(1700000000123456789);
  auto parsed = parse_index_log_header(header + "more");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->generation, 1700000000123456789u);
  EXPECT_EQ(parsed->length, header.size());
  EXPECT_FALSE(parse_index_log_header(header.substr(0, header.size() - 1)).has_value());
  std::string damaged = header;
  damaged[12] ^= 1;
  EXPECT_FALSE(parse_index_log_header(damaged).has_value());
  EXPECT_FALSE(parse_index_log_header("").has_value());
}

// --- through MailboxFolder ---

std::unique_ptr<MailboxFolder> open_folder(const std::string& dir) {
  auto folder = MailboxFolder::open(dir);
  EXPECT_TRUE(folder.ok()) << (folder.ok() ? "" : folder.error().message);
  return folder.ok() ? std::move(*folder) : nullptr;
}

struct stat stat_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) st.st_ino = 0;
  return st;
}

bool same_file(const struct stat& a, const struct stat& b) {
  return a.st_ino == b.st_ino && a.st_size == b.st_size && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec;
}

Status store(MailboxFolder& folder, uint32_t uid, StoreMode mode, uint8_t flags) {
  auto result = folder.store(std::vector<uint32_t>{uid}, mode, flags, kNoKeywords);
  if (!result) return result.error();
  return {};
}

class IndexLogFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 1; i <= 3; ++i) maildir.deliver(message(i));
    a = open_folder(maildir.root());
    ASSERT_TRUE(a);
  }
  std::string index_path() const { return maildir.root() + "/gm-index"; }
  std::string log_path() const { return maildir.root() + "/gm-index.log"; }

  TempMaildir maildir;
  std::unique_ptr<MailboxFolder> a;
};

TEST_F(IndexLogFolder, OneMessageStoreAppendsInsteadOfRewritingGmIndex) {
  struct stat before = stat_of(index_path());
  ASSERT_TRUE(store(*a, 2, StoreMode::kAdd, kSeen).ok());
  EXPECT_TRUE(same_file(stat_of(index_path()), before));
  ASSERT_TRUE(fs::exists(log_path()));
  auto log_size = fs::file_size(log_path());
  EXPECT_GT(log_size, 0u);
  ASSERT_TRUE(store(*a, 3, StoreMode::kAdd, kFlagged).ok());
  EXPECT_GT(fs::file_size(log_path()), log_size);
  EXPECT_TRUE(same_file(stat_of(index_path()), before));
  auto b = open_folder(maildir.root());
  EXPECT_EQ(b->find(2)->flags, kSeen);
  EXPECT_EQ(b->find(3)->flags, kFlagged);
  EXPECT_EQ(b->find(3)->modseq, a->find(3)->modseq);
  EXPECT_EQ(b->highest_modseq(), a->highest_modseq());
}

TEST_F(IndexLogFolder, AnotherObjectAppliesTheTailOfTheLog) {
  auto b = open_folder(maildir.root());
  struct stat before = stat_of(index_path());
  ASSERT_TRUE(store(*a, 1, StoreMode::kAdd, kSeen).ok());
  auto changes = b->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->flags_changed, (std::vector<uint32_t>{1}));
  EXPECT_EQ(b->find(1)->flags, kSeen);
  uint64_t modseq = b->highest_modseq();
  ASSERT_TRUE(a->expunge(std::vector<uint32_t>{3}).ok());
  auto uid = a->append("Subject: appended\r\n\r\nx\r\n", kDraft);
  ASSERT_TRUE(uid.ok());
  changes = b->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->expunged, (std::vector<uint32_t>{3}));
  EXPECT_EQ(changes->added, 1u);
  EXPECT_TRUE(changes->flags_changed.empty());
  ASSERT_NE(b->find(*uid), nullptr);
  EXPECT_EQ(b->find(*uid)->flags, kDraft);
  EXPECT_EQ(b->find(*uid)->filename, a->find(*uid)->filename);
  EXPECT_EQ(b->uid_next(), a->uid_next());
  EXPECT_EQ(b->highest_modseq(), a->highest_modseq());
  auto vanished = b->vanished_since(modseq);
  ASSERT_TRUE(vanished.has_value());
  ASSERT_EQ(vanished->size(), 1u);
  EXPECT_EQ(vanished->front().uid, 3u);
  EXPECT_TRUE(same_file(stat_of(index_path()), before));
  // Nothing new: the cheap path, no changes.
  changes = b->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_TRUE(changes->empty());
}

TEST_F(IndexLogFolder, TornTailIsIgnoredAndItsChangeFoundInCur) {
  ASSERT_TRUE(store(*a, 1, StoreMode::kAdd, kSeen).ok());
  uint64_t first = a->highest_modseq();
  ASSERT_TRUE(store(*a, 2, StoreMode::kAdd, kFlagged).ok());
  // The writer of the second batch crashed half-way through its append.
  fs::resize_file(log_path(), fs::file_size(log_path()) - 5);
  auto b = open_folder(maildir.root());
  EXPECT_EQ(b->find(1)->flags, kSeen);
  EXPECT_EQ(b->find(1)->modseq, first);
  EXPECT_EQ(b->find(2)->flags, kFlagged);  // the rename in cur/ is found by the rescan
  EXPECT_GT(b->find(2)->modseq, first);
  EXPECT_GE(b->highest_modseq(), a->highest_modseq());
  // The torn log was compacted away; a later writer appends to a new one.
  EXPECT_FALSE(fs::exists(log_path()));
  ASSERT_TRUE(store(*b, 3, StoreMode::kAdd, kAnswered).ok());
  auto c = open_folder(maildir.root());
  EXPECT_EQ(c->find(3)->flags, kAnswered);
  EXPECT_EQ(c->find(2)->flags, kFlagged);
  auto changes = a->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(a->find(3)->flags, kAnswered);
  EXPECT_GE(a->highest_modseq(), b->highest_modseq());
}

TEST_F(IndexLogFolder, LogOfAnOlderGenerationIsNeverApplied) {
  ASSERT_TRUE(store(*a, 1, StoreMode::kAdd, kSeen).ok());
  std::string saved = maildir.root() + "/saved.log";
  fs::copy_file(log_path(), saved);
  ASSERT_TRUE(store(*a, 1, StoreMode::kRemove, kSeen).ok());
  a.reset();
  // A rebuild writes gm-index with a new generation and drops the log.
  ASSERT_TRUE(fs::remove(index_path()));
  auto b = open_folder(maildir.root());
  EXPECT_EQ(b->find(1)->flags, 0);
  EXPECT_FALSE(fs::exists(log_path()));
  // The old log comes back (a crash between rewrite and unlink): ignored.
  fs::copy_file(saved, log_path());
  auto c = open_folder(maildir.root());
  EXPECT_EQ(c->find(1)->flags, 0);
  auto changes = b->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_TRUE(changes->empty());
  EXPECT_EQ(b->find(1)->flags, 0);
  // The next writer replaces it.
  ASSERT_TRUE(store(*c, 2, StoreMode::kAdd, kSeen).ok());
  auto d = open_folder(maildir.root());
  EXPECT_EQ(d->find(1)->flags, 0);
  EXPECT_EQ(d->find(2)->flags, kSeen);
  changes = b->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->flags_changed, (std::vector<uint32_t>{2}));
}

TEST_F(IndexLogFolder, GrowingLogIsCompactedIntoGmIndex) {
  auto b = open_folder(maildir.root());
  struct stat before = stat_of(index_path());
  bool compacted = false;
  int stores = 0;
  for (int i = 0; i < 5000 && !compacted; ++i, ++stores) {
    ASSERT_TRUE(store(*a, 1, i % 2 == 0 ? StoreMode::kAdd : StoreMode::kRemove, kSeen).ok());
    compacted = stat_of(index_path()).st_ino != before.st_ino;
    if (!compacted) {
      EXPECT_LE(fs::file_size(log_path()), kIndexLogCompactFloor);
    }
    if (i % 97 == 0) {
      ASSERT_TRUE(b->sync().ok());
    }
  }
  ASSERT_TRUE(compacted);
  // Each one-message batch is ~170 bytes: the log took ~64 KiB of them.
  EXPECT_GT(stores, 200);
  EXPECT_FALSE(fs::exists(log_path()));
  ASSERT_TRUE(store(*a, 2, StoreMode::kAdd, kFlagged).ok());
  EXPECT_TRUE(fs::exists(log_path()));
  auto changes = b->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(b->find(1)->flags, a->find(1)->flags);
  EXPECT_EQ(b->find(1)->modseq, a->find(1)->modseq);
  EXPECT_EQ(b->find(2)->flags, kFlagged);
  EXPECT_EQ(b->highest_modseq(), a->highest_modseq());
}

TEST_F(IndexLogFolder, CrashAroundTheLogAppendLosesNoChange) {
  ASSERT_TRUE(store(*a, 1, StoreMode::kAdd, kSeen).ok());
  uint64_t logged = a->highest_modseq();
  // A writer renamed a message in cur/ and died before appending its record.
  std::string path = a->path_of(2);
  ASSERT_EQ(::rename(path.c_str(), (path + "F").c_str()), 0);
  // Another died writing the compacted gm-index, before its rename.
  std::ofstream(index_path() + ".tmp.999999") << "GMINDEX 2 half";
  auto b = open_folder(maildir.root());
  EXPECT_EQ(b->find(1)->flags, kSeen);
  EXPECT_EQ(b->find(2)->flags, kFlagged);
  EXPECT_GT(b->find(2)->modseq, logged);
  auto changes = a->sync();
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->flags_changed, (std::vector<uint32_t>{2}));
  EXPECT_EQ(a->find(2)->modseq, b->find(2)->modseq);
}

TEST_F(IndexLogFolder, RecordThatDoesNotFitRebuildsKeepingUids) {
  ASSERT_TRUE(store(*a, 1, StoreMode::kAdd, kSeen).ok());
  uint32_t validity = a->uid_validity();
  // An intact (CRC-valid) batch about a UID the folder never had.
  MailboxIndex bogus;
  bogus.uid_next = 100;
  bogus.highest_modseq = a->highest_modseq() + 1;
  IndexLogBatch batch;
  batch.change_message(record(99, bogus.highest_modseq, "99.M9.h:2,S"));
  std::ofstream(log_path(), std::ios::app) << batch.commit(bogus);
  auto b = open_folder(maildir.root());
  EXPECT_EQ(b->uid_validity(), validity);
  std::vector<uint32_t> uids;
  for (const MessageRecord& m : b->messages()) uids.push_back(m.uid);
  EXPECT_EQ(uids, (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(b->find(1)->flags, kSeen);
  EXPECT_GT(b->highest_modseq(), a->highest_modseq());
  EXPECT_FALSE(fs::exists(log_path()));
}

}  // namespace
}  // namespace gm::mail
