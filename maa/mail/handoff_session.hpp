// The first thing maa-mail does with a connection from maa: check who is
// calling (SO_PEERCRED: only unprivileged_user or our own user may hand a
// client over, whatever the socket's mode), read the handoff line, check
// that the maildir is inside mail_dir (realpath: no "..", no symlink out),
// and make the protocol engine, which then gets every later call.
#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "mail/maa_handoff.hpp"
#include "mail_context.hpp"
#include "net/session.hpp"

namespace gm::maa {

// The maildir's real path when it lies inside mail_dir_real (creating the
// Maildir when the user has none yet: no mail was delivered so far).
Result<std::string> checked_maildir(const std::string& mail_dir_real, const std::string& maildir);

std::unique_ptr<net::Session> make_handoff_session(MailContext& ctx);

// The IMAP engine's dispatch point (imap_dispatch.cpp).
std::unique_ptr<net::Session> make_imap_engine(MailContext& ctx, mail::MaaHandoff handoff);

}  // namespace gm::maa
