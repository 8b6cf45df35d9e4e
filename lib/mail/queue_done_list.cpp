#include "mail/queue_done_list.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "core/durable_file.hpp"
#include "core/str.hpp"
#include "core/unique_fd.hpp"
#include "mail/file_sink.hpp"

namespace gm::mail {
namespace {

std::string done_path(const std::string& dir) {
  return str_cat(dir, "/done");
}

// A list root created (gmctl queue delete) must stay writable for qmgr,
// which runs as the owner of the spool.
void give_to_directory_owner(int fd, const std::string& directory) {
  if (::geteuid() != 0) return;
  struct stat file, dir;
  if (::fstat(fd, &file) != 0 || ::stat(directory.c_str(), &dir) != 0) return;
  if (file.st_uid != dir.st_uid) (void)::fchown(fd, dir.st_uid, dir.st_gid);
}

}  // namespace

Status append_done(const std::string& log_directory, std::string_view queue_id) {
  std::string path = done_path(log_directory);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd && errno == ENOENT) return {};  // no log directory: no queue log in use
  if (!fd) return storage_error("open", path);
  give_to_directory_owner(fd.get(), log_directory);
  std::string line = str_cat(queue_id, '\n');
  // O_APPEND: one write of a short line lands whole, whoever else appends.
  if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    return storage_error("write", path);
  return {};
}

Status rotate_done_list(const std::string& log_directory) {
  std::string path = done_path(log_directory), lock_path = str_cat(path, ".lock");
  UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock) return storage_error("open", lock_path);
  if (::flock(lock.get(), LOCK_EX) != 0) return storage_error("lock", lock_path);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || static_cast<size_t>(st.st_size) < kDoneListRotate)
    return {};
  std::string old = str_cat(path, ".old");
  if (::rename(path.c_str(), old.c_str()) != 0) return storage_error("rename", path);
  return {};
}

Result<std::unordered_set<std::string>> load_done_list(const std::string& log_directory) {
  std::unordered_set<std::string> ids;
  for (const std::string& path :
       {str_cat(done_path(log_directory), ".old"), done_path(log_directory)}) {
    auto text = core::read_file(path, 4 * kDoneListRotate);
    if (!text) continue;  // missing: nothing removed yet
    std::string_view rest = *text;
    while (!rest.empty()) {
      size_t end = rest.find('\n');
      if (end == std::string_view::npos) break;  // a torn last line
      if (end > 0) ids.emplace(rest.substr(0, end));
      rest.remove_prefix(end + 1);
    }
  }
  return ids;
}

}  // namespace gm::mail
