#include "master/control_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "core/log.hpp"
#include "core/str.hpp"
#include "net/listen_socket.hpp"

namespace gm::master {
namespace {

constexpr int kControlBacklog = 16;

bool wait_for(int fd, short events) {
  pollfd entry{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&entry, 1, kControlTimeoutMs);
  } while (rc < 0 && errno == EINTR);
  return rc > 0;
}

// The command line, without its line end; empty on timeout or junk.
std::string read_command(int fd) {
  std::string line;
  char buf[kMaxControlCommand];
  while (line.find('\n') == std::string::npos && line.size() <= kMaxControlCommand) {
    if (!wait_for(fd, POLLIN)) return {};
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  if (line.size() > kMaxControlCommand) return {};
  line = line.substr(0, line.find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void write_answer(int fd, std::string_view answer) {
  while (!answer.empty()) {
    ssize_t n = ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      if (!wait_for(fd, POLLOUT)) return;
      continue;
    }
    if (n <= 0) return;
    answer.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

Result<ControlSocket> ControlSocket::open(const std::string& path) {
  auto fd = net::bind_unix(path, 0600, kControlBacklog);
  if (!fd)
    return make_error(str_cat("control socket: ", fd.error().message,
                              " (is another gm-master running with this run_dir?)"));
  ControlSocket socket;
  socket.fd_ = std::move(*fd);
  socket.path_ = path;
  return socket;
}

void ControlSocket::serve(const std::function<std::string(std::string_view command)>& answer) {
  for (int i = 0; i < kMaxClientsPerWakeup; ++i) {
    UniqueFd client(::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!client) return;
    std::string command = read_command(client.get());
    log::debug(str_cat("control: ", printable(command)));
    write_answer(client.get(), answer(command));
  }
}

void ControlSocket::close() {
  if (!fd_) return;
  fd_.reset();
  ::unlink(path_.c_str());
}

}  // namespace gm::master
