// The done list: queue IDs of messages removed from the queue (delivered,
// bounced, deleted), one per line in $spool_dir/log/done, appended without
// fsync. The queue log's recovery reads it so that a message whose record
// is still in the log but which is gone from every queue is not brought
// back. It survives kill -9 of any process (the page cache keeps it); after
// a power loss a lost line means a duplicate delivery, never a loss.
// At kDoneListRotate bytes the file becomes done.old (one older generation
// kept), so it holds far more removals than the seconds of records a
// recovery replays.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

#include "core/result.hpp"

namespace gm::mail {

inline constexpr size_t kDoneListRotate = 1 << 20;

// Appends the ID when `log_directory` exists (a queue log is in use), else nothing.
Status append_done(const std::string& log_directory, std::string_view queue_id);
// Moves a full done list aside (under a lock, so only one process rotates).
Status rotate_done_list(const std::string& log_directory);
Result<std::unordered_set<std::string>> load_done_list(const std::string& log_directory);

}  // namespace gm::mail
