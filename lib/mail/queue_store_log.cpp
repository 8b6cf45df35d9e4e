// The file queue store with a queue log in front (queue_store.hpp,
// make_log_queue_store; the log itself: queue_log.hpp). Reading, moving and
// removing messages are the file store's; only commit and recovery differ.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <optional>
#include <unordered_set>

#include "core/log.hpp"
#include "core/str.hpp"
#include "core/unique_fd.hpp"
#include "mail/crc32c.hpp"
#include "mail/file_sink.hpp"
#include "mail/queue_done_list.hpp"
#include "mail/queue_id.hpp"
#include "mail/queue_log.hpp"
#include "mail/queue_recycle.hpp"
#include "mail/queue_store.hpp"

namespace gm::mail {
namespace {

constexpr QueueName kLiveQueues[] = {QueueName::kIncoming, QueueName::kActive, QueueName::kDeferred,
                                     QueueName::kHold};

bool exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

class LogQueueStore;

// A message kept in memory as its whole queue file until it outgrows
// kQueueLogMaxMessage; then it continues as a file store message.
class LogQueuedMessage : public QueuedMessage {
 public:
  LogQueuedMessage(LogQueueStore& store, Envelope envelope, std::string encoded)
      : store_(store), envelope_(std::move(envelope)) {
    header_.envelope_length = encoded.size();
    header_.envelope_crc = crc32c(encoded);
    file_ = str_cat(std::string(kQueueHeaderSize, '\0'), encoded);
  }
  const std::string& queue_id() const override { return envelope_.queue_id; }
  uint64_t content_size() const override { return content_size_; }
  Status append(std::string_view chunk) override;
  Result<std::string> commit() override;

 private:
  Status spill();

  LogQueueStore& store_;
  Envelope envelope_;
  QueueHeader header_;
  std::string file_;  // header (zeros until commit), envelope, content
  uint64_t content_size_ = 0;
  uint32_t content_crc_ = 0;
  std::optional<QueueFileWriter> spilled_;
};

class LogQueueStore : public QueueStore {
 public:
  LogQueueStore(std::string root, QueueLogStoreOptions options)
      : root_(std::move(root)),
        options_(std::move(options)),
        files_(make_file_queue_store(root_)),
        recycled_(root_) {}

  Status init() override {
    if (auto status = files_->init(); !status) return status;
    root_fd_.reset(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd_) return storage_error("open", root_);
    std::vector<std::string> recovered;
    std::optional<std::unordered_set<std::string>> done;
    // Every configured lane, and any further lane an earlier configuration
    // left: replayed and checkpointed (start), then closed.
    for (size_t lane = 0; lane < options_.lanes || exists(lane_segment(lane)); ++lane) {
      auto log = open_lane(lane);
      if (!log) return log.error();
      Status replayed = (*log)->replay([&](std::string_view id, std::string_view file) {
        if (recover(id, file, done)) recovered.emplace_back(id);
      });
      if (!replayed) return replayed;
      if (auto status = (*log)->start(); !status) return status;
      if (lane < options_.lanes) logs_.push_back(std::move(*log));
    }
    if (!recovered.empty())
      log::write(log::Level::kNotice, {},
                 str_cat("queue log ", options_.name, ": recovered ", recovered.size(),
                         " message(s) from the log"));
    if (options_.on_recovered)
      for (const std::string& id : recovered) options_.on_recovered(id);
    return {};
  }

  Result<std::unique_ptr<QueuedMessage>> create(Envelope envelope) override {
    if (logs_.empty()) return files_->create(std::move(envelope));  // no log: the file store's path
    envelope.queue_id = new_queue_id();
    auto encoded = encode_envelope(envelope);
    if (!encoded) return encoded.error();
    return std::unique_ptr<QueuedMessage>(
        std::make_unique<LogQueuedMessage>(*this, std::move(envelope), std::move(*encoded)));
  }

  bool create_blocks() const override { return logs_.empty(); }

