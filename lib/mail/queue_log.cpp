#include "mail/queue_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "core/durable_file.hpp"
#include "core/log.hpp"
#include "core/str.hpp"
#include "mail/file_sink.hpp"

namespace gm::mail {
namespace {

constexpr size_t kZeroFillChunk = 1 << 20;

// Writes the iovecs at offset, retrying short writes.
Status pwritev_all(int fd, std::vector<iovec> iov, uint64_t offset, const std::string& path) {
  size_t first = 0;
  while (first < iov.size()) {
    ssize_t n = ::pwritev(fd, iov.data() + first, static_cast<int>(iov.size() - first),
                          static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return storage_error("write", path);
    offset += static_cast<uint64_t>(n);
    auto left = static_cast<size_t>(n);
    while (first < iov.size() && left >= iov[first].iov_len) left -= iov[first++].iov_len;
    if (left > 0) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return {};
}

// One valid record found by a scan, and where.
struct Found {
  size_t segment;
  LogPosition position;
  size_t size;
  LogRecordType type;
};

// The records of one segment from offset 0 while they are whole and of the
// first record's generation. Sets segment.generation.
template <typename Segment>
Result<std::vector<Found>> scan_segment(Segment& segment, size_t index) {
  std::vector<Found> found;
  uint64_t offset = 0;
  segment.generation = 0;
  while (offset + kLogRecordHeader + kLogRecordTrailer <= segment.size) {
    auto header = pread_exact(segment.fd.get(), offset, kLogRecordHeader, segment.path);
    if (!header) return header.error();
    auto size = log_record_extent(*header, segment.size - offset);
    if (!size) break;
    auto bytes = pread_exact(segment.fd.get(), offset, *size, segment.path);
    if (!bytes) return bytes.error();
    auto record = decode_log_record(*bytes);
    if (!record) break;
    if (found.empty()) segment.generation = record->generation;
    if (record->generation != segment.generation || record->generation == 0) break;
    found.push_back({index, {record->generation, offset}, *size, record->type});
    offset += *size;
  }
  if (found.empty()) segment.generation = 0;
  return found;
}

// The generation of the segment's first record; 0: none (new or torn).
template <typename Segment>
Result<uint64_t> first_generation(const Segment& segment) {
  auto header = pread_exact(segment.fd.get(), 0, kLogRecordHeader, segment.path);
  if (!header) return header.error();
  auto size = log_record_extent(*header, segment.size);
  if (!size) return 0;
  auto bytes = pread_exact(segment.fd.get(), 0, *size, segment.path);
  if (!bytes) return bytes.error();
  auto record = decode_log_record(*bytes);
  return record ? record->generation : 0;
}

}  // namespace

QueueLog::Ticket::~Ticket() {
  if (log_) log_->filed(position_);
}

Result<std::unique_ptr<QueueLog>> QueueLog::open(QueueLogOptions options) {
  if (options.segment_size < kQueueLogMinSegment)
    return make_error(str_cat("queue log: segment size below ", kQueueLogMinSegment));
  if (auto status = core::make_directories(options.directory, 0700); !status) return status.error();
  std::unique_ptr<QueueLog> log(new QueueLog(std::move(options)));
  // One writer per log: a second process of the same name (services.conf
  // limit above 1) must not interleave records; it gets an error instead.
  std::string lock_path = str_cat(log->options_.directory, '/', log->options_.name, ".lock");
  log->lock_.reset(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!log->lock_) return storage_error("open", lock_path);
  if (::flock(log->lock_.get(), LOCK_EX | LOCK_NB) != 0)
    return make_error(str_cat("queue log ", lock_path, " is in use by another process"));
  for (size_t i = 0; i < kQueueLogSegments; ++i)
    if (auto status = log->open_segment(i); !status) return status.error();
  return log;
}

Status QueueLog::open_segment(size_t index) {
  Segment& segment = segments_[index];
  segment.path = str_cat(options_.directory, '/', options_.name, '.', index);
  segment.fd.reset(::open(segment.path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!segment.fd) return storage_error("open", segment.path);
  struct stat st;
  if (::fstat(segment.fd.get(), &st) != 0) return storage_error("stat", segment.path);
  auto have = static_cast<uint64_t>(st.st_size);
  segment.size = std::max(have, options_.segment_size);
  if (have < segment.size)
    if (auto status = zero_fill(segment, have); !status) return status;
  auto generation = first_generation(segment);
  if (!generation) return generation.error();
  segment.generation = *generation;
  return {};
}

// Written zeros, once: later overwrites allocate nothing.
Status QueueLog::zero_fill(const Segment& segment, uint64_t from) {
  std::string zeros(kZeroFillChunk, '\0');
  for (uint64_t at = from; at < segment.size; at += zeros.size()) {
    std::string_view chunk(
        zeros.data(), static_cast<size_t>(std::min<uint64_t>(zeros.size(), segment.size - at)));
    if (auto status = pwrite_all(segment.fd.get(), chunk, at, segment.path); !status) return status;
  }
  if (::fsync(segment.fd.get()) != 0) return storage_error("fsync", segment.path);
  return core::fsync_directory(options_.directory);
}

QueueLog::~QueueLog() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (checkpointer_.joinable()) checkpointer_.join();
}

uint64_t QueueLog::max_payload() const {
  // A segment holds its checkpoint record and at least two messages.
  return options_.segment_size / 2 - kLogRecordHeader - kLogRecordTrailer - 64;
}

Status QueueLog::replay(
    const std::function<void(std::string_view id, std::string_view queue_file)>& fn) {
  std::vector<Found> all;
  for (size_t i = 0; i < kQueueLogSegments; ++i) {
    auto found = scan_segment(segments_[i], i);
    if (!found) return found.error();
    all.insert(all.end(), found->begin(), found->end());
  }
  std::sort(all.begin(), all.end(),
            [](const Found& a, const Found& b) { return a.position < b.position; });
  LogPosition from;
  for (const Found& f : all) {
    if (f.type != LogRecordType::kCheckpoint) continue;
    const Segment& segment = segments_[f.segment];
    auto bytes = pread_exact(segment.fd.get(), f.position.offset, f.size, segment.path);
    if (!bytes) return bytes.error();
    auto record = decode_log_record(*bytes);
    if (!record) continue;
    if (auto covered = decode_checkpoint_payload(record->payload); covered)
      from = std::max(from, *covered);
  }
  for (const Found& f : all) {
    if (f.type != LogRecordType::kMessage || f.position < from) continue;
    const Segment& segment = segments_[f.segment];
    auto bytes = pread_exact(segment.fd.get(), f.position.offset, f.size, segment.path);
    if (!bytes) return bytes.error();
    if (auto record = decode_log_record(*bytes); record) fn(record->queue_id, record->payload);
  }
  return {};
}

Status QueueLog::start() {
  if (auto status = options_.sync_store(); !status) return status;
  // The segment without records, or the older one: everything in it is in
  // the file store now (replayed and synced).
  size_t index = 0;
  uint64_t newest = 0;
  for (size_t i = 0; i < kQueueLogSegments; ++i) newest = std::max(newest, segments_[i].generation);
  for (size_t i = 1; i < kQueueLogSegments; ++i)
    if (segments_[i].generation < segments_[index].generation) index = i;
  {
    std::lock_guard lock(mutex_);
    if (auto status = begin_generation(index, newest + 1); !status) return status;
    if (::fdatasync(segments_[index].fd.get()) != 0)
      return storage_error("fdatasync", segments_[index].path);
    started_ = true;
  }
  checkpointer_ = std::thread([this] { checkpoint_loop(); });
  return {};
}

// Under mutex_: the segment gets a new generation, opened by a checkpoint
// record saying nothing before it is needed.
Status QueueLog::begin_generation(size_t index, uint64_t generation) {
  Segment& segment = segments_[index];
  LogPosition start{generation, 0};
  std::string record = encode_log_record(LogRecordType::kCheckpoint, generation, "",
                                         encode_checkpoint_payload(start));
  if (auto status = pwrite_all(segment.fd.get(), record, 0, segment.path); !status) return status;
  segment.generation = generation;
  current_ = index;
  generation_ = generation;
  offset_ = record.size();
  checkpointed_ = start;
  message_end_ = start;
  return {};
}

Result<QueueLog::Ticket> QueueLog::append(std::string_view queue_id, std::string_view queue_file) {
  if (queue_file.size() > max_payload())
    return make_error("4.3.1 message too large for the queue log", 452);
  Waiter waiter;
  waiter.head = log_record_head(LogRecordType::kMessage, queue_id, queue_file);
  waiter.payload = queue_file;
  if (auto status = commit(waiter); !status) return status.error();
  return Ticket(this, waiter.position);
}

Status QueueLog::commit(Waiter& waiter) {
  std::unique_lock lock(mutex_);
  if (!started_) return make_error("4.3.0 queue log not started", 451);
  pending_.push_back(&waiter);
  while (!waiter.done) {
    if (flushing_) {
      changed_.wait(lock);
      continue;
    }
    flushing_ = true;
    lead(lock, waiter);
    flushing_ = false;
    changed_.notify_all();
  }
  return waiter.status;
}

// The leader writes batches until its own record is done, then hands over
// to a follower: it must not wait in switch_segment for tickets while its
// own record, done but without a ticket yet, counts as unfiled. Holds the
// lock except while writing or syncing.
void QueueLog::lead(std::unique_lock<std::mutex>& lock, const Waiter& own) {
  while (!own.done && !pending_.empty()) {
    std::vector<Waiter*> batch;
    uint64_t start = offset_;
    LogPosition message_end_before = message_end_;
    while (!pending_.empty() && batch.size() < kQueueLogMaxBatch) {
      Waiter* w = pending_.front();
      if (offset_ + w->head.size > segments_[current_].size) break;
      w->position = {generation_, offset_};
      offset_ += w->head.size;
      if (w->message) {
        unfiled_.insert(w->position);
        message_end_ = {generation_, offset_};
      }
      batch.push_back(w);
      pending_.pop_front();
    }
    if (batch.empty()) {  // the next record does not fit: reuse the other segment
      if (Status status = switch_segment(lock); !status) {
        for (Waiter* w : pending_) {
          w->status = status;
          w->done = true;
        }
        pending_.clear();
      }
      continue;
    }
    const Segment& segment = segments_[current_];
    uint64_t generation = generation_;
    lock.unlock();
    Status status = write_batch(segment, generation, start, batch);
    lock.lock();
    if (!status) {
      // Nothing of this batch counts: the next batch overwrites it.
      log::error(str_cat("queue log: ", status.error().message));
      offset_ = start;
      message_end_ = message_end_before;
    }
    size_t messages = 0;
    for (Waiter* w : batch) {
      if (w->message) {
        ++messages;
        if (!status) unfiled_.erase(unfiled_.find(w->position));
      }
      w->status = status;
      w->done = true;
    }
    if (status && messages > 0) {
      batches_++;
      records_ += messages;
    }
    changed_.notify_all();
  }
}

Status QueueLog::write_batch(const Segment& segment, uint64_t generation, uint64_t offset,
                             const std::vector<Waiter*>& batch) {
  std::vector<std::string> trailers;
  trailers.reserve(batch.size());
  std::vector<iovec> iov;
  iov.reserve(batch.size() * 3);
  for (Waiter* w : batch) {
    trailers.push_back(log_record_trailer(w->head.crc, generation));
    iov.push_back({w->head.head.data(), w->head.head.size()});
    if (!w->payload.empty())
      iov.push_back({const_cast<char*>(w->payload.data()), w->payload.size()});
    iov.push_back({trailers.back().data(), trailers.back().size()});
  }
  if (auto status = pwritev_all(segment.fd.get(), std::move(iov), offset, segment.path); !status)
    return status;
  if (::fdatasync(segment.fd.get()) != 0) return storage_error("fdatasync", segment.path);
  return {};
}

// The leader, lock held: waits until every message so far is filed, makes
// the file store durable, then starts the next generation in the other segment.
Status QueueLog::switch_segment(std::unique_lock<std::mutex>& lock) {
  changed_.wait(lock, [this] { return unfiled_.empty(); });
  lock.unlock();
  Status synced = options_.sync_store();
  lock.lock();
  if (!synced) return synced;
  return begin_generation((current_ + 1) % kQueueLogSegments, generation_ + 1);
}

void QueueLog::filed(LogPosition position) {
  std::lock_guard lock(mutex_);
  if (auto it = unfiled_.find(position); it != unfiled_.end()) unfiled_.erase(it);
  changed_.notify_all();
}

Status QueueLog::checkpoint() {
  LogPosition target;
  {
    std::lock_guard lock(mutex_);
    if (!started_) return {};
    target = unfiled_.empty() ? message_end_ : *unfiled_.begin();
    if (target <= checkpointed_) return {};
  }
  if (auto status = options_.sync_store(); !status) return status;
  std::string payload = encode_checkpoint_payload(target);
  Waiter waiter;
  waiter.head = log_record_head(LogRecordType::kCheckpoint, "", payload);
  waiter.payload = payload;
  waiter.message = false;
  if (auto status = commit(waiter); !status) return status;
  std::lock_guard lock(mutex_);
  checkpointed_ = std::max(checkpointed_, target);
  return {};
}

void QueueLog::checkpoint_loop() {
  std::unique_lock lock(stop_mutex_);
  while (!stopping_) {
    stop_cv_.wait_for(lock, options_.checkpoint_interval);
    if (stopping_) break;
    lock.unlock();
    if (auto status = checkpoint(); !status)
      log::error(str_cat("queue log checkpoint: ", status.error().message));
    lock.lock();
  }
}

}  // namespace gm::mail
