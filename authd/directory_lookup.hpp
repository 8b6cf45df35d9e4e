// LOOKUP on the relay socket (authd(8), RELAY PROTOCOL): what the user
// directory says about one address, for delivery (mda, qmgr) and RCPT
// checks (mta, msa). authd owns the directory; nobody else opens it.
#pragma once

#include "auth/auth_protocol.hpp"
#include "store/user_directory.hpp"

namespace gm::authd {

// USER, ALIAS, NONE domain=local|remote, or FAIL temp=1 when the directory
// cannot be read. A local part is matched as given, then in lower case
// (users expect Alice@ and alice@ to be one mailbox).
auth::AuthReplyMessage answer_lookup(store::UserDirectory& directory,
                                     const auth::LookupRequest& request);

}  // namespace gm::authd