  Result<std::vector<std::string>> list(QueueName queue) const override {
    return files_->list(queue);
  }
  Result<QueueFile> open(QueueName queue, std::string_view id, bool writable) const override {
    return files_->open(queue, id, writable);
  }
  Status move(std::string_view id, QueueName from, QueueName to, Sync sync) override {
    return files_->move(id, from, to, sync);
  }
  Status remove(QueueName queue, std::string_view id, Sync sync) override {
    return files_->remove(queue, id, sync);
  }
  Status recycle(QueueName queue, std::string_view id) override {
    return files_->recycle(queue, id);
  }
  void trim_recycled() override { files_->trim_recycled(); }
  Result<size_t> remove_stale(std::chrono::seconds max_age) override {
    return files_->remove_stale(max_age);
  }

  uint64_t log_limit() const { return logs_.front()->max_payload(); }
  std::string dir(QueueName queue) const { return str_cat(root_, '/', queue_dir_name(queue)); }

  // Durable in the log first, then the queue file without fsync (the next
  // checkpoint's syncfs makes it durable; until then the log has it).
  Result<std::string> commit_logged(const std::string& id, std::string_view file) {
    std::string temp = str_cat(dir(QueueName::kIncoming), "/.tmp.", id);
    if (auto status = write_temp(temp, file); !status) return status.error();
    // Round robin: consecutive commits go to different files, whose
    // fdatasyncs the disk runs in parallel.
    QueueLog& log = *logs_[next_lane_.fetch_add(1, std::memory_order_relaxed) % logs_.size()];
    auto ticket = log.append(id, file);
    if (!ticket) {
      ::unlink(temp.c_str());
      return ticket.error();
    }
    std::string final_path = str_cat(dir(QueueName::kIncoming), '/', id);
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, final_path.c_str(), RENAME_NOREPLACE)) {
      Error error = storage_error("rename", temp);
      ::unlink(temp.c_str());
      return error;
    }
    return final_path;
  }

 private:
  std::string lane_name(size_t lane) const {
    return lane == 0 ? options_.name : str_cat(options_.name, ".lane", lane);
  }
  std::string lane_segment(size_t lane) const {
    return str_cat(queue_log_directory(root_), '/', lane_name(lane), ".0");
  }
  Result<std::unique_ptr<QueueLog>> open_lane(size_t lane) {
    QueueLogOptions log_options;
    log_options.directory = queue_log_directory(root_);
    log_options.name = lane_name(lane);
    if (options_.segment_size) log_options.segment_size = options_.segment_size;
    if (options_.checkpoint_interval.count() > 0)
      log_options.checkpoint_interval = options_.checkpoint_interval;
    log_options.sync_store = [this] { return sync_store(); };
    return QueueLog::open(std::move(log_options));
  }

  Status sync_store() {
    if (::syncfs(root_fd_.get()) != 0) return storage_error("syncfs", root_);
    if (auto status = rotate_done_list(queue_log_directory(root_)); !status)
      log::error(str_cat("queue done list: ", status.error().message));
    return {};
  }

  // The temporary queue file of a commit: a recycled file when the pool has
  // one (no inode allocated), else a new one; no fsync.
  Status write_temp(const std::string& temp, std::string_view file) {
    UniqueFd fd = recycled_.take(temp);
    if (!fd) return write_file(temp, file, false);
    Status written = pwrite_all(fd.get(), file, 0, temp);
    if (written && ::ftruncate(fd.get(), static_cast<off_t>(file.size())) != 0)
      written = storage_error("ftruncate", temp);
    if (!written) ::unlink(temp.c_str());
    return written;
  }

  // Writes `file` to `path` (a fresh name unless replace); no fsync.
  static Status write_file(const std::string& path, std::string_view file, bool replace) {
    if (replace) ::unlink(path.c_str());
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return storage_error("create", path);
    if (auto status = pwrite_all(fd.get(), file, 0, path); !status) {
      ::unlink(path.c_str());
      return status;
    }
    return {};
  }

