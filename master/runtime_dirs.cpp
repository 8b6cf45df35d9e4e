#include "master/runtime_dirs.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "core/durable_file.hpp"
#include "core/str.hpp"

namespace gm::master {
namespace {

struct RuntimeDir {
  const char* key;
  mode_t mode;
  const char* owner_key;  // gm.conf key naming the owner, or nullptr for root
};

constexpr RuntimeDir kDirs[] = {
    {"run_dir", 0755, nullptr},
    {"spool_dir", 0750, "unprivileged_user"},
    {"data_dir", 0755, nullptr},
    {"mail_dir", 0700, "mail_user"},
};

Status create_dir(const MasterConfig& master, const RuntimeDir& dir) {
  std::string path = master.config.path(dir.key);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return make_error(str_cat(dir.key, " ", path, " is not a directory"));
    return {};
  }
  if (auto status = core::make_directories(path, dir.mode); !status) return status;
  // make_directories is subject to the umask; the leaf gets its mode exactly.
  if (::chmod(path.c_str(), dir.mode) != 0)
    return make_error(str_cat("chmod ", path, ": ", std::strerror(errno)));
  if (master.as_root && dir.owner_key != nullptr) {
    const core::Account& owner = master.accounts.at(master.config.string(dir.owner_key));
    if (::chown(path.c_str(), owner.uid, owner.gid) != 0)
      return make_error(str_cat("chown ", path, ": ", std::strerror(errno)));
  }
  return {};
}

}  // namespace

Status create_runtime_dirs(const MasterConfig& master) {
  for (const RuntimeDir& dir : kDirs)
    if (auto status = create_dir(master, dir); !status) return status;
  return {};
}

}  // namespace gm::master
