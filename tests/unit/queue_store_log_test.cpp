// The log-fronted queue store (lib/mail/queue_store_log): commits, the
// large-message path, and recovery after a simulated power loss.
#include <unistd.h>

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/durable_file.hpp"
#include "core/str.hpp"
#include "mail/queue_done_list.hpp"
#include "mail/queue_id.hpp"
#include "mail/queue_log.hpp"
#include "mail/queue_recycle.hpp"
#include "mail/queue_store.hpp"

namespace gm::mail {
namespace {

namespace fs = std::filesystem;

class StoreDir {
 public:
  StoreDir() {
    std::string pattern = (fs::temp_directory_path() / "gm_log_store_test.XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~StoreDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string file(std::string_view queue, std::string_view id) const {
    return str_cat(path_, '/', queue, '/', id);
  }

 private:
  std::string path_;
};

struct Opened {
  std::unique_ptr<QueueStore> store;
  std::vector<std::string> recovered;
};

std::unique_ptr<Opened> open_store(const std::string& root) {
  auto opened = std::make_unique<Opened>();
  QueueLogStoreOptions options;
  options.name = "mta";
  options.segment_size = kQueueLogMinSegment;
  options.on_recovered = [o = opened.get()](const std::string& id) { o->recovered.push_back(id); };
  opened->store = make_log_queue_store(root, std::move(options));
  Status status = opened->store->init();
  EXPECT_TRUE(status.ok()) << (status ? "" : status.error().message);
  return opened;
}

std::string commit(QueueStore& store, const std::string& body) {
  Envelope envelope;
  envelope.sender = "a@b.example";
  envelope.recipients.resize(1);
  envelope.recipients[0].address = "c@d.example";
  auto message = store.create(envelope);
  EXPECT_TRUE(message.ok());
  if (!message) return "";
  EXPECT_TRUE((*message)->append(body).ok());
  auto path = (*message)->commit();
  EXPECT_TRUE(path.ok()) << (path ? "" : path.error().message);
  return (*message)->queue_id();
}

std::string content_of(QueueStore& store, QueueName queue, const std::string& id) {
  auto file = store.open(queue, id, false);
  EXPECT_TRUE(file.ok()) << (file ? "" : file.error().message);
  if (!file) return "";
  std::string out;
  EXPECT_TRUE(file->read_content([&](std::string_view chunk) -> Status {
                    out += chunk;
                    return {};
                  })
                  .ok());
  return out;
}

TEST(QueueLogStore, CommitWritesTheQueueFileAndTheLog) {
  StoreDir dir;
  auto opened = open_store(dir.path());
  std::string id = commit(*opened->store, "Subject: hi\r\n\r\nbody\r\n");
  EXPECT_EQ(content_of(*opened->store, QueueName::kIncoming, id), "Subject: hi\r\n\r\nbody\r\n");
  auto ids = opened->store->list(QueueName::kIncoming);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<std::string>{id});
  auto segment = core::read_file(dir.path() + "/log/mta.0", 2 * kQueueLogMinSegment);
  auto other = core::read_file(dir.path() + "/log/mta.1", 2 * kQueueLogMinSegment);
  ASSERT_TRUE(segment.ok() && other.ok());
  EXPECT_TRUE(segment->find(id) != std::string::npos || other->find(id) != std::string::npos);
}

TEST(QueueLogStore, LostAndTornQueueFilesComeBackFromTheLog) {
  StoreDir dir;
  std::string lost, torn, kept;
  {
    auto opened = open_store(dir.path());
    lost = commit(*opened->store, "lost\r\n");
    torn = commit(*opened->store, std::string(5000, 't'));
    kept = commit(*opened->store, "kept\r\n");
  }
  // A power loss: the lazily written files never reached the disk, or half.
  fs::remove(dir.file("incoming", lost));
  fs::resize_file(dir.file("incoming", torn), 100);
  auto opened = open_store(dir.path());
  EXPECT_EQ(content_of(*opened->store, QueueName::kIncoming, lost), "lost\r\n");
  EXPECT_EQ(content_of(*opened->store, QueueName::kIncoming, torn), std::string(5000, 't'));
  EXPECT_EQ(content_of(*opened->store, QueueName::kIncoming, kept), "kept\r\n");
  std::vector<std::string> expected{lost, torn};
  EXPECT_EQ(opened->recovered, expected);
}

TEST(QueueLogStore, RecoveryLeavesRemovedMovedAndCheckpointedMessagesAlone) {
  StoreDir dir;
  std::string delivered, deferred, corrupted;
  {
    auto opened = open_store(dir.path());
    delivered = commit(*opened->store, "one\r\n");
    deferred = commit(*opened->store, "two\r\n");
    corrupted = commit(*opened->store, "three\r\n");
    auto& store = *opened->store;
    ASSERT_TRUE(store.remove(QueueName::kIncoming, delivered, Sync::kLazy).ok());
    ASSERT_TRUE(store.move(deferred, QueueName::kIncoming, QueueName::kDeferred, Sync::kLazy).ok());
    // qmgr found it torn and moved it aside; the log has it whole.
    fs::resize_file(dir.file("incoming", corrupted), 10);
    ASSERT_TRUE(store.move(corrupted, QueueName::kIncoming, QueueName::kCorrupt, Sync::kLazy).ok());
  }
  auto done = load_done_list(queue_log_directory(dir.path()));
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->contains(delivered));
  {
    auto opened = open_store(dir.path());
    EXPECT_FALSE(fs::exists(dir.file("incoming", delivered)));
    EXPECT_FALSE(fs::exists(dir.file("incoming", deferred)));
    EXPECT_TRUE(fs::exists(dir.file("deferred", deferred)));
    EXPECT_FALSE(fs::exists(dir.file("corrupt", corrupted)));
    EXPECT_EQ(content_of(*opened->store, QueueName::kIncoming, corrupted), "three\r\n");
    EXPECT_EQ(opened->recovered, std::vector<std::string>{corrupted});
  }
  // That start checkpointed everything: losing files now is not the log's business.
  fs::remove(dir.file("incoming", corrupted));
  auto opened = open_store(dir.path());
  EXPECT_TRUE(opened->recovered.empty());
}

TEST(QueueLogStore, LargeMessagesTakeTheFilePath) {
  StoreDir dir;
  std::string id;
  std::string body(kQueueLogMaxMessage + 1000, 'L');
  {
    auto opened = open_store(dir.path());
    id = commit(*opened->store, body.substr(0, 1000));
    fs::remove(dir.file("incoming", id));  // logged: comes back
    auto envelope = Envelope{};
    envelope.recipients.resize(1);
    envelope.recipients[0].address = "c@d.example";
    auto message = opened->store->create(envelope);
    ASSERT_TRUE(message.ok());
    for (size_t at = 0; at < body.size(); at += 65536)
      ASSERT_TRUE((*message)->append(std::string_view(body).substr(at, 65536)).ok());
    ASSERT_TRUE((*message)->commit().ok());
    std::string big = (*message)->queue_id();
    EXPECT_EQ(content_of(*opened->store, QueueName::kIncoming, big), body);
    fs::remove(dir.file("incoming", big));  // not logged: a real power loss could not do this
  }
  auto opened = open_store(dir.path());
  EXPECT_EQ(opened->recovered, std::vector<std::string>{id});
}

TEST(QueueLogStore, DoneListRotatesAndKeepsOneOldGeneration) {
  StoreDir dir;
  std::string log_dir = queue_log_directory(dir.path());
  EXPECT_TRUE(append_done(log_dir, "BEFORE").ok());  // no log directory: nothing, no error
  EXPECT_FALSE(fs::exists(log_dir + "/done"));
  fs::create_directories(log_dir);
  std::string id(17, 'A');
  for (size_t written = 0; written <= kDoneListRotate; written += id.size() + 1)
    ASSERT_TRUE(append_done(log_dir, id).ok());
  ASSERT_TRUE(rotate_done_list(log_dir).ok());
  ASSERT_TRUE(append_done(log_dir, "NEWER").ok());
  auto done = load_done_list(log_dir);
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->contains(id));
  EXPECT_TRUE(done->contains("NEWER"));
  EXPECT_LT(fs::file_size(log_dir + "/done"), 100u);
}

