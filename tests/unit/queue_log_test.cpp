// The queue log (lib/mail/queue_log, queue_log_record): record format, torn
// tails, group commit, checkpoints, segment recycling and replay.
#include "mail/queue_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "core/durable_file.hpp"
#include "core/str.hpp"
#include "mail/queue_log_record.hpp"

namespace gm::mail {
namespace {

namespace fs = std::filesystem;

class LogDir {
 public:
  LogDir() {
    std::string pattern = (fs::temp_directory_path() / "gm_queue_log_test.XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~LogDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

QueueLogOptions options(const std::string& dir, std::atomic<int>* syncs = nullptr) {
  QueueLogOptions o;
  o.directory = dir + "/log";
  o.name = "test";
  o.segment_size = kQueueLogMinSegment;
  o.sync_store = [syncs] {
    if (syncs) ++*syncs;
    return Status{};
  };
  o.checkpoint_interval = std::chrono::hours(1);  // the tests checkpoint by hand
  return o;
}

std::unique_ptr<QueueLog> open_started(const QueueLogOptions& o) {
  auto log = QueueLog::open(o);
  EXPECT_TRUE(log.ok()) << (log ? "" : log.error().message);
  if (!log) return nullptr;
  EXPECT_TRUE((*log)->start().ok());
  return std::move(*log);
}

std::vector<std::pair<std::string, std::string>> replay(const QueueLogOptions& o) {
  std::vector<std::pair<std::string, std::string>> out;
  auto log = QueueLog::open(o);
  EXPECT_TRUE(log.ok());
  if (!log) return out;
  EXPECT_TRUE((*log)
                  ->replay([&](std::string_view id, std::string_view file) {
                    out.emplace_back(std::string(id), std::string(file));
                  })
                  .ok());
  return out;
}

TEST(QueueLogRecord, RoundTrip) {
  std::string bytes = encode_log_record(LogRecordType::kMessage, 7, "ID1", "payload bytes");
  auto extent = log_record_extent(bytes.substr(0, kLogRecordHeader), 1 << 20);
  ASSERT_TRUE(extent.ok());
  EXPECT_EQ(*extent, bytes.size());
  auto record = decode_log_record(bytes);
  ASSERT_TRUE(record.ok()) << record.error().message;
  EXPECT_EQ(record->type, LogRecordType::kMessage);
  EXPECT_EQ(record->generation, 7u);
  EXPECT_EQ(record->queue_id, "ID1");
  EXPECT_EQ(record->payload, "payload bytes");

  auto checkpoint = decode_checkpoint_payload(encode_checkpoint_payload({3, 4096}));
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(*checkpoint, (LogPosition{3, 4096}));
  EXPECT_FALSE(decode_checkpoint_payload("short").ok());
}

TEST(QueueLogRecord, DamageIsRefused) {
  std::string bytes = encode_log_record(LogRecordType::kMessage, 2, "ID", std::string(100, 'x'));
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x20);
    EXPECT_FALSE(decode_log_record(damaged).ok()) << "flip at " << i;
  }
  EXPECT_FALSE(decode_log_record(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(decode_log_record(std::string(64, '\0')).ok());
  // A header promising more than the segment holds.
  EXPECT_FALSE(log_record_extent(bytes.substr(0, kLogRecordHeader), 50).ok());
}

TEST(QueueLog, AppendedRecordsReplayAfterReopen) {
  LogDir dir;
  auto o = options(dir.path());
  {
    auto log = open_started(o);
    ASSERT_TRUE(log);
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE(log->append(str_cat("ID", i), str_cat("file ", i)).ok());
  }
  auto records = replay(o);
  ASSERT_EQ(records.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(records[i].first, str_cat("ID", i));
    EXPECT_EQ(records[i].second, str_cat("file ", i));
  }
  EXPECT_EQ(fs::file_size(o.directory + "/test.0"), kQueueLogMinSegment);
  EXPECT_EQ(fs::file_size(o.directory + "/test.1"), kQueueLogMinSegment);
}

TEST(QueueLog, CheckpointEndsReplayAndStartCheckpointsEverything) {
  LogDir dir;
  auto o = options(dir.path());
  {
    auto log = open_started(o);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->append("OLD1", "a").ok());
    ASSERT_TRUE(log->append("OLD2", "b").ok());
    ASSERT_TRUE(log->checkpoint().ok());
    ASSERT_TRUE(log->append("NEW1", "c").ok());
  }
  auto records = replay(o);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].first, "NEW1");
  {
    auto log = open_started(o);  // start(): everything so far is in the store
    ASSERT_TRUE(log);
  }
  EXPECT_TRUE(replay(o).empty());
}

TEST(QueueLog, LiveTicketHoldsTheCheckpointBack) {
  LogDir dir;
  auto o = options(dir.path());
  {
    auto log = open_started(o);
    ASSERT_TRUE(log);
    auto held = log->append("HELD", "a");
    ASSERT_TRUE(held.ok());
    ASSERT_TRUE(log->append("AFTER", "b").ok());
    ASSERT_TRUE(log->checkpoint().ok());  // while the queue file of HELD may be unwritten
  }  // the ticket goes first, then the log, with no checkpoint since
  auto records = replay(o);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].first, "HELD");
  {
    auto log = open_started(o);
    ASSERT_TRUE(log);
    auto ticket = log->append("X", "x");
    ASSERT_TRUE(ticket.ok());
    { auto dropped = std::move(*ticket); }
    ASSERT_TRUE(log->checkpoint().ok());
  }
  EXPECT_TRUE(replay(o).empty());
}

