#include "mail/queue_file.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "core/durable_file.hpp"
#include "mail/crc32c.hpp"
#include "mail/queue_id.hpp"
#include "mail/queue_store.hpp"

namespace gm::mail {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "gm_queue_test.XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Envelope sample_envelope() {
  Envelope e;
  e.arrival_micros = 1700000000123456;
  e.sender = "alice@example.org";
  e.envid = "ENV-1";
  e.ret = DsnRet::kHeaders;
  e.body = BodyType::k8BitMime;
  e.smtputf8 = true;
  e.declared_size = 1234;
  e.client = {"192.0.2.7", "client.example.org", "client.example.org", "ESMTPSA"};
  e.auth_user = "alice";
  e.tls_version = "TLSv1.3";
  e.tls_cipher = "TLS_AES_256_GCM_SHA384";
  QueueRecipient bob;
  bob.address = "bob@example.net";
  bob.orcpt = "rfc822;bob@example.net";
  bob.notify = kNotifySuccess | kNotifyFailure;
  QueueRecipient carol;
  carol.address = "carol@example.net";
  e.recipients = {bob, carol};
  return e;
}

std::string slurp(const std::string& path) {
  return *core::read_file(path, 1 << 30);
}
void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

std::string read_all(const QueueFile& file) {
  std::string out;
  EXPECT_TRUE(file.read_content([&](std::string_view chunk) -> Status {
                    out.append(chunk);
                    return {};
                  })
                  .ok());
  return out;
}

struct Queued {
  std::string id;
  std::string path;
};

Queued queue_message(QueueStore& store, std::string_view content) {
  auto message = store.create(sample_envelope());
  EXPECT_TRUE(message.ok());
  EXPECT_TRUE((*message)->append(content.substr(0, 5)).ok());
  EXPECT_TRUE((*message)->append(content.substr(5)).ok());
  auto path = (*message)->commit();
  EXPECT_TRUE(path.ok()) << path.error().message;
  return {(*message)->queue_id(), *path};
}

TEST(QueueFile, RoundTripKeepsEnvelopeAndContent) {
  TempDir dir;
  auto store = make_file_queue_store(dir.path());
  ASSERT_TRUE(store->init().ok());
  std::string content = "Subject: hi\r\n\r\nHello\r\n";
  Queued queued = queue_message(*store, content);
  EXPECT_TRUE(is_valid_queue_id(queued.id));
  EXPECT_EQ(queued.path, dir.path() + "/incoming/" + queued.id);
  EXPECT_EQ(*store->list(QueueName::kIncoming), std::vector<std::string>{queued.id});

  auto file = store->open(QueueName::kIncoming, queued.id, false);
  ASSERT_TRUE(file.ok()) << file.error().message;
  const Envelope& e = file->envelope();
  Envelope want = sample_envelope();
  EXPECT_EQ(e.queue_id, queued.id);
  EXPECT_EQ(e.arrival_micros, want.arrival_micros);
  EXPECT_EQ(e.sender, want.sender);
  EXPECT_EQ(e.envid, "ENV-1");
  EXPECT_EQ(e.ret, DsnRet::kHeaders);
  EXPECT_EQ(e.body, BodyType::k8BitMime);
  EXPECT_TRUE(e.smtputf8);
  EXPECT_EQ(e.declared_size, 1234u);
  EXPECT_EQ(e.client.address, "192.0.2.7");
  EXPECT_EQ(e.client.protocol, "ESMTPSA");
  EXPECT_EQ(e.auth_user, "alice");
  EXPECT_EQ(e.tls_cipher, "TLS_AES_256_GCM_SHA384");
  ASSERT_EQ(e.recipients.size(), 2u);
  EXPECT_EQ(e.recipients[0].orcpt, "rfc822;bob@example.net");
  EXPECT_EQ(e.recipients[0].notify, kNotifySuccess | kNotifyFailure);
  EXPECT_EQ(e.recipients[1].state, RecipientState::kPending);
  EXPECT_EQ(file->content_length(), content.size());
  EXPECT_EQ(read_all(*file), content);
  EXPECT_TRUE(decode_queue_file(slurp(queued.path)).ok());
}

