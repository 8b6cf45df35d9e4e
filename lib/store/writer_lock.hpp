// The one-writer rule (DESIGN.md, Processes and trust) for the user
// directory: whoever writes holds an exclusive flock() on a lock file in
// auth_db_dir. authd holds it while it runs; gmctl takes it only when authd
// is not running, and otherwise goes through authd's admin socket.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::store {

inline constexpr const char* kWriterLockFile = "writer.lock";

class WriterLock {
 public:
  // Creates db_dir (0700) if needed. nullopt: another process holds the
  // lock; an error: the directory or file could not be used.
  static Result<std::optional<WriterLock>> try_acquire(const std::string& db_dir);
  // Retries until the lock is free or the timeout passes (blocks; startup only).
  static Result<WriterLock> acquire(const std::string& db_dir, std::chrono::milliseconds timeout);

 private:
  explicit WriterLock(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;  // the lock lives as long as the open file
};

}  // namespace gm::store
