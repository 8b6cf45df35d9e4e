// maa: the GoodMessaging mail access agent, login part (maa(8)).
// - Listens on "imap" (143, STARTTLS; LOGINDISABLED until TLS), "imaps"
//   (993), "pop3" (110, STLS) and "pop3s" (995).
// - Runs TLS and the commands allowed before login; relays SASL exchanges
//   and directory lookups to authd (auth_socket), which throttles failed
//   logins; never reads a secret and never opens a mailbox.
// - After a login, connects to maa-mail ($maa_mail_socket), sends one
//   handoff line (mail/maa_handoff.hpp) and relays the client's bytes both
//   ways, so only maa-mail, as $mail_user, touches mail.
// Runs as unprivileged_user. Manual: maa(8).
#include "imap_login_session.hpp"
#include "login_context.hpp"
#include "net/server.hpp"
#include "pop3_login_session.hpp"

namespace {

gm::net::SessionFactory make_factory(gm::net::EventLoop& loop, const gm::core::Config& config) {
  auto ctx = std::make_shared<gm::maa::LoginContext>(loop, config);
  return [ctx](std::string_view listener) -> std::unique_ptr<gm::net::Session> {
    if (listener == "imap" || listener == "imaps") return gm::maa::make_imap_login_session(*ctx);
    if (listener == "pop3" || listener == "pop3s") return gm::maa::make_pop3_login_session(*ctx);
    return nullptr;
  };
}

}  // namespace

int main(int argc, char** argv) {
  gm::net::ServerSpec spec{"maa",
                           "the GoodMessaging IMAP and POP3 server (login part)",
                           {"imaps", "pop3s"},
                           {},
                           make_factory};
  return gm::net::run_server(argc, argv, spec);
}