  // Puts `file` at `target` through a temporary name in incoming/.
  Status restore(const std::string& id, std::string_view file, const std::string& target,
                 bool replace) {
    std::string temp = str_cat(dir(QueueName::kIncoming), "/.tmp.", id);
    if (auto status = write_file(temp, file, true); !status) return status;
    unsigned flags = replace ? 0 : RENAME_NOREPLACE;
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), flags) != 0) {
      Error error = storage_error("rename", temp);
      ::unlink(temp.c_str());
      return error;
    }
    return {};
  }

  // One record after the last checkpoint: true if its queue file had to be
  // recreated (missing, torn, or moved to corrupt/).
  bool recover(std::string_view id_view, std::string_view file,
               std::optional<std::unordered_set<std::string>>& done) {
    std::string id(id_view);
    if (!is_valid_queue_id(id) || !decode_queue_file(file)) {
      log::error(str_cat("queue log ", options_.name, ": unusable record for ", printable(id, 40)));
      return false;
    }
    for (QueueName queue : kLiveQueues) {
      std::string path = str_cat(dir(queue), '/', id);
      if (!exists(path)) continue;
      auto current = QueueFile::open(path);
      if (current && current->verify_content()) return false;  // intact
      return report(id, "rewrote a damaged queue file", restore(id, file, path, true));
    }
    std::string corrupt = str_cat(dir(QueueName::kCorrupt), '/', id);
    if (exists(corrupt)) {
      Status status = restore(id, file, str_cat(dir(QueueName::kIncoming), '/', id), false);
      if (status) ::unlink(corrupt.c_str());
      return report(id, "restored from corrupt/", status);
    }
    if (!done) {
      auto loaded = load_done_list(queue_log_directory(root_));
      done = loaded ? std::move(*loaded) : std::unordered_set<std::string>{};
    }
    if (done->contains(id)) return false;  // delivered and removed
    return report(id, "recreated a missing queue file",
                  restore(id, file, str_cat(dir(QueueName::kIncoming), '/', id), false));
  }

  bool report(const std::string& id, std::string_view what, const Status& status) {
    if (!status) {
      log::error(str_cat(id, ": queue log recovery failed: ", status.error().message));
      return false;
    }
    log::write(log::Level::kNotice, {}, str_cat(id, ": queue log recovery: ", what));
    return true;
  }

  std::string root_;
  QueueLogStoreOptions options_;
  std::unique_ptr<QueueStore> files_;
  RecycledQueueFiles recycled_;
  UniqueFd root_fd_;
  std::vector<std::unique_ptr<QueueLog>> logs_;
  std::atomic<size_t> next_lane_{0};
};

Status LogQueuedMessage::append(std::string_view chunk) {
  if (spilled_) return spilled_->append(chunk);
  if (content_size_ + chunk.size() > kQueueLogMaxMessage) {
    if (auto status = spill(); !status) return status;
    return spilled_->append(chunk);
  }
  file_ += chunk;
  content_size_ += chunk.size();
  content_crc_ = crc32c(chunk, content_crc_);
  return {};
}

Status LogQueuedMessage::spill() {
  auto writer = QueueFileWriter::create(store_.dir(QueueName::kIncoming), envelope_);
  if (!writer) return writer.error();
  spilled_.emplace(std::move(*writer));
  std::string_view content = std::string_view(file_).substr(header_.content_offset());
  if (auto status = spilled_->append(content); !status) return status;
  file_.clear();
  file_.shrink_to_fit();
  return {};
}

Result<std::string> LogQueuedMessage::commit() {
  if (!spilled_ && file_.size() > store_.log_limit())
    if (auto status = spill(); !status) return status.error();
  if (spilled_) return spilled_->commit();
  header_.content_length = content_size_;
  header_.content_crc = content_crc_;
  file_.replace(0, kQueueHeaderSize, encode_header(header_));
  return store_.commit_logged(envelope_.queue_id, file_);
}

}  // namespace

std::unique_ptr<QueueStore> make_log_queue_store(std::string root, QueueLogStoreOptions options) {
  return std::make_unique<LogQueueStore>(std::move(root), std::move(options));
}

}  // namespace gm::mail
