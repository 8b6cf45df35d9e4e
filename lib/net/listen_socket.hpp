// Binding listen sockets: gm-master binds every service's sockets (it may
// need root for ports below 1024) and passes them to the daemons. Both
// calls return a nonblocking, close-on-exec socket that is already
// listening.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::net {

inline constexpr size_t kMaxUnixPathLength = 107;  // sizeof(sockaddr_un::sun_path) - 1

// host is an IPv4 or IPv6 address literal ("127.0.0.1", "::1", "[::1]");
// names are not resolved. SO_REUSEADDR is set so a restart can rebind at
// once; IPv6 sockets are IPV6_V6ONLY so "::" and "0.0.0.0" can coexist.
Result<UniqueFd> bind_tcp(std::string_view host, uint16_t port, int backlog);

// A stale socket file (nobody accepting on it) is removed first; a live one
// is an error, and so is any other kind of file at path. The socket gets
// mode exactly (it is never reachable with looser permissions).
Result<UniqueFd> bind_unix(const std::string& path, mode_t mode, int backlog);

// For accepted and connected sockets too.
Status set_nonblocking_cloexec(int fd);

}  // namespace gm::net