TEST(QueueFile, NullSenderRoundTrips) {
  TempDir dir;
  Envelope e = sample_envelope();
  e.sender.clear();
  e.queue_id = new_queue_id();
  auto writer = QueueFileWriter::create(dir.path(), e);
  ASSERT_TRUE(writer.ok());
  auto path = writer->commit();
  ASSERT_TRUE(path.ok());
  auto file = QueueFile::open(*path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->envelope().sender, "");
  EXPECT_EQ(file->content_length(), 0u);
}

TEST(QueueFile, UncommittedFileIsInvisibleAndDetectable) {
  TempDir dir;
  Envelope e = sample_envelope();
  e.queue_id = new_queue_id();
  std::string temp = dir.path() + "/.tmp." + e.queue_id;
  {
    auto writer = QueueFileWriter::create(dir.path(), e, 4096);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(writer->append(std::string(10000, 'x')).ok());
    ASSERT_TRUE(fs::exists(temp));
    auto open = QueueFile::open(temp);
    ASSERT_FALSE(open.ok());
    EXPECT_NE(open.error().message.find("never committed"), std::string::npos)
        << open.error().message;
    EXPECT_FALSE(fs::exists(dir.path() + "/" + e.queue_id));
  }
  EXPECT_FALSE(fs::exists(temp)) << "abandoned writer must remove its file";
}

TEST(QueueFile, TruncatedFileIsDetected) {
  TempDir dir;
  auto store = make_file_queue_store(dir.path());
  ASSERT_TRUE(store->init().ok());
  Queued queued = queue_message(*store, std::string(3000, 'm'));
  std::string bytes = slurp(queued.path);
  for (size_t cut : {bytes.size() - 1, bytes.size() - 2000, size_t{100}, size_t{39}, size_t{0}}) {
    spit(queued.path, bytes.substr(0, cut));
    auto file = QueueFile::open(queued.path);
    EXPECT_FALSE(file.ok()) << "cut at " << cut;
    if (!file.ok()) {
      EXPECT_EQ(file.error().message.rfind("corrupt queue file:", 0), 0u) << file.error().message;
    }
    EXPECT_FALSE(decode_queue_file(bytes.substr(0, cut)).ok());
  }
}

TEST(QueueFile, CorruptBytesAreRejected) {
  TempDir dir;
  auto store = make_file_queue_store(dir.path());
  ASSERT_TRUE(store->init().ok());
  Queued queued = queue_message(*store, "Subject: x\r\n\r\nbody\r\n");
  std::string good = slurp(queued.path);
  auto flipped = [&](size_t at) {
    std::string bad = good;
    bad[at] ^= 0x20;
    return bad;
  };
  spit(queued.path, flipped(10));  // header
  EXPECT_FALSE(QueueFile::open(queued.path).ok());
  spit(queued.path, flipped(kQueueHeaderSize + 8));  // envelope
  auto envelope = QueueFile::open(queued.path);
  ASSERT_FALSE(envelope.ok());
  EXPECT_NE(envelope.error().message.find("checksum"), std::string::npos);
  spit(queued.path, flipped(good.size() - 3));  // content: found when streamed
  auto content = QueueFile::open(queued.path);
  ASSERT_TRUE(content.ok());
  EXPECT_FALSE(content->verify_content().ok());
  EXPECT_FALSE(decode_queue_file(flipped(good.size() - 3)).ok());
  spit(queued.path, "not a queue file at all, just some text that is long enough");
  EXPECT_FALSE(QueueFile::open(queued.path).ok());
}

TEST(QueueFile, RecipientStateIsAppendedDurablyAndSurvivesReopen) {
  TempDir dir;
  auto store = make_file_queue_store(dir.path());
  ASSERT_TRUE(store->init().ok());
  Queued queued = queue_message(*store, "Subject: x\r\n\r\nbody\r\n");
  {
    auto file = store->open(QueueName::kIncoming, queued.id, true);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(file->record_state(1, RecipientState::kPending, "452 4.2.2 Mailbox full", 5).ok());
    ASSERT_TRUE(file->record_state(0, RecipientState::kDelivered, "250 2.0.0 Ok", 6).ok());
    EXPECT_EQ(file->envelope().recipients[0].state, RecipientState::kDelivered);
    EXPECT_FALSE(file->record_state(2, RecipientState::kFailed, "x", 7).ok());
  }
  auto file = store->open(QueueName::kIncoming, queued.id, true);
  ASSERT_TRUE(file.ok()) << file.error().message;
  const auto& r = file->envelope().recipients;
  EXPECT_EQ(r[0].state, RecipientState::kDelivered);
  EXPECT_EQ(r[0].last_reply, "250 2.0.0 Ok");
  EXPECT_EQ(r[1].state, RecipientState::kPending);
  EXPECT_EQ(r[1].last_reply, "452 4.2.2 Mailbox full");
  EXPECT_EQ(r[1].attempts, 1u);
  EXPECT_EQ(r[1].last_attempt_micros, 5u);
  ASSERT_TRUE(file->record_state(1, RecipientState::kFailed, "550 5.1.1 User unknown", 8).ok());
  EXPECT_EQ(read_all(*file), "Subject: x\r\n\r\nbody\r\n");
}

