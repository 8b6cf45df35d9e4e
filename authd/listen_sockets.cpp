#include "listen_sockets.hpp"

#include "core/durable_file.hpp"
#include "net/listen_fds.hpp"
#include "net/listen_socket.hpp"

namespace gm::authd {
namespace {

constexpr int kBacklog = 128;

Result<UniqueFd> bind_socket(const std::string& path, mode_t mode) {
  if (Status s = core::make_directories(core::parent_directory(path), 0755); !s) return s.error();
  return net::bind_unix(path, mode, kBacklog);
}

}  // namespace

Result<ListenSockets> open_listen_sockets(const core::Config& config) {
  auto inherited = net::take_inherited_listeners();
  if (!inherited) return inherited.error();
  ListenSockets sockets;
  for (net::InheritedListener& listener : *inherited) {
    if (listener.name == "auth") sockets.auth = std::move(listener.fd);
    if (listener.name == "admin") sockets.admin = std::move(listener.fd);
    // Any other inherited socket is not ours; its UniqueFd closes it.
  }
  if (!sockets.auth) {
    // The network daemons' accounts reach it through the group.
    auto fd = bind_socket(config.path("auth_socket"), 0660);
    if (!fd) return fd.error();
    sockets.auth = std::move(*fd);
  }
  if (!sockets.admin) {
    auto fd = bind_socket(config.path("auth_admin_socket"), 0600);
    if (!fd) return fd.error();
    sockets.admin = std::move(*fd);
  }
  return sockets;
}

}  // namespace gm::authd
