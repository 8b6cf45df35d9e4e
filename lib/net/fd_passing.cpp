#include "net/fd_passing.hpp"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "core/str.hpp"

namespace gm::net {
namespace {

Error errno_error(std::string_view what) {
  int code = errno;
  return make_error(str_cat(what, ": ", std::strerror(code)), code);
}

// Closes every fd a control buffer holds: used when the message is refused.
void close_passed_fds(msghdr& header) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      UniqueFd closing(fd);
    }
  }
}

}  // namespace

Result<std::pair<UniqueFd, UniqueFd>> seqpacket_pair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
    return errno_error("socketpair");
  return std::pair<UniqueFd, UniqueFd>(UniqueFd(fds[0]), UniqueFd(fds[1]));
}

Status send_message(int socket, std::string_view message, int fd) {
  if (message.empty() || message.size() > kMaxPassedMessage)
    return make_error(str_cat("passed message of ", message.size(), " bytes"));
  iovec io{const_cast<char*>(message.data()), message.size()};
  msghdr header{};
  header.msg_iov = &io;
  header.msg_iovlen = 1;
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int))> control{};
  if (fd >= 0) {
    header.msg_control = control.data();
    header.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&header);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  for (;;) {
    ssize_t n = ::sendmsg(socket, &header, MSG_NOSIGNAL);
    if (n >= 0) return {};  // SOCK_SEQPACKET: all of it or nothing
    if (errno != EINTR) return errno_error("sendmsg");
  }
}

Result<PassedMessage> receive_message(int socket) {
  std::array<char, kMaxPassedMessage + 1> buffer;  // +1: a longer message shows as truncated
  iovec io{buffer.data(), buffer.size()};
  msghdr header{};
  header.msg_iov = &io;
  header.msg_iovlen = 1;
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int))> control{};
  header.msg_control = control.data();
  header.msg_controllen = control.size();
  ssize_t n;
  do {
    n = ::recvmsg(socket, &header, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  PassedMessage result;
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return result;
    return errno_error("recvmsg");
  }
  if (n == 0) {  // SOCK_SEQPACKET: end of file; we never send empty messages
    result.kind = PassedMessage::Kind::kPeerClosed;
    return result;
  }
  if ((header.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
    close_passed_fds(header);
    return make_error(str_cat("passed message truncated (", n, " bytes)"));
  }
  if (cmsghdr* c = CMSG_FIRSTHDR(&header);
      c != nullptr && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    result.fd.reset(fd);
  }
  result.kind = PassedMessage::Kind::kMessage;
  result.text.assign(buffer.data(), static_cast<size_t>(n));
  return result;
}

}  // namespace gm::net