// ---- recycled queue files (queue_recycle.hpp)

ino_t inode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

size_t pooled(const StoreDir& dir) {
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator(queue_recycle_directory(dir.path()))) {
    (void)entry;
    ++n;
  }
  return n;
}

// An empty pool is listed again only after a pause (queue_recycle.cpp).
void let_servers_list_the_pool_again() {
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
}

TEST(QueueRecycle, DeliveredFileIsReusedAndHoldsOnlyTheNewMessage) {
  StoreDir dir;
  auto server = open_store(dir.path());                // mta's store
  auto qmgr = make_file_queue_store(dir.path());       // qmgr's
  ASSERT_TRUE(qmgr->init().ok());
  std::string first = commit(*server->store, "Subject: long\r\n\r\n" + std::string(5000, 'x'));
  ino_t inode = inode_of(dir.file("incoming", first));
  ASSERT_TRUE(qmgr->move(first, QueueName::kIncoming, QueueName::kActive, Sync::kLazy).ok());
  ASSERT_TRUE(qmgr->recycle(QueueName::kActive, first).ok());
  EXPECT_FALSE(fs::exists(dir.file("active", first)));
  EXPECT_EQ(pooled(dir), 1u);
  auto done = load_done_list(queue_log_directory(dir.path()));
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->contains(first));  // recovery must not bring it back

  let_servers_list_the_pool_again();
  std::string second = commit(*server->store, "Subject: short\r\n\r\nhi\r\n");
  EXPECT_EQ(inode_of(dir.file("incoming", second)), inode);  // no new inode
  EXPECT_EQ(pooled(dir), 0u);
  // Cut to length: nothing of the longer old message is left.
  EXPECT_EQ(content_of(*server->store, QueueName::kIncoming, second), "Subject: short\r\n\r\nhi\r\n");
  auto ids = server->store->list(QueueName::kIncoming);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<std::string>{second});
}

