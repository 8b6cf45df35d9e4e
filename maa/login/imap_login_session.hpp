// IMAP before login (RFC 9051 6.1 and 6.2, RFC 3501; STARTTLS, LOGIN,
// AUTHENTICATE with SASL-IR, ID RFC 2971): the part of IMAP that runs in
// maa, unprivileged. After a successful login it answers
// "<tag> OK [CAPABILITY ...] Logged in" and hands the connection to
// maa-mail, whose IMAP engine starts in the Authenticated state.
#pragma once

#include <memory>

#include "login_context.hpp"
#include "net/session.hpp"

namespace gm::maa {

std::unique_ptr<net::Session> make_imap_login_session(LoginContext& ctx);

}  // namespace gm::maa
