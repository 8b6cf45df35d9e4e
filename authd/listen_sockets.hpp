// authd's two listening sockets: inherited from gm-master or systemd
// (LISTEN_FDS, named "auth" and "admin" in LISTEN_FDNAMES), or, when none
// are passed, bound here at auth_socket and auth_admin_socket.
#pragma once

#include "core/config.hpp"
#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::authd {

struct ListenSockets {
  UniqueFd auth;   // SASL relay, for the network daemons
  UniqueFd admin;  // admin protocol, for gmctl (mode 0600)
};

Result<ListenSockets> open_listen_sockets(const core::Config& config);

}  // namespace gm::authd
