// Binding listening sockets (gm-master binds, daemons inherit). Every
// socket is nonblocking and close-on-exec; the master clears FD_CLOEXEC on
// the copies it passes to a child.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/unique_fd.hpp"

namespace gm::net {

inline constexpr size_t kMaxUnixPathLength = 107;  // sizeof(sockaddr_un::sun_path) - 1

// host is a numeric IPv4 or IPv6 address ("127.0.0.1", "::1", "[::1]"), or
// "" / "*" for every address (IPv6 and IPv4 where the system allows it).
// An IPv6 address binds IPv6 only (IPV6_V6ONLY). SO_REUSEADDR is set.
Result<UniqueFd> bind_tcp(std::string_view host, uint16_t port, int backlog);

// Removes a stale socket file first (only a socket, never another kind of
// file), binds, and sets the file's mode.
Result<UniqueFd> bind_unix(const std::string& path, mode_t mode, int backlog);

// For accepted and connected sockets too.
Status set_nonblocking_cloexec(int fd);

}  // namespace gm::net
