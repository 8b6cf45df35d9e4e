#include "listen_sockets.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/durable_file.hpp"
#include "core/str.hpp"

namespace gm::authd {
namespace {

constexpr int kListenFdsStart = 3;  // sd_listen_fds(3)
constexpr int kMaxListenFds = 64;
constexpr int kBacklog = 128;

Error sys_error(std::string_view what, const std::string& path) {
  return make_error(str_cat(what, " ", path, ": ", std::strerror(errno)));
}

// True when something answers on the path: a running authd, not a stale file.
bool socket_in_use(const sockaddr_un& address) {
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return probe &&
         ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

Result<UniqueFd> bind_unix_socket(const std::string& path, mode_t mode) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path)
    return make_error(str_cat("socket path too long: ", path));
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  if (Status s = core::make_directories(core::parent_directory(path), 0755); !s) return s.error();
  if (socket_in_use(address)) return make_error(str_cat(path, " is in use by another process"));
  ::unlink(path.c_str());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return sys_error("socket for", path);
  // The mode is right from the start: no window in which others may connect.
  mode_t old_mask = ::umask(~mode & 0777);
  int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  ::umask(old_mask);
  if (rc != 0) return sys_error("bind", path);
  if (::chmod(path.c_str(), mode) != 0) return sys_error("chmod", path);
  if (::listen(fd.get(), kBacklog) != 0) return sys_error("listen", path);
  return fd;
}

// The inherited fds by name; an empty result when none were passed to us.
Result<ListenSockets> inherited_sockets() {
  ListenSockets sockets;
  const char* count_text = std::getenv("LISTEN_FDS");
  const char* pid_text = std::getenv("LISTEN_PID");
  if (count_text == nullptr) return sockets;
  if (pid_text != nullptr && parse_number<pid_t>(pid_text) != ::getpid()) return sockets;
  auto count = parse_number<int>(count_text);
  if (!count || *count < 0 || *count > kMaxListenFds) return make_error("bad LISTEN_FDS");
  const char* names_text = std::getenv("LISTEN_FDNAMES");
  std::vector<std::string> names = split(names_text ? names_text : "", ":");
  if (names.size() != static_cast<size_t>(*count))
    return make_error("LISTEN_FDNAMES must name each of the LISTEN_FDS sockets");
  for (int i = 0; i < *count; ++i) {
    int fd = kListenFdsStart + i;
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (names[i] == "auth")
      sockets.auth.reset(fd);
    else if (names[i] == "admin")
      sockets.admin.reset(fd);
    else
      ::close(fd);  // not ours
  }
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDNAMES");
  return sockets;
}

}  // namespace

Result<ListenSockets> open_listen_sockets(const core::Config& config) {
  Result<ListenSockets> sockets = inherited_sockets();
  if (!sockets) return sockets.error();
  if (!sockets->auth) {
    // The network daemons' accounts reach it through the group.
    Result<UniqueFd> fd = bind_unix_socket(config.path("auth_socket"), 0660);
    if (!fd) return fd.error();
    sockets->auth = std::move(*fd);
  }
  if (!sockets->admin) {
    Result<UniqueFd> fd = bind_unix_socket(config.path("auth_admin_socket"), 0600);
    if (!fd) return fd.error();
    sockets->admin = std::move(*fd);
  }
  return sockets;
}

}  // namespace gm::authd
