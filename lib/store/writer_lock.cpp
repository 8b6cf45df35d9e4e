#include "store/writer_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "core/durable_file.hpp"
#include "core/str.hpp"

namespace gm::store {

Result<std::optional<WriterLock>> WriterLock::try_acquire(const std::string& db_dir) {
  if (Status s = core::make_directories(db_dir, 0700); !s) return s.error();
  std::string path = str_cat(db_dir, "/", kWriterLockFile);
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return make_error(str_cat("cannot open ", path, ": ", std::strerror(errno)));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return std::optional<WriterLock>();
    return make_error(str_cat("cannot lock ", path, ": ", std::strerror(errno)));
  }
  return std::optional<WriterLock>(WriterLock(std::move(fd)));
}

Result<WriterLock> WriterLock::acquire(const std::string& db_dir,
                                       std::chrono::milliseconds timeout) {
  constexpr auto kRetry = std::chrono::milliseconds(100);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    Result<std::optional<WriterLock>> lock = try_acquire(db_dir);
    if (!lock) return lock.error();
    if (lock->has_value()) return std::move(**lock);
    if (std::chrono::steady_clock::now() >= deadline)
      return make_error(str_cat("the user directory in ", db_dir,
                                " is locked by another process (another authd or gmctl)"));
    std::this_thread::sleep_for(kRetry);
  }
}

}  // namespace gm::store
