// Applies one admin-protocol request (store/admin_protocol.hpp) to a user
// directory. authd runs it for requests on its admin socket, and gmctl for
// the same request when authd is not running, so both paths share every
// check: address syntax, SCRAM secret syntax, quota, mailbox location.
#pragma once

#include <cstdint>

#include "store/admin_protocol.hpp"
#include "store/user_directory.hpp"

namespace gm::auth {

// now: Unix time stamped on new records.
store::AdminReply apply_admin_request(store::UserDirectory& directory,
                                      const store::AdminRequest& request, int64_t now);

}  // namespace gm::auth
