// The POP3 TRANSACTION and UPDATE states (RFC 1939 5, 6; CAPA RFC 2449;
// UIDL, TOP): maa-mail's POP3 engine, made after maa's handoff. It takes
// the maildrop lock and answers the login ("+OK Logged in", or "-ERR
// [IN-USE]" and close), then serves STAT LIST UIDL RETR TOP DELE RSET NOOP
// CAPA QUIT. Deletions happen only at QUIT. RETR and TOP stream the file
// through Pop3BodyWriter in bounded chunks, pausing while the client's
// output backlog is large.
#pragma once

#include <memory>

#include "mail/maa_handoff.hpp"
#include "mail_context.hpp"
#include "net/session.hpp"

namespace gm::maa {

std::unique_ptr<net::Session> make_pop3_session(MailContext& ctx, mail::MaaHandoff handoff);

}  // namespace gm::maa
