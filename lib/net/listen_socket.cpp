#include "net/listen_socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/str.hpp"

namespace gm::net {
namespace {

Error errno_error(std::string_view what, std::string_view target) {
  return make_error(str_cat(what, " ", target, ": ", std::strerror(errno)));
}

std::string_view strip_brackets(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    return host.substr(1, host.size() - 2);
  return host;
}

}  // namespace

Status set_nonblocking_cloexec(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return errno_error("O_NONBLOCK", "");
  int fdfl = fcntl(fd, F_GETFD);
  if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0) return errno_error("FD_CLOEXEC", "");
  return {};
}

Result<UniqueFd> bind_tcp(std::string_view host, uint16_t port, int backlog) {
  std::string name(strip_brackets(host));
  bool any = name.empty() || name == "*";
  std::string target = str_cat(any ? "*" : name, ":", port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;  // never a DNS lookup
  addrinfo* found = nullptr;
  std::string service = str_cat(port);
  if (any) hints.ai_family = AF_INET6;
  int rc = getaddrinfo(any ? nullptr : name.c_str(), service.c_str(), &hints, &found);
  if (rc != 0 && any) {  // no IPv6 on this host
    hints.ai_family = AF_INET;
    rc = getaddrinfo(nullptr, service.c_str(), &hints, &found);
  }
  if (rc != 0) return make_error(str_cat("bad listen address ", target, ": ", gai_strerror(rc)));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, &freeaddrinfo);

  UniqueFd fd(socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return errno_error("socket for", target);
  int one = 1, v6only = any ? 0 : 1;
  if (setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
    return errno_error("SO_REUSEADDR on", target);
  if (found->ai_family == AF_INET6 &&
      setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only) < 0)
    return errno_error("IPV6_V6ONLY on", target);
  if (bind(fd.get(), found->ai_addr, found->ai_addrlen) < 0) return errno_error("bind", target);
  if (listen(fd.get(), backlog) < 0) return errno_error("listen on", target);
  return fd;
}

Result<UniqueFd> bind_unix(const std::string& path, mode_t mode, int backlog) {
  if (path.empty() || path.size() > kMaxUnixPathLength)
    return make_error(str_cat("unix socket path too long or empty: ", printable(path)));
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return make_error(str_cat("refusing to replace ", printable(path), ": not a socket"));
    if (unlink(path.c_str()) < 0) return errno_error("remove stale socket", path);
  }
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return errno_error("socket for", path);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  // bind() creates the file with the umask applied; fchmod is not defined
  // for sockets, so set the mode on the path right after.
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    return errno_error("bind", path);
  if (chmod(path.c_str(), mode) < 0) return errno_error("chmod", path);
  if (listen(fd.get(), backlog) < 0) return errno_error("listen on", path);
  return fd;
}

}  // namespace gm::net
