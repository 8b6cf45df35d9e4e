// maa-mail: the GoodMessaging mail access agent, mailbox part (maa-mail(8)).
// - Listens on "mail" (unix:$maa_mail_socket); only maa (unprivileged_user,
//   checked with SO_PEERCRED) may connect.
// - Reads one handoff line per connection (mail/maa_handoff.hpp), opens
//   only that user's Maildir (inside mail_dir, checked with realpath) and
//   runs the IMAP or POP3 engine on the plaintext stream maa relays.
// - Reads and writes the Maildirs under mail_dir; reads nothing else.
// Runs as mail_user. Manual: maa-mail(8).
#include "handoff_session.hpp"
#include "mail_context.hpp"
#include "net/server.hpp"

namespace {

gm::net::SessionFactory make_factory(gm::net::EventLoop& loop, const gm::core::Config& config) {
  auto ctx = std::make_shared<gm::maa::MailContext>(loop, config);
  return [ctx](std::string_view) -> std::unique_ptr<gm::net::Session> {
    return gm::maa::make_handoff_session(*ctx);
  };
}

}  // namespace

int main(int argc, char** argv) {
  gm::net::ServerSpec spec{
      "maa-mail", "the GoodMessaging IMAP and POP3 mailbox server", {}, {}, make_factory};
  spec.run_as_key = "mail_user";
  return gm::net::run_server(argc, argv, spec);
}
