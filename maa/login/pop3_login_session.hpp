// POP3 before login (RFC 1939 AUTHORIZATION state, RFC 2449 CAPA, RFC 2595
// STLS, RFC 5034 AUTH): the part of POP3 that runs in maa, unprivileged.
// After a successful USER/PASS or AUTH the session hands off to maa-mail,
// which takes the maildrop lock and answers "+OK" itself (or "-ERR
// [IN-USE]": RFC 1939 4 has the lock taken before PASS is answered).
#pragma once

#include <memory>
#include <string_view>

#include "login_context.hpp"
#include "net/session.hpp"

namespace gm::maa {

std::unique_ptr<net::Session> make_pop3_login_session(LoginContext& ctx);

}  // namespace gm::maa