TEST(QueueLog, TornTailEndsReplay) {
  LogDir dir;
  auto o = options(dir.path());
  {
    auto log = open_started(o);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->append("KEEP1", std::string(1000, 'a')).ok());
    ASSERT_TRUE(log->append("KEEP2", std::string(1000, 'b')).ok());
    ASSERT_TRUE(log->append("TORN", std::string(1000, 'c')).ok());
  }
  // Cut the last record short in whichever segment holds it (a power loss mid-write).
  for (int i = 0; i < 2; ++i) {
    std::string path = str_cat(o.directory, "/test.", i);
    auto text = core::read_file(path, kQueueLogMinSegment);
    ASSERT_TRUE(text.ok());
    size_t at = text->find("TORN");
    if (at == std::string::npos) continue;
    int fd = ::open(path.c_str(), O_WRONLY);
    ASSERT_GE(fd, 0);
    std::string zeros(600, '\0');
    ASSERT_EQ(::pwrite(fd, zeros.data(), zeros.size(), static_cast<off_t>(at + 500)), 600);
    ::close(fd);
  }
  auto records = replay(o);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].first, "KEEP2");
}

TEST(QueueLog, SegmentsAreRecycledAfterASync) {
  LogDir dir;
  std::atomic<int> syncs = 0;
  auto o = options(dir.path(), &syncs);
  std::string file(300 << 10, 'm');
  constexpr int kRecords = 40;  // 12 MiB through 2 x 4 MiB segments
  {
    auto log = open_started(o);
    ASSERT_TRUE(log);
    int before = syncs;
    for (int i = 0; i < kRecords; ++i) ASSERT_TRUE(log->append(str_cat("R", i), file).ok());
    EXPECT_GE(syncs - before, 2);  // each switch synced the store first
  }
  auto records = replay(o);
  ASSERT_FALSE(records.empty());
  EXPECT_LT(records.size(), 14u);  // only what follows the last switch
  EXPECT_EQ(records.back().first, str_cat("R", kRecords - 1));
  EXPECT_EQ(records.back().second, file);
  for (size_t i = 1; i < records.size(); ++i)
    EXPECT_EQ(records[i].first, str_cat("R", kRecords - records.size() + i));
  // After a restart the log keeps working in the next generation.
  {
    auto log = open_started(o);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log->append("LATE", "x").ok());
  }
  records = replay(o);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].first, "LATE");
}

TEST(QueueLog, ConcurrentAppendsShareFlushes) {
  LogDir dir;
  auto o = options(dir.path());
  o.segment_size = 16 << 20;
  constexpr int kThreads = 8, kEach = 100;
  {
    auto log = open_started(o);
    ASSERT_TRUE(log);
    std::vector<std::thread> threads;
    std::atomic<int> failed = 0;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i)
          if (!log->append(str_cat("T", t, "-", i), std::string(2000, 'x')).ok()) ++failed;
      });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failed, 0);
    auto stats = log->stats();
    EXPECT_EQ(stats.records, static_cast<uint64_t>(kThreads * kEach));
    // Eight writers waiting on fdatasync: most flushes carry several records.
    EXPECT_LT(stats.batches, stats.records / 2) << stats.batches << " batches";
  }
  EXPECT_EQ(replay(o).size(), static_cast<size_t>(kThreads * kEach));
}

TEST(QueueLog, ConcurrentAppendsAcrossSegmentSwitches) {
  // A leader whose own record is done must not wait for its own ticket
  // when the next batch needs the other segment (this deadlocked once).
  LogDir dir;
  std::atomic<int> syncs = 0;
  auto o = options(dir.path(), &syncs);
  constexpr int kThreads = 8, kEach = 20;
  {
    auto log = open_started(o);
    ASSERT_TRUE(log);
    std::vector<std::thread> threads;
    std::atomic<int> failed = 0;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          auto ticket = log->append(str_cat("T", t, "-", i), std::string(100 << 10, 'x'));
          if (!ticket) ++failed;
        }
      });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failed, 0);
    EXPECT_GE(syncs, 4);  // 16 MiB through 4 MiB segments
  }
}

TEST(QueueLog, OneProcessPerLog) {
  LogDir dir;
  auto o = options(dir.path());
  auto first = QueueLog::open(o);
  ASSERT_TRUE(first.ok());
  // flock is per open file description: a second open conflicts like a second process.
  auto second = QueueLog::open(o);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("in use"), std::string::npos);
}

TEST(QueueLog, RefusesTinySegmentsAndHugeRecords) {
  LogDir dir;
  auto o = options(dir.path());
  o.segment_size = 1 << 20;
  EXPECT_FALSE(QueueLog::open(o).ok());
  o.segment_size = kQueueLogMinSegment;
  auto log = open_started(o);
  ASSERT_TRUE(log);
  auto too_big = log->append("BIG", std::string(kQueueLogMinSegment, 'x'));
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, 452);
}

}  // namespace
}  // namespace gm::mail
