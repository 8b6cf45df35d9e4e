// Queue log lanes (QueueLogStoreOptions::lanes): commits spread over
// several independent logs, and recovery replays every lane, also lanes an
// earlier configuration left behind.
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>
#include <vector>

#include "core/durable_file.hpp"
#include "core/str.hpp"
#include "mail/queue_log.hpp"
#include "mail/queue_store.hpp"

namespace gm::mail {
namespace {

namespace fs = std::filesystem;

struct TempRoot {
  TempRoot() {
    std::string pattern = (fs::temp_directory_path() / "gm_lanes_test.XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempRoot() { fs::remove_all(path); }
  std::string path;
};

struct LaneStore {
  std::unique_ptr<QueueStore> store;
  std::set<std::string> recovered;
};

std::unique_ptr<LaneStore> open_lanes(const std::string& root, size_t lanes) {
  auto opened = std::make_unique<LaneStore>();
  QueueLogStoreOptions options;
  options.name = "mta";
  options.lanes = lanes;
  options.segment_size = kQueueLogMinSegment;
  options.checkpoint_interval = std::chrono::hours(1);  // only start() checkpoints
  options.on_recovered = [o = opened.get()](const std::string& id) { o->recovered.insert(id); };
  opened->store = make_log_queue_store(root, std::move(options));
  Status status = opened->store->init();
  EXPECT_TRUE(status.ok()) << (status ? "" : status.error().message);
  return opened;
}

std::set<std::string> commit_many(QueueStore& store, size_t count) {
  std::set<std::string> ids;
  for (size_t i = 0; i < count; ++i) {
    Envelope envelope;
    envelope.sender = "a@b.example";
    envelope.recipients.resize(1);
    envelope.recipients[0].address = "c@d.example";
    auto message = store.create(envelope);
    EXPECT_TRUE(message.ok());
    if (!message) continue;
    EXPECT_TRUE((*message)->append(str_cat("message ", i, "\r\n")).ok());
    EXPECT_TRUE((*message)->commit().ok());
    ids.insert((*message)->queue_id());
  }
  return ids;
}

// What a power loss before the checkpoint can do: no queue file reached the disk.
void lose_queue_files(const std::string& root, const std::set<std::string>& ids) {
  for (const std::string& id : ids) EXPECT_TRUE(fs::remove(str_cat(root, "/incoming/", id)));
}

// The queue IDs found in the segment files of one lane.
size_t ids_in_lane(const std::string& root, std::string_view lane,
                   const std::set<std::string>& ids) {
  size_t found = 0;
  for (std::string_view segment : {".0", ".1"}) {
    auto bytes = core::read_file(str_cat(root, "/log/", lane, segment), 2 * kQueueLogMinSegment);
    EXPECT_TRUE(bytes.ok());
    if (!bytes) continue;
    found += static_cast<size_t>(std::count_if(ids.begin(), ids.end(), [&](const std::string& id) {
      return bytes->find(id) != std::string::npos;
    }));
  }
  return found;
}

TEST(QueueLogLanes, CommitsSpreadOverTheLanesAndEveryLaneRecovers) {
  TempRoot root;
  std::set<std::string> ids;
  {
    auto opened = open_lanes(root.path, 3);
    ids = commit_many(*opened->store, 9);
    ASSERT_EQ(ids.size(), 9u);
    // Round robin from one thread: three records in each lane.
    EXPECT_EQ(ids_in_lane(root.path, "mta", ids), 3u);
    EXPECT_EQ(ids_in_lane(root.path, "mta.lane1", ids), 3u);
    EXPECT_EQ(ids_in_lane(root.path, "mta.lane2", ids), 3u);
  }
  lose_queue_files(root.path, ids);
  auto opened = open_lanes(root.path, 3);
  EXPECT_EQ(opened->recovered, ids);
}

TEST(QueueLogLanes, FewerLanesStillReplayTheLanesLeftBehind) {
  TempRoot root;
  std::set<std::string> ids;
  {
    auto opened = open_lanes(root.path, 4);
    ids = commit_many(*opened->store, 8);
  }
  lose_queue_files(root.path, ids);
  {
    auto opened = open_lanes(root.path, 1);
    EXPECT_EQ(opened->recovered, ids);
    // Only lane 0 takes new commits now.
    auto later = commit_many(*opened->store, 2);
    EXPECT_EQ(ids_in_lane(root.path, "mta", later), 2u);
    EXPECT_EQ(ids_in_lane(root.path, "mta.lane3", later), 0u);
  }
  // That start checkpointed every lane: nothing is replayed twice.
  auto opened = open_lanes(root.path, 2);
  EXPECT_TRUE(opened->recovered.empty());
}

TEST(QueueLogLanes, ConcurrentCommitsOnManyLanesAllRecover) {
  TempRoot root;
  std::set<std::string> ids;
  {
    auto opened = open_lanes(root.path, 4);
    std::vector<std::set<std::string>> per_thread(8);
    std::vector<std::thread> threads;
    for (auto& out : per_thread)
      threads.emplace_back([&store = *opened->store, &out] { out = commit_many(store, 25); });
    for (auto& t : threads) t.join();
    for (auto& part : per_thread) ids.insert(part.begin(), part.end());
    ASSERT_EQ(ids.size(), 200u);
  }
  lose_queue_files(root.path, ids);
  auto opened = open_lanes(root.path, 4);
  EXPECT_EQ(opened->recovered, ids);
}

}  // namespace
}  // namespace gm::mail
