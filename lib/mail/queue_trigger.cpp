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

}  // namespace gm::mail
