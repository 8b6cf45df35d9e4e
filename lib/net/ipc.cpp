#include "net/ipc.hpp"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

#include "core/str.hpp"
#include "net/listen_socket.hpp"

namespace gm::net {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Waits for `events` on fd until the deadline; false on timeout.
Result<bool> wait_for(int fd, short events, Clock::time_point deadline) {
  pollfd p{fd, events, 0};
  while (true) {
    int n = poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return make_error(str_cat("poll: ", std::strerror(errno)));
  }
}

Result<UniqueFd> try_connect(const std::string& path, int* saved_errno) {
  if (path.empty() || path.size() > kMaxUnixPathLength)
    return make_error(str_cat("bad unix socket path ", printable(path)));
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return make_error(str_cat("socket: ", std::strerror(errno)));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  *saved_errno = errno;
  return make_error(str_cat("connect ", path, ": ", std::strerror(errno)));
}

}  // namespace

Status check_ipc_line(std::string_view line, size_t max_line) {
  if (line.size() > max_line) return make_error("IPC message too long");
  if (line.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
    return make_error("IPC message contains CR, LF or NUL");
  return {};
}

Result<UniqueFd> connect_unix(const std::string& path, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    int err = 0;
    auto fd = try_connect(path, &err);
    if (fd || err != EAGAIN || Clock::now() >= deadline) return fd;
    std::this_thread::sleep_for(milliseconds(10));  // the listener's backlog is full
  }
}

IpcLineClient::IpcLineClient(UniqueFd fd, milliseconds timeout, size_t max_line)
    : fd_(std::move(fd)), timeout_(timeout), splitter_(max_line) {}

Result<IpcLineClient> IpcLineClient::connect(const std::string& path, milliseconds timeout,
                                             size_t max_line) {
  auto fd = connect_unix(path, timeout);
  if (!fd) return fd.error();
  return IpcLineClient(std::move(*fd), timeout, max_line);
}

Status IpcLineClient::send_line(std::string_view line) {
  if (Status s = check_ipc_line(line, splitter_.max_line()); !s) return s;
  std::string message = str_cat(line, "\n");
  std::string_view rest = message;
  auto deadline = Clock::now() + timeout_;
  while (!rest.empty()) {
    ssize_t n = ::send(fd_.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n > 0) {
      rest.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return make_error(str_cat("IPC send: ", std::strerror(errno)));
    auto ready = wait_for(fd_.get(), POLLOUT, deadline);
    if (!ready) return ready.error();
    if (!*ready) return make_error("IPC send: timed out");
  }
  return {};
}

Result<std::string> IpcLineClient::read_line() {
  auto deadline = Clock::now() + timeout_;
  std::array<char, 4096> buffer;
  while (true) {
    if (!unread_.empty()) {
      LineEvent event = splitter_.feed(unread_);
      std::string line(event.line);
      unread_.erase(0, event.consumed);
      if (event.kind == LineEvent::Kind::kLine) return line;
      if (event.kind == LineEvent::Kind::kTooLong) return make_error("IPC reply too long");
    }
    auto ready = wait_for(fd_.get(), POLLIN, deadline);
    if (!ready) return ready.error();
    if (!*ready) return make_error("IPC read: timed out");
    ssize_t n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
    if (n == 0) return make_error("IPC read: closed by the peer");
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return make_error(str_cat("IPC read: ", std::strerror(errno)));
    }
    unread_.assign(buffer.data(), static_cast<size_t>(n));
  }
}

IpcChannel::IpcChannel(EventLoop& loop, UniqueFd fd, Handlers handlers, size_t max_line)
    : handlers_(std::move(handlers)), splitter_(max_line) {
  bev_ = bufferevent_socket_new(loop.base(), fd.get(), BEV_OPT_CLOSE_ON_FREE);
  if (bev_ == nullptr) return;  // is_open() is false; fd closes with `fd`
  (void)fd.release();
  bufferevent_setcb(bev_, &IpcChannel::on_read, nullptr, &IpcChannel::on_event, this);
  bufferevent_setwatermark(bev_, EV_READ, 0, max_line + 2);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
}

IpcChannel::~IpcChannel() {
  *alive_ = false;
  close();
}

Result<std::unique_ptr<IpcChannel>> IpcChannel::connect(EventLoop& loop, const std::string& path,
                                                        Handlers handlers, size_t max_line) {
  int err = 0;
  auto fd = try_connect(path, &err);
  if (!fd) return fd.error();
  auto channel = std::make_unique<IpcChannel>(loop, std::move(*fd), std::move(handlers), max_line);
  if (!channel->is_open()) return make_error("cannot create a bufferevent");
  return channel;
}

Status IpcChannel::send_framed(std::string_view lines) {
  if (!bev_) return make_error("IPC channel is closed");
  evbuffer_add(bufferevent_get_output(bev_), lines.data(), lines.size());
  return {};
}

Status IpcChannel::send_line(std::string_view line) {
  if (!bev_) return make_error("IPC channel is closed");
  if (Status s = check_ipc_line(line, splitter_.max_line()); !s) return s;
  evbuffer* out = bufferevent_get_output(bev_);
  evbuffer_add(out, line.data(), line.size());
  evbuffer_add(out, "\n", 1);
  return {};
}

void IpcChannel::close() {
  if (bev_ != nullptr) bufferevent_free(std::exchange(bev_, nullptr));
}

void IpcChannel::fail(Error why) {
  close();
  if (handlers_.on_close) handlers_.on_close(why);
}

void IpcChannel::on_read(bufferevent* bev, void* self) {
  auto* channel = static_cast<IpcChannel*>(self);
  std::shared_ptr<bool> alive = channel->alive_;
  evbuffer* in = bufferevent_get_input(bev);
  std::array<char, 4096> buffer;
  while (*alive && channel->bev_ != nullptr && evbuffer_get_length(in) > 0) {
    ev_ssize_t got = evbuffer_copyout(in, buffer.data(), buffer.size());
    LineEvent event =
        channel->splitter_.feed(std::string_view(buffer.data(), static_cast<size_t>(got)));
    evbuffer_drain(in, event.consumed);
    if (event.kind == LineEvent::Kind::kTooLong)
      return channel->fail(make_error("IPC message too long"));
    if (event.kind == LineEvent::Kind::kLine && channel->handlers_.on_line)
      channel->handlers_.on_line(event.line);
  }
}

void IpcChannel::on_event(bufferevent*, short what, void* self) {
  auto* channel = static_cast<IpcChannel*>(self);
  channel->fail(make_error((what & BEV_EVENT_EOF) ? "IPC peer closed the connection"
                                                  : "IPC connection error"));
}

}  // namespace gm::net
