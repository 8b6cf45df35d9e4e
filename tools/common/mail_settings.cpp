#include "mail_settings.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/str.hpp"
#include "core/unique_fd.hpp"

namespace gm::tools {

bool schema_has(const core::Config& config, std::string_view key) {
  return std::any_of(config.schema().begin(), config.schema().end(),
                     [&](const core::KeySpec& spec) { return spec.name == key; });
}

uint64_t message_size_limit(const core::Config& config) {
  return config.size("message_size_limit");
}

std::string queue_trigger_socket(const core::Config& config) {
  return schema_has(config, "queue_trigger_socket") ? config.path("queue_trigger_socket")
                                                    : str_cat(config.path("run_dir"), "/qmgr.sock");
}

Status trigger_queue_manager(const core::Config& config, std::string_view what) {
  std::string path = queue_trigger_socket(config);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return make_error(str_cat("path too long: ", path));
  std::memcpy(address.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return make_error(str_cat("socket: ", std::strerror(errno)));
  timeval timeout{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    return make_error(str_cat("cannot reach qmgr at ", path, ": ", std::strerror(errno)), errno);
  std::string line = str_cat(what, "\n");
  if (::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
    return make_error(str_cat("cannot write to qmgr at ", path, ": ", std::strerror(errno)));
  return {};
}

}  // namespace gm::tools
