#include <fcntl.h>
#include "net/listen_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "core/str.hpp"

namespace gm::net {
namespace {

Error socket_error(std::string_view what, std::string_view where) {
  return make_error(str_cat(what, " ", where, ": ", std::strerror(errno)));
}

UniqueFd new_socket(int family) {
  return UniqueFd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
}

Result<sockaddr_un> unix_address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path)
    return make_error(str_cat("unix socket path '", printable(path), "' is empty or too long"));
  std::memcpy(address.sun_path, path.data(), path.size());
  return address;
}

// A socket file nobody accepts on is left over from a crash: remove it. One
// with a live listener, or a file of another kind, is never touched.
Status remove_stale_socket(const std::string& path, const sockaddr_un& address) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return socket_error("stat", path);
  }
  if (!S_ISSOCK(st.st_mode))
    return make_error(str_cat(path, " exists and is not a socket; not removing it"));
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!probe) return socket_error("socket", path);
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0)
    return make_error(str_cat(path, " is in use by another process"));
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return socket_error("unlink", path);
  return {};
}

}  // namespace

Status set_nonblocking_cloexec(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return socket_error("O_NONBLOCK", "");
  int fd_flags = fcntl(fd, F_GETFD);
  if (fd_flags < 0 || fcntl(fd, F_SETFD, fd_flags | FD_CLOEXEC) < 0)
    return socket_error("FD_CLOEXEC", "");
  return {};
}

Result<UniqueFd> bind_tcp(std::string_view host, uint16_t port, int backlog) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  std::string literal(host);
  std::string where = host.find(':') == std::string_view::npos ? str_cat(literal, ":", port)
                                                               : str_cat("[", literal, "]:", port);
  sockaddr_storage storage{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, literal.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof *v4;
  } else if (inet_pton(AF_INET6, literal.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof *v6;
  } else {
    return make_error(str_cat("'", printable(host), "' is not an IPv4 or IPv6 address literal"));
  }
  UniqueFd fd = new_socket(storage.ss_family);
  if (!fd) return socket_error("socket", where);
  int on = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0)
    return socket_error("SO_REUSEADDR", where);
  if (storage.ss_family == AF_INET6 &&
      ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0)
    return socket_error("IPV6_V6ONLY", where);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&storage), length) != 0)
    return socket_error("bind", where);
  if (::listen(fd.get(), backlog) != 0) return socket_error("listen", where);
  return fd;
}

Result<UniqueFd> bind_unix(const std::string& path, mode_t mode, int backlog) {
  auto address = unix_address(path);
  if (!address) return address.error();
  if (auto status = remove_stale_socket(path, *address); !status) return status.error();
  UniqueFd fd = new_socket(AF_UNIX);
  if (!fd) return socket_error("socket", path);
  // Created with no permissions at all, then opened up to mode: there is no
  // moment at which the socket is reachable with the umask's permissions.
  mode_t old_mask = ::umask(0777);
  int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&*address), sizeof *address);
  int bind_errno = errno;
  ::umask(old_mask);
  if (rc != 0) {
    errno = bind_errno;
    return socket_error("bind", path);
  }
  if (::chmod(path.c_str(), mode) != 0) return socket_error("chmod", path);
  if (::listen(fd.get(), backlog) != 0) return socket_error("listen", path);
  return fd;
}

}  // namespace gm::net
