// The IMAP engine's dispatch point: maa-mail hands a logged-in IMAP client
// to the engine made here. Until the IMAP engine (maa/mail/imap_*) is
// merged, the client is told so and disconnected; the engine's branch
// replaces this body with make_imap_session(...).
#include "core/log.hpp"
#include "handoff_session.hpp"
#include "net/connection.hpp"

namespace gm::maa {
namespace {

class ImapUnavailable final : public net::Session {
 public:
  void on_connect(net::Connection& c) override {
    c.send_line("* BYE IMAP mailbox access is not available in this build");
    c.close_after_flush();
  }
  void on_line(net::Connection&, std::string_view) override {}
  void on_line_too_long(net::Connection&) override {}
  void on_timeout(net::Connection&, net::Timeout) override {}
  void on_refused(net::Connection& c, net::Refusal) override { c.close(); }
};

}  // namespace

std::unique_ptr<net::Session> make_imap_engine(MailContext&, mail::MaaHandoff handoff) {
  log::write(log::Level::kWarning, handoff.session, "IMAP engine not built in");
  return std::make_unique<ImapUnavailable>();
}

}  // namespace gm::maa