TEST(QueueFile, TornStateRecordIsDroppedAndOverwritten) {
  TempDir dir;
  auto store = make_file_queue_store(dir.path());
  ASSERT_TRUE(store->init().ok());
  Queued queued = queue_message(*store, "body\r\n");
  {
    auto file = store->open(QueueName::kIncoming, queued.id, true);
    ASSERT_TRUE(file->record_state(0, RecipientState::kDelivered, "250 ok", 1).ok());
  }
  std::string whole = slurp(queued.path);
  std::string torn = encode_state_record({1, RecipientState::kFailed, 2, "550 no"});
  spit(queued.path, whole + torn.substr(0, torn.size() - 3));  // crash mid-append
  {
    auto file = store->open(QueueName::kIncoming, queued.id, true);
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->envelope().recipients[1].state, RecipientState::kPending);
    ASSERT_TRUE(file->record_state(1, RecipientState::kDelivered, "250 ok", 3).ok());
  }
  auto file = store->open(QueueName::kIncoming, queued.id, false);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->envelope().recipients[1].state, RecipientState::kDelivered);
  EXPECT_EQ(file->envelope().recipients[1].attempts, 1u);

  // Damage before the last record is corruption, not a torn tail.
  std::string damaged = slurp(queued.path);
  size_t first_record =
      whole.size() - encode_state_record({0, RecipientState::kDelivered, 1, "250 ok"}).size();
  damaged[first_record + 10] ^= 1;
  spit(queued.path, damaged);
  EXPECT_FALSE(QueueFile::open(queued.path).ok());
}

TEST(QueueFile, FiftyMegabytesStreamThroughABoundedBuffer) {
  TempDir dir;
  Envelope e = sample_envelope();
  e.queue_id = new_queue_id();
  auto writer = QueueFileWriter::create(dir.path(), e);
  ASSERT_TRUE(writer.ok());
  constexpr size_t kTotal = 50u << 20;
  std::string chunk(100003, '\0');  // odd size: chunks straddle the buffer boundary
  uint32_t crc = 0;
  size_t written = 0;
  for (uint32_t n = 0; written < kTotal; ++n) {
    for (size_t i = 0; i < chunk.size(); i += 64) chunk[i] = static_cast<char>('a' + (n + i) % 26);
    std::string_view piece(chunk.data(), std::min(chunk.size(), kTotal - written));
    crc = crc32c(piece, crc);
    ASSERT_TRUE(writer->append(piece).ok());
    written += piece.size();
  }
  EXPECT_LE(writer->buffer_high_water(), kQueueWriteBuffer);
  auto path = writer->commit();
  ASSERT_TRUE(path.ok()) << path.error().message;
  auto file = QueueFile::open(*path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->content_length(), kTotal);
  size_t got = 0, largest = 0;
  uint32_t read_crc = 0;
  ASSERT_TRUE(file->read_content([&](std::string_view piece) -> Status {
                    got += piece.size();
                    largest = std::max(largest, piece.size());
                    read_crc = crc32c(piece, read_crc);
                    return {};
                  })
                  .ok());
  EXPECT_EQ(got, kTotal);
  EXPECT_EQ(read_crc, crc);
  EXPECT_LE(largest, kQueueReadChunk);
}

