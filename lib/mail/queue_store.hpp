// The mail queue: where accepted messages wait, in the states Postfix uses.
// One interface, one file per backend (STYLE.md): queue_store_file.cpp keeps
// one file per message; queue_store_log.cpp puts a group-commit log in front
// of it for the receiving servers (bench/README.md has the measurements).
// Every call blocks on the disk: use a worker thread, not the event loop.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mail/queue_envelope.hpp"
#include "mail/queue_file.hpp"

namespace gm::mail {

enum class QueueName { kIncoming, kActive, kDeferred, kHold, kCorrupt };
inline constexpr QueueName kAllQueues[] = {QueueName::kIncoming, QueueName::kActive,
                                           QueueName::kDeferred, QueueName::kHold,
                                           QueueName::kCorrupt};
std::string_view queue_dir_name(QueueName queue);  // "incoming", "active", ...
Result<QueueName> parse_queue_name(std::string_view name);

// How a move or removal reaches the disk. kDurable: both directory entries
// are fsync'ed before the call returns. kLazy: the rename or unlink is done
// but left to the kernel's writeback (seconds); use it only where a crash
// that undoes the change is harmless: incoming/deferred -> active (recovery
// sends active/ back to incoming/ anyway) and removing a message whose
// recipients are all done (undone, it is delivered again: a duplicate after
// a power loss, never a loss; Postfix syncs neither).
enum class Sync { kDurable, kLazy };

// A message being received. commit() returns only when the message and its
// name are durable: only then may the server answer 250. Destroying an
// uncommitted message removes it.
class QueuedMessage {
 public:
  virtual ~QueuedMessage() = default;
  virtual const std::string& queue_id() const = 0;
  virtual Status append(std::string_view chunk) = 0;
  virtual Result<std::string> commit() = 0;
  virtual uint64_t content_size() const = 0;
};

class QueueStore {
 public:
  virtual ~QueueStore() = default;
  // Creates the queue directories if missing (owner-only access).
  virtual Status init() = 0;
  // Starts a message in the incoming queue; sets envelope.queue_id to a new ID.
  virtual Result<std::unique_ptr<QueuedMessage>> create(Envelope envelope) = 0;
  // False when create() touches no disk (a queue log keeps the message in
  // memory until commit): a server may then call it on its event loop.
  virtual bool create_blocks() const { return true; }
  // Queue IDs in a queue, oldest first.
  virtual Result<std::vector<std::string>> list(QueueName queue) const = 0;
  virtual Result<QueueFile> open(QueueName queue, std::string_view id, bool writable) const = 0;
  // Moves a message between queues (a rename, never replacing a message).
  virtual Status move(std::string_view id, QueueName from, QueueName to, Sync sync) = 0;
  virtual Status remove(QueueName queue, std::string_view id, Sync sync) = 0;
  // qmgr, for a message whose recipients are all done: remove() with
  // Sync::kLazy, but the file goes to the recycle pool (queue_recycle.hpp)
  // while it has room, for msa and mta to reuse.
  virtual Status recycle(QueueName queue, std::string_view id) = 0;
  // Deletes pooled files unused for long (qmgr, on its periodic scan).
  virtual void trim_recycled() = 0;
  // Removes messages that were never committed (a crash mid-receive) older
  // than max_age; returns how many.
  virtual Result<size_t> remove_stale(std::chrono::seconds max_age) = 0;
};

// root/{incoming,active,deferred,hold,corrupt}/<queue id>, root/recycle/
std::unique_ptr<QueueStore> make_file_queue_store(std::string root);

// root/log: queue log segments (queue_log.hpp) and the done list.
std::string queue_log_directory(const std::string& root);

// The file store with a queue log in front (queue_store_log.cpp): a commit
// of a message up to kQueueLogMaxMessage bytes is one record in the
// process's log, written with every other session's waiting record and one
// fdatasync; the queue file follows without fsync. Larger messages take
// the file store's path. init() recovers: it recreates the queue file of
// every record after the last checkpoint whose message is in no queue, not
// in the done list, or torn, then starts the log. `name` names the
// segments (one log per process: "mta", "msa").
inline constexpr size_t kQueueLogMaxMessage = 1 << 20;
struct QueueLogStoreOptions {
  std::string name;
  uint64_t segment_size = 0;                         // 0: kQueueLogSegmentSize
  // Independent logs (each its own group commit, segments and lock), so
  // several fdatasyncs on different files run at once. Lane 0 is <name>,
  // lane i > 0 <name>.lane<i>; recovery also replays lanes beyond this
  // count left by an earlier configuration.
  size_t lanes = 1;
  std::chrono::milliseconds checkpoint_interval{0};  // 0: kQueueLogCheckpointInterval
  // Called with each recovered message's queue ID (after init()'s sync).
  std::function<void(const std::string& queue_id)> on_recovered;
};
std::unique_ptr<QueueStore> make_log_queue_store(std::string root, QueueLogStoreOptions options);

}  // namespace gm::mail
