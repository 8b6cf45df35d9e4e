// How gmctl reaches the user directory. authd is its one writer and holds
// the writer lock while it runs; then requests go over auth_admin_socket.
// When the lock is free (authd not running, e.g. during `gmctl instance
// init`), gmctl takes the lock itself and applies the request directly, with
// the same code authd would run (auth/directory_admin.hpp).
#pragma once

#include "core/config.hpp"
#include "core/result.hpp"
#include "store/admin_protocol.hpp"

namespace gm::gmctl {

// An error means the request could not be carried out at all (directory
// unreachable); a refused request is a reply with ok == false.
Result<store::AdminReply> run_admin_request(const core::Config& config,
                                            const store::AdminRequest& request);

}  // namespace gm::gmctl