TEST(QueueFile, WriteFailureIsTemporaryAndLeavesNothing) {
  TempDir dir;
  Envelope e = sample_envelope();
  e.queue_id = new_queue_id();
  // A file size limit stands in for a full disk: write() fails with EFBIG.
  struct rlimit old_limit;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = {1 << 20, old_limit.rlim_max};
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  Status failed;
  {
    auto writer = QueueFileWriter::create(dir.path(), e);
    ASSERT_TRUE(writer.ok());
    for (int i = 0; i < 40 && failed.ok(); ++i) failed = writer->append(std::string(65536, 'x'));
  }
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, 452);
  EXPECT_EQ(failed.error().message.rfind("4.3.1 ", 0), 0u);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(QueueStore, MovesBetweenQueuesAndRemoves) {
  TempDir dir;
  auto store = make_file_queue_store(dir.path());
  ASSERT_TRUE(store->init().ok());
  Queued a = queue_message(*store, "first message");
  Queued b = queue_message(*store, "second message");
  EXPECT_LT(a.id, b.id);
  ASSERT_TRUE(store->move(a.id, QueueName::kIncoming, QueueName::kActive, Sync::kDurable).ok());
  EXPECT_EQ(*store->list(QueueName::kIncoming), std::vector<std::string>{b.id});
  EXPECT_EQ(*store->list(QueueName::kActive), std::vector<std::string>{a.id});
  EXPECT_FALSE(store->move(a.id, QueueName::kIncoming, QueueName::kActive, Sync::kDurable).ok());
  ASSERT_TRUE(store->open(QueueName::kActive, a.id, false).ok());
  ASSERT_TRUE(store->remove(QueueName::kActive, a.id, Sync::kDurable).ok());
  EXPECT_TRUE(store->list(QueueName::kActive)->empty());
  EXPECT_FALSE(store->open(QueueName::kIncoming, "../../etc/passwd", false).ok());
  EXPECT_EQ(*parse_queue_name("deferred"), QueueName::kDeferred);
  EXPECT_FALSE(parse_queue_name("elsewhere").ok());
}

TEST(QueueStore, RemovesStaleTemporaries) {
  TempDir dir;
  auto store = make_file_queue_store(dir.path());
  ASSERT_TRUE(store->init().ok());
  auto pending = store->create(sample_envelope());
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(*store->remove_stale(std::chrono::seconds(3600)), 0u);
  EXPECT_EQ(*store->remove_stale(std::chrono::seconds(-10)), 1u);
}

TEST(QueueId, FormatAndTime) {
  auto id = make_queue_id(1700000000000000, 4194303, 238327);
  EXPECT_EQ(id.size(), kQueueIdLength);
  EXPECT_TRUE(is_valid_queue_id(id));
  EXPECT_EQ(*queue_id_micros(id), 1700000000000000u);
  EXPECT_LT(make_queue_id(1, 9999, 999), make_queue_id(2, 0, 0));
  EXPECT_FALSE(is_valid_queue_id("short"));
  EXPECT_FALSE(is_valid_queue_id(".tmp.ABCDEFGHIJKL"));
  EXPECT_FALSE(is_valid_queue_id("../../etc/passwdx"));
}

TEST(QueueId, UniqueAcrossThreadsAndSortedWithinOne) {
  constexpr int kThreads = 8, kEach = 20000;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) ids[t].push_back(new_queue_id());
    });
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (const auto& list : ids) {
    EXPECT_TRUE(std::is_sorted(list.begin(), list.end()));
    all.insert(list.begin(), list.end());
  }
  EXPECT_EQ(all.size(), size_t{kThreads} * kEach);
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto t = *queue_id_micros(ids[0].back());
  EXPECT_LE(static_cast<int64_t>(t), now + 1000000);
  EXPECT_GE(static_cast<int64_t>(t), now - 60000000);
}

TEST(QueueId, UniqueAcrossProcesses) {
  constexpr int kChildren = 4, kEach = 5000;
  TempDir dir;
  std::vector<pid_t> children;
  for (int c = 0; c < kChildren; ++c) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::string out;
      for (int i = 0; i < kEach; ++i) out += new_queue_id() + "\n";
      std::ofstream(dir.path() + "/ids" + std::to_string(c)) << out;
      ::_exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  std::set<std::string> all;
  for (int c = 0; c < kChildren; ++c) {
    std::ifstream in(dir.path() + "/ids" + std::to_string(c));
    for (std::string id; std::getline(in, id);) {
      EXPECT_TRUE(is_valid_queue_id(id));
      all.insert(id);
    }
  }
  EXPECT_EQ(all.size(), size_t{kChildren} * kEach);
}

}  // namespace
}  // namespace gm::mail
