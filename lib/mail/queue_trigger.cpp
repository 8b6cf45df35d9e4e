#include "mail/queue_trigger.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "core/log.hpp"
#include "core/str.hpp"
#include "net/ipc.hpp"

namespace gm::mail {
namespace {

Status send_trigger(const std::string& path, std::string_view what,
                    std::chrono::milliseconds timeout) {
  auto fd = net::connect_unix(path, timeout);
  if (!fd) return fd.error();
  std::string line = str_cat(what, "\n");
  ssize_t n = ::send(fd->get(), line.data(), line.size(), MSG_NOSIGNAL);
  if (n != static_cast<ssize_t>(line.size()))
    return make_error(
        str_cat("trigger ", path, ": ", n < 0 ? std::strerror(errno) : "short write"));
  return {};
}

}  // namespace

std::string trigger_new_message(std::string_view queue_id) {
  return str_cat(kTriggerNew, ' ', queue_id);
}

Status trigger_queue_manager(const core::Config& config, std::string_view what) {
  return send_trigger(config.path("queue_trigger_socket"), what, kTriggerTimeout);
}

void trigger_queue_manager_nowait(const std::string& socket_path, std::string_view what) {
  if (Status s = send_trigger(socket_path, what, std::chrono::milliseconds(0)); !s)
    log::debug(str_cat("queue manager not triggered: ", s.error().message));
}

void QueueTrigger::send(const std::string& socket_path, std::string_view what) {
  std::string line = str_cat(what, "\n");
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!fd_ || path_ != socket_path) {
      auto fd = net::connect_unix(socket_path, std::chrono::milliseconds(0));
      if (!fd) {
        fd_.reset();
        return log::debug(str_cat("queue manager not triggered: ", fd.error().message));
      }
      fd_ = std::move(*fd);
      path_ = socket_path;
    }
    if (write_line(line)) return;
    fd_.reset();  // closed by qmgr, or a line left half-written: start afresh
  }
}

// True when the whole line went out. A full buffer means qmgr is not
// reading: dropping the request is what the periodic scan is for.
bool QueueTrigger::write_line(std::string_view line) {
  while (true) {
    ssize_t n = ::send(fd_.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n == static_cast<ssize_t>(line.size())) return true;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      log::debug("queue manager not triggered: its socket is full");
      return true;  // nothing was written: the connection is still whole
    }
    return false;
  }
}

}  // namespace gm::mail
