// The IMAP engine's dispatch point: maa-mail hands a logged-in IMAP client
// to the engine made here (imap_session.hpp).
#include "handoff_session.hpp"
#include "imap_session.hpp"

namespace gm::maa {

std::unique_ptr<net::Session> make_imap_engine(MailContext& ctx, mail::MaaHandoff handoff) {
  return std::make_unique<ImapSession>(ctx, std::move(handoff));
}

}  // namespace gm::maa
