// Checks that what lib/mail acknowledges is fsync'ed: the file itself and the
// directory holding its final name. fsync() and fdatasync() are interposed
// for the whole test binary (libgm is linked statically, so these
// definitions win over libc's); they record the path of each synced fd and
// then call the real function.
#include <dlfcn.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "mail/maildir.hpp"
#include "mail/queue_store.hpp"

namespace {

std::mutex g_mutex;
std::vector<std::string> g_synced;
bool g_recording = false;

void record(int fd) {
  std::lock_guard lock(g_mutex);
  if (!g_recording) return;
  char target[4096] = {};
  std::string link = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
  g_synced.push_back(n > 0 ? std::string(target, static_cast<size_t>(n)) : "?");
}

template <typename F>
F real(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" int fsync(int fd) {
  record(fd);
  static auto next = real<int (*)(int)>("fsync");
  return next(fd);
}

extern "C" int fdatasync(int fd) {
  record(fd);
  static auto next = real<int (*)(int)>("fdatasync");
  return next(fd);
}

namespace gm::mail {
namespace {

namespace fs = std::filesystem;

class Recording {
 public:
  Recording() {
    std::lock_guard lock(g_mutex);
    g_synced.clear();
    g_recording = true;
  }
  ~Recording() {
    std::lock_guard lock(g_mutex);
    g_recording = false;
  }
  std::vector<std::string> synced() const {
    std::lock_guard lock(g_mutex);
    return g_synced;
  }
};

std::string temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "gm_durability.XXXXXX").string();
  return fs::canonical(::mkdtemp(pattern.data())).string();
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

TEST(Durability, MaildirDeliveryFsyncsMessageThenNewDirectory) {
  std::string base = temp_dir();
  std::string root = base + "/Maildir";
  ASSERT_TRUE(create_maildir(root).ok());
  std::vector<std::string> synced;
  std::string path;
  {
    Recording recording;
    auto delivery = MaildirDelivery::begin(root);
    ASSERT_TRUE(delivery.ok());
    ASSERT_TRUE(delivery->append("Subject: x\r\n\r\nbody\r\n").ok());
    auto committed = delivery->commit();
    ASSERT_TRUE(committed.ok());
    path = *committed;
    synced = recording.synced();
  }
  ASSERT_EQ(synced.size(), 2u);
  // The file was synced under its tmp/ name, before the rename into new/.
  EXPECT_EQ(fs::path(synced[0]).parent_path(), fs::path(root + "/tmp"));
  EXPECT_EQ(synced[1], root + "/new");
  EXPECT_EQ(fs::path(path).parent_path(), fs::path(root + "/new"));
  fs::remove_all(base);
}

TEST(Durability, QueueCommitFsyncsFileThenIncomingDirectory) {
  std::string base = temp_dir();
  auto store = make_file_queue_store(base);
  ASSERT_TRUE(store->init().ok());
  Envelope envelope;
  envelope.sender = "a@b.example";
  envelope.recipients.resize(1);
  envelope.recipients[0].address = "c@d.example";
  std::vector<std::string> synced;
  {
    Recording recording;
    auto message = store->create(envelope);
    ASSERT_TRUE(message.ok());
    ASSERT_TRUE((*message)->append("body\r\n").ok());
    ASSERT_TRUE((*message)->commit().ok());
    synced = recording.synced();
  }
  ASSERT_EQ(synced.size(), 2u);
  EXPECT_EQ(fs::path(synced[0]).filename().string().rfind(".tmp.", 0), 0u) << synced[0];
  EXPECT_EQ(synced[1], base + "/incoming");
  fs::remove_all(base);
}

TEST(Durability, QueueMoveFsyncsBothDirectoriesAndStateIsSynced) {
  std::string base = temp_dir();
  auto store = make_file_queue_store(base);
  ASSERT_TRUE(store->init().ok());
  Envelope envelope;
  envelope.sender = "a@b.example";
  envelope.recipients.resize(1);
  envelope.recipients[0].address = "c@d.example";
  auto message = store->create(envelope);
  ASSERT_TRUE(message.ok());
  ASSERT_TRUE((*message)->commit().ok());
  std::string id = (*message)->queue_id();
  Recording recording;
  ASSERT_TRUE(store->move(id, QueueName::kIncoming, QueueName::kDeferred, mail::Sync::kDurable).ok());
  auto synced = recording.synced();
  EXPECT_TRUE(contains(synced, base + "/deferred"));
  EXPECT_TRUE(contains(synced, base + "/incoming"));
  auto file = store->open(QueueName::kDeferred, id, true);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE(file->record_state(0, RecipientState::kPending, "452 4.2.2 Mailbox full", 1).ok());
  EXPECT_TRUE(contains(recording.synced(), base + "/deferred/" + id));
  fs::remove_all(base);
}

}  // namespace
}  // namespace gm::mail
