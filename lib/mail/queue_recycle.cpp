#include "mail/queue_recycle.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/str.hpp"
#include "mail/file_sink.hpp"
#include "mail/queue_id.hpp"

namespace gm::mail {
namespace {

// An empty pool is listed again at most this often.
constexpr std::chrono::milliseconds kRelistEmpty{50};

std::vector<std::string> pooled_names(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (const dirent* entry = ::readdir(d))
    if (is_valid_queue_id(entry->d_name)) names.emplace_back(entry->d_name);
  ::closedir(d);
  return names;
}

}  // namespace

std::string queue_recycle_directory(const std::string& root) {
  return str_cat(root, "/recycle");
}

QueueRecycler::QueueRecycler(std::string root) : dir_(queue_recycle_directory(root)) {}

size_t QueueRecycler::count_pool() {
  pooled_estimate_ = pooled_names(dir_).size();
  return pooled_estimate_;
}

Status QueueRecycler::recycle(const std::string& path, std::string_view queue_id) {
  bool pool = false;
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<uint64_t>(st.st_size) <= kRecycleMaxSize && is_valid_queue_id(queue_id)) {
    std::lock_guard lock(mutex_);
    // The estimate only grows here; when it reaches the limit, a listing
    // tells how many the servers have taken meanwhile.
    if (pooled_estimate_ < kRecycleMaxFiles || count_pool() < kRecycleMaxFiles) {
      ++pooled_estimate_;
      pool = true;
    }
  }
  if (pool) {
    std::string target = str_cat(dir_, '/', queue_id);
    if (::renameat2(AT_FDCWD, path.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0)
      return {};
    if (errno == ENOENT) return storage_error("rename", path);
    // No recycle/ (an older spool) or a name clash: delete instead.
  }
  if (::unlink(path.c_str()) != 0) return storage_error("unlink", path);
  return {};
}

void QueueRecycler::trim() {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (trimmed_ != std::chrono::steady_clock::time_point{} && now - trimmed_ < std::chrono::minutes(1))
    return;
  trimmed_ = now;
  time_t cutoff = std::time(nullptr) - std::chrono::seconds(kRecycleMaxAge).count();
  size_t left = 0;
  for (const std::string& name : pooled_names(dir_)) {
    std::string path = str_cat(dir_, '/', name);
    struct stat st;
    // ctime: the rename into the pool set it.
    if (::lstat(path.c_str(), &st) == 0 && st.st_ctime < cutoff && ::unlink(path.c_str()) == 0)
      continue;
    ++left;
  }
  pooled_estimate_ = left;
}

RecycledQueueFiles::RecycledQueueFiles(std::string root) : dir_(queue_recycle_directory(root)) {}

UniqueFd RecycledQueueFiles::take(const std::string& target) {
  while (true) {
    std::string name;
    {
      std::lock_guard lock(mutex_);
      if (names_.empty()) {
        auto now = std::chrono::steady_clock::now();
        if (now - listed_ < kRelistEmpty) return UniqueFd();
        names_ = pooled_names(dir_);
        listed_ = names_.empty() ? now : std::chrono::steady_clock::time_point{};
        if (names_.empty()) return UniqueFd();
      }
      name = std::move(names_.back());
      names_.pop_back();
    }
    std::string source = str_cat(dir_, '/', name);
    // The claim: only one process's rename of this name succeeds.
    if (::renameat2(AT_FDCWD, source.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0)
      continue;  // taken by another server meanwhile (or trimmed)
    UniqueFd fd(::open(target.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd) return fd;
    ::unlink(target.c_str());  // not ours to write (say, a maildrop file of another owner)
  }
}

}  // namespace gm::mail