TEST(QueueRecycle, PoolIsBoundedAndLargeFilesAreDeleted) {
  StoreDir dir;
  auto qmgr = make_file_queue_store(dir.path());
  ASSERT_TRUE(qmgr->init().ok());
  auto place = [&](size_t size) {
    std::string id = new_queue_id();
    ASSERT_TRUE(core::write_file_durably(dir.file("active", id), std::string(size, 'x')).ok());
    ASSERT_TRUE(qmgr->recycle(QueueName::kActive, id).ok());
    EXPECT_FALSE(fs::exists(dir.file("active", id)));
  };
  place(kRecycleMaxSize + 1);
  EXPECT_EQ(pooled(dir), 0u);
  for (size_t i = 0; i < kRecycleMaxFiles + 5; ++i) place(10);
  EXPECT_EQ(pooled(dir), kRecycleMaxFiles);
}

TEST(QueueRecycle, ServersNeverGetTheSameFile) {
  StoreDir dir;
  auto qmgr = make_file_queue_store(dir.path());
  ASSERT_TRUE(qmgr->init().ok());
  constexpr size_t kFiles = 200;
  for (size_t i = 0; i < kFiles; ++i) {
    std::string id = new_queue_id();
    ASSERT_TRUE(core::write_file_durably(dir.file("active", id), "x").ok());
    ASSERT_TRUE(qmgr->recycle(QueueName::kActive, id).ok());
  }
  // Two "processes" (each its own taker), two threads each.
  RecycledQueueFiles mta(dir.path()), msa(dir.path());
  std::mutex mutex;
  std::set<ino_t> inodes;
  size_t taken = 0;
  auto run = [&](RecycledQueueFiles& taker) {
    while (true) {
      std::string target = dir.file("incoming", str_cat(".tmp.", new_queue_id()));
      UniqueFd fd = taker.take(target);
      if (!fd) return;
      std::lock_guard lock(mutex);
      ++taken;
      inodes.insert(inode_of(target));
    }
  };
  std::vector<std::thread> threads;
  for (auto* taker : {&mta, &msa, &mta, &msa}) threads.emplace_back(run, std::ref(*taker));
  for (auto& t : threads) t.join();
  EXPECT_EQ(taken, kFiles);
  EXPECT_EQ(inodes.size(), kFiles);
  EXPECT_EQ(pooled(dir), 0u);
}

}  // namespace
}  // namespace gm::mail
