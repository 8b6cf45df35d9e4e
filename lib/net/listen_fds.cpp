#include "net/listen_fds.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/str.hpp"

namespace gm::net {
namespace {

bool valid_fd_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxFdNameLength) return false;
  for (char c : name)
    if (c <= ' ' || c > '~' || c == ':') return false;
  return true;
}

Result<std::vector<std::string>> parse_names(const char* listen_fdnames, int count) {
  std::vector<std::string> names;
  if (listen_fdnames == nullptr) return std::vector<std::string>(count, "unknown");
  std::string_view text = listen_fdnames;
  while (true) {
    size_t colon = text.find(':');
    std::string_view name = text.substr(0, colon);
    if (!valid_fd_name(name))
      return make_error(str_cat("LISTEN_FDNAMES: bad name '", printable(name), "'"));
    if (static_cast<int>(names.size()) == count)
      return make_error(str_cat("LISTEN_FDNAMES names more than LISTEN_FDS=", count, " fds"));
    names.emplace_back(name);
    if (colon == std::string_view::npos) break;
    text.remove_prefix(colon + 1);
  }
  if (static_cast<int>(names.size()) != count)
    return make_error(str_cat("LISTEN_FDNAMES names ", names.size(), " fds, LISTEN_FDS=", count));
  return names;
}

Status set_fd_flags(int fd) {
  int fd_flags = fcntl(fd, F_GETFD);
  if (fd_flags < 0) return make_error(str_cat("inherited fd ", fd, ": ", std::strerror(errno)));
  if (fcntl(fd, F_SETFD, fd_flags | FD_CLOEXEC) < 0)
    return make_error(str_cat("inherited fd ", fd, ": FD_CLOEXEC: ", std::strerror(errno)));
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return make_error(str_cat("inherited fd ", fd, ": O_NONBLOCK: ", std::strerror(errno)));
  return {};
}

}  // namespace

Result<std::vector<ListenFdName>> parse_listen_fds(const char* listen_pid, const char* listen_fds,
                                                   const char* listen_fdnames, pid_t self) {
  std::vector<ListenFdName> out;
  if (listen_pid == nullptr || listen_fds == nullptr) return out;  // not socket-activated
  auto pid = parse_number<pid_t>(listen_pid);
  if (!pid || *pid <= 0)
    return make_error(str_cat("LISTEN_PID is not a pid: '", printable(listen_pid), "'"));
  if (*pid != self) return out;  // meant for another process (we were forked off)
  auto count = parse_number<int>(listen_fds);
  if (!count || *count < 0 || *count > kMaxListenFds)
    return make_error(str_cat("LISTEN_FDS is not a count of fds: '", printable(listen_fds), "'"));
  auto names = parse_names(listen_fdnames, *count);
  if (!names) return names.error();
  for (int i = 0; i < *count; ++i) out.push_back({std::move((*names)[i]), kListenFdsStart + i});
  return out;
}

Result<std::vector<InheritedListener>> take_inherited_listeners() {
  auto parsed = parse_listen_fds(std::getenv("LISTEN_PID"), std::getenv("LISTEN_FDS"),
                                 std::getenv("LISTEN_FDNAMES"), getpid());
  unsetenv("LISTEN_PID");
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_FDNAMES");
  if (!parsed) return parsed.error();
  std::vector<InheritedListener> out;
  for (ListenFdName& entry : *parsed) {
    if (Status s = set_fd_flags(entry.fd); !s) return s.error();
    out.push_back({std::move(entry.name), UniqueFd(entry.fd)});
  }
  return out;
}

}  // namespace gm::net
