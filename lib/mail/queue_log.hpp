// The queue log: a write-ahead log in front of the file queue store, so one
// fdatasync makes many sessions' messages durable at once (group commit).
//
// Each receiving process (mta, msa) owns one log: kQueueLogSegments
// preallocated segment files <directory>/<name>.<n>, zero-filled once at
// creation (written zeros, not fallocate: overwriting them and fdatasync
// then change no metadata). append() puts a message record (queue ID and
// the complete queue file, queue_log_record.hpp) into the current segment;
// every caller waiting at that moment shares one pwritev and one fdatasync,
// and only then do their append() calls return (only then may a server say
// 250). The queue file itself is then written without fsync.
//
// A checkpoint (every checkpoint_interval, on a thread) makes everything
// written to the file store durable (sync_store: syncfs) and logs the
// position before which no record is needed any more; a segment is reused
// (next generation) only after a checkpoint covering all of it. Recovery
// (replay) hands back the message records after the newest checkpoint.
// Every call blocks on the disk: use a worker thread, not the event loop.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "core/result.hpp"
#include "core/unique_fd.hpp"
#include "mail/queue_log_record.hpp"

namespace gm::mail {

inline constexpr uint64_t kQueueLogSegmentSize = 64 << 20;  // default queue_log_segment_size
inline constexpr uint64_t kQueueLogMinSegment = 4 << 20;
inline constexpr size_t kQueueLogSegments = 2;
inline constexpr std::chrono::milliseconds kQueueLogCheckpointInterval{1000};
inline constexpr int64_t kQueueLogMaxLanes = 16;  // queue_log_lanes ceiling
inline constexpr size_t kQueueLogMaxBatch = 256;  // records per pwritev (3 iovecs each)

struct QueueLogOptions {
  std::string directory;  // $spool_dir/log
  std::string name;       // segments <name>.0, <name>.1
  uint64_t segment_size = kQueueLogSegmentSize;
  // Makes every queue file written so far durable (syncfs of the spool).
  std::function<Status()> sync_store;
  std::chrono::milliseconds checkpoint_interval = kQueueLogCheckpointInterval;
};

class QueueLog {
 public:
  // A durable record whose queue file is not in place yet: no checkpoint
  // passes it while it lives. Drop it once the file is written and renamed.
  class Ticket {
   public:
    Ticket(QueueLog* log, LogPosition position) : log_(log), position_(position) {}
    Ticket(Ticket&& other) noexcept : log_(other.log_), position_(other.position_) {
      other.log_ = nullptr;
    }
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();
    LogPosition position() const { return position_; }

   private:
    QueueLog* log_;
    LogPosition position_;
  };

  struct Stats {
    uint64_t batches = 0;  // fdatasyncs of message batches
    uint64_t records = 0;  // message records in them
  };

  // Opens the segments, creating and zero-filling missing ones.
  static Result<std::unique_ptr<QueueLog>> open(QueueLogOptions options);
  ~QueueLog();

  // Calls fn for each message record after the newest checkpoint, oldest
  // first. Before start().
  Status replay(const std::function<void(std::string_view id, std::string_view queue_file)>& fn);
  // sync_store, then a new generation in the older segment; starts the
  // checkpoint thread. append() works only after this.
  Status start();
  // Appends a message record; returns once it is durable.
  Result<Ticket> append(std::string_view queue_id, std::string_view queue_file);
  // Checkpoints now if anything was appended since the last one.
  Status checkpoint();
  // Largest queue file append() takes.
  uint64_t max_payload() const;
  Stats stats() const { return {batches_.load(), records_.load()}; }

 private:
  struct Segment {
    UniqueFd fd;
    std::string path;
    uint64_t size = 0;
    uint64_t generation = 0;  // of its first record, 0: none
  };
  struct Waiter {
    LogRecordHead head;
    std::string_view payload;
    bool message = true;  // a message record: unfiled until its ticket goes
    LogPosition position;
    bool done = false;
    Status status;
  };

  explicit QueueLog(QueueLogOptions options) : options_(std::move(options)) {}
  Status open_segment(size_t index);
  Status zero_fill(const Segment& segment, uint64_t from);
  Status commit(Waiter& waiter);
  void lead(std::unique_lock<std::mutex>& lock, const Waiter& own);
  Status write_batch(const Segment& segment, uint64_t generation, uint64_t offset,
                     const std::vector<Waiter*>& batch);
  Status switch_segment(std::unique_lock<std::mutex>& lock);
  Status begin_generation(size_t index, uint64_t generation);
  void filed(LogPosition position);
  void checkpoint_loop();

  QueueLogOptions options_;
  UniqueFd lock_;  // flock: one process per log
  Segment segments_[kQueueLogSegments];

  std::mutex mutex_;
  std::condition_variable changed_;  // a batch finished or a ticket went
  std::deque<Waiter*> pending_;
  bool flushing_ = false;  // a caller is writing a batch (the leader)
  bool started_ = false;
  size_t current_ = 0;
  uint64_t generation_ = 0;
  uint64_t offset_ = 0;  // where the next record goes
  std::multiset<LogPosition> unfiled_;
  LogPosition message_end_;   // end of the newest message record
  LogPosition checkpointed_;  // newest checkpoint written

  std::atomic<uint64_t> batches_{0}, records_{0};

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread checkpointer_;
};

}  // namespace gm::mail
