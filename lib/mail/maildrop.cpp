#include "mail/maildrop.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/durable_file.hpp"
#include "core/str.hpp"

namespace gm::mail {

std::string maildrop_directory(std::string_view spool_dir) {
  return str_cat(spool_dir, '/', kMaildropName);
}

Status make_maildrop_directory(const std::string& spool_dir, gid_t group) {
  std::string dir = maildrop_directory(spool_dir);
  if (auto status = core::make_directories(dir, 0700); !status) return status;
  if (group != static_cast<gid_t>(-1) && ::chown(dir.c_str(), static_cast<uid_t>(-1), group) != 0)
    return make_error(str_cat("chown ", dir, ": ", std::strerror(errno)));
  // chmod after chown: chown clears the set-id bits, and the umask may have
  // narrowed the mode mkdir applied.
  if (::chmod(dir.c_str(), kMaildropMode) != 0)
    return make_error(str_cat("chmod ", dir, ": ", std::strerror(errno)));
  return core::fsync_directory(spool_dir);
}

}  // namespace gm::mail
