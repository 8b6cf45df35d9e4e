// The one-file-per-message queue store (Postfix's layout): each message is a
// queue file (queue_file.hpp) named by its queue ID, and a move between
// queues is a rename. Uncommitted files are ".tmp.<id>" in incoming/.
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/durable_file.hpp"
#include "core/log.hpp"
#include "core/str.hpp"
#include "mail/file_sink.hpp"
#include "mail/queue_done_list.hpp"
#include "mail/queue_id.hpp"
#include "mail/queue_recycle.hpp"
#include "mail/queue_store.hpp"

namespace gm::mail {
namespace {

constexpr std::string_view kTempPrefix = ".tmp.";
constexpr int kCreateAttempts = 3;  // fresh IDs tried when a name is taken

class FileQueuedMessage : public QueuedMessage {
 public:
  explicit FileQueuedMessage(QueueFileWriter writer) : writer_(std::move(writer)) {}
  const std::string& queue_id() const override { return writer_.queue_id(); }
  Status append(std::string_view chunk) override { return writer_.append(chunk); }
  Result<std::string> commit() override { return writer_.commit(); }
  uint64_t content_size() const override { return writer_.content_size(); }

 private:
  QueueFileWriter writer_;
};

class FileQueueStore : public QueueStore {
 public:
  explicit FileQueueStore(std::string root) : root_(std::move(root)), recycler_(root_) {}

  Status init() override {
    for (QueueName queue : kAllQueues)
      if (auto status = core::make_directories(dir(queue), 0700); !status) return status;
    return core::make_directories(queue_recycle_directory(root_), 0700);
  }

  Result<std::unique_ptr<QueuedMessage>> create(Envelope envelope) override {
    Error last;
    for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
      envelope.queue_id = new_queue_id();
      auto writer = QueueFileWriter::create(dir(QueueName::kIncoming), envelope);
      if (writer)
        return std::unique_ptr<QueuedMessage>(
            std::make_unique<FileQueuedMessage>(std::move(*writer)));
      last = writer.error();
    }
    return last;
  }

  Result<std::vector<std::string>> list(QueueName queue) const override {
    std::string path = dir(queue);
    DIR* d = ::opendir(path.c_str());
    if (!d) return make_error(str_cat("opendir ", path, ": ", std::strerror(errno)));
    std::vector<std::string> ids;
    while (const dirent* entry = ::readdir(d))
      if (is_valid_queue_id(entry->d_name)) ids.emplace_back(entry->d_name);
    ::closedir(d);
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  Result<QueueFile> open(QueueName queue, std::string_view id, bool writable) const override {
    if (!is_valid_queue_id(id)) return make_error(str_cat("bad queue id ", printable(id, 40)));
    return QueueFile::open(str_cat(dir(queue), '/', id), writable);
  }

  Status move(std::string_view id, QueueName from, QueueName to, Sync sync) override {
    if (!is_valid_queue_id(id)) return make_error(str_cat("bad queue id ", printable(id, 40)));
    std::string source = str_cat(dir(from), '/', id), target = str_cat(dir(to), '/', id);
    if (::renameat2(AT_FDCWD, source.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0)
      return storage_error("rename", source);
    if (sync == Sync::kLazy) return {};
    // The new name first: a crash between the two leaves the message findable.
    if (auto status = core::fsync_directory(dir(to)); !status) return status;
    return core::fsync_directory(dir(from));
  }

  Status remove(QueueName queue, std::string_view id, Sync sync) override {
    if (!is_valid_queue_id(id)) return make_error(str_cat("bad queue id ", printable(id, 40)));
    std::string path = str_cat(dir(queue), '/', id);
    // Before the unlink: a queue log's recovery must not bring it back.
    if (auto done = append_done(queue_log_directory(root_), id); !done)
      log::error(str_cat("queue done list: ", done.error().message));
    if (::unlink(path.c_str()) != 0) return storage_error("unlink", path);
    if (sync == Sync::kLazy) return {};
    return core::fsync_directory(dir(queue));
  }

  Status recycle(QueueName queue, std::string_view id) override {
    if (!is_valid_queue_id(id)) return make_error(str_cat("bad queue id ", printable(id, 40)));
    if (auto done = append_done(queue_log_directory(root_), id); !done)
      log::error(str_cat("queue done list: ", done.error().message));
    return recycler_.recycle(str_cat(dir(queue), '/', id), id);
  }

  void trim_recycled() override { recycler_.trim(); }

  Result<size_t> remove_stale(std::chrono::seconds max_age) override {
    std::string path = dir(QueueName::kIncoming);
    DIR* d = ::opendir(path.c_str());
    if (!d) return make_error(str_cat("opendir ", path, ": ", std::strerror(errno)));
    size_t removed = 0;
    time_t cutoff = std::time(nullptr) - static_cast<time_t>(max_age.count());
    while (const dirent* entry = ::readdir(d)) {
      std::string_view name = entry->d_name;
      if (name.substr(0, kTempPrefix.size()) != kTempPrefix) continue;
      std::string file = str_cat(path, '/', name);
      struct stat st;
      if (::lstat(file.c_str(), &st) == 0 && st.st_mtime < cutoff && ::unlink(file.c_str()) == 0)
        ++removed;
    }
    ::closedir(d);
    return removed;
  }

 private:
  std::string dir(QueueName queue) const { return str_cat(root_, '/', queue_dir_name(queue)); }

  std::string root_;
  QueueRecycler recycler_;
};

}  // namespace

std::string_view queue_dir_name(QueueName queue) {
  switch (queue) {
    case QueueName::kIncoming:
      return "incoming";
    case QueueName::kActive:
      return "active";
    case QueueName::kDeferred:
      return "deferred";
    case QueueName::kHold:
      return "hold";
    case QueueName::kCorrupt:
      return "corrupt";
  }
  return "incoming";
}

Result<QueueName> parse_queue_name(std::string_view name) {
  for (QueueName queue : kAllQueues)
    if (queue_dir_name(queue) == name) return queue;
  return make_error(str_cat("unknown queue ", printable(name, 40)));
}

std::string queue_log_directory(const std::string& root) {
  return str_cat(root, "/log");
}

std::unique_ptr<QueueStore> make_file_queue_store(std::string root) {
  return std::make_unique<FileQueueStore>(std::move(root));
}

}  // namespace gm::mail
