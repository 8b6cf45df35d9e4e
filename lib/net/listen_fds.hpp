// Listening sockets inherited from gm-master or systemd, passed the way
// sd_listen_fds(3) describes: fds 3, 4, ... numbered by LISTEN_FDS, meant
// for the process named by LISTEN_PID, named by LISTEN_FDNAMES
// (colon-separated). As in sd_listen_fds(): without LISTEN_PID, or with
// another process's pid, nothing is inherited; the variables are removed
// from the environment after reading so children do not see them.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::net {

inline constexpr int kListenFdsStart = 3;        // SD_LISTEN_FDS_START
inline constexpr int kMaxListenFds = 1024;       // far beyond any service table
inline constexpr size_t kMaxFdNameLength = 255;  // systemd's FileDescriptorName= limit

struct ListenFdName {
  std::string name;  // from LISTEN_FDNAMES, "unknown" when not given (as systemd)
  int fd = -1;
};

struct InheritedListener {
  std::string name;
  UniqueFd fd;
};

// The pure part: the three variables' values (nullptr when unset) and our
// pid. An empty list when the fds are not for us; an error for garbage.
Result<std::vector<ListenFdName>> parse_listen_fds(const char* listen_pid, const char* listen_fds,
                                                   const char* listen_fdnames, pid_t self);

// Reads and unsets the variables, marks each fd close-on-exec and
// nonblocking, and takes ownership of them.
Result<std::vector<InheritedListener>> take_inherited_listeners();

}  // namespace gm::net
