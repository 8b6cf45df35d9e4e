// Queue files kept for reuse. On this kind of disk (ext4 without a
// journal) creating a file gets slower with every file deleted in the last
// minutes: the inode allocator skips each recently freed inode of the
// group, one by one (bench/README.md, "recycled queue files"). A busy queue
// creates and deletes a file per message, so it pays that on every create.
// Instead qmgr moves a delivered message's file into $spool_dir/recycle/,
// and msa and mta take their next queue file from there: no inode is
// allocated or freed while the pool lasts.
//
// Safety: a recycled file is never visible under a queue ID. A server
// claims one by renaming it to its ".tmp.<id>" name in incoming/ (the
// rename is atomic, so two processes never get the same file), then
// overwrites it from offset 0 and cuts it to length before it commits and
// renames it to <id>, exactly as a freshly created temporary file.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::mail {

inline constexpr size_t kRecycleMaxFiles = 1024;         // more are deleted
inline constexpr uint64_t kRecycleMaxSize = 1 << 20;     // larger files are deleted
inline constexpr std::chrono::minutes kRecycleMaxAge{10};  // unused longer: deleted

// root/recycle
std::string queue_recycle_directory(const std::string& root);

// qmgr's side: puts a finished message's file into the pool, or deletes it
// when the pool is full or the file is large. Thread-safe.
class QueueRecycler {
 public:
  explicit QueueRecycler(std::string root);
  Status recycle(const std::string& path, std::string_view queue_id);
  // Deletes pooled files unused for kRecycleMaxAge (an idle server should
  // not keep them), looking at most once a minute.
  void trim();

 private:
  size_t count_pool();

  std::string dir_;
  std::mutex mutex_;
  size_t pooled_estimate_ = 0;  // at least the real count: takes are not seen here
  std::chrono::steady_clock::time_point trimmed_{};
};

// The receiving servers' side: a pooled file renamed to `target`, opened
// for writing, or an empty fd when the pool is empty. Thread-safe.
class RecycledQueueFiles {
 public:
  explicit RecycledQueueFiles(std::string root);
  UniqueFd take(const std::string& target);

 private:
  std::string dir_;
  std::mutex mutex_;
  std::vector<std::string> names_;  // from the last listing, not yet tried
  std::chrono::steady_clock::time_point listed_{};
};

}  // namespace gm::mail
