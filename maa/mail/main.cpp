// maa-mail: the GoodMessaging mail access agent, mailbox part (maa-mail(8)).
// - The dispatcher (started by gm-master) listens on "mail"
//   (unix:$maa_mail_socket); only maa (unprivileged_user, checked with
//   SO_PEERCRED) may connect. It reads one handoff line per connection
//   (mail/maa_handoff.hpp), checks that the maildir is inside mail_dir
//   (realpath), and passes the connection to the worker process of that
//   user, starting one when needed (mail_dispatcher.hpp).
// - A worker (maa-mail --worker USER) runs the IMAP and POP3 engines for
//   its user's sessions on the plaintext stream maa relays, and reads and
//   writes that user's Maildir under mail_dir; nothing else.
// Runs as mail_user, workers too. Manual: maa-mail(8).
#include <unistd.h>

#include <climits>

#include "core/program.hpp"
#include "mail_dispatcher.hpp"
#include "mail_worker.hpp"
#include "net/server.hpp"
#include "worker_process.hpp"

namespace {

std::string own_executable(const char* argv0) {
  char buffer[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string(argv0);
}

}  // namespace

int main(int argc, char** argv) {
  if (gm::maa::is_worker_invocation(argc, argv)) return gm::maa::run_mail_worker(argc, argv);
  gm::maa::WorkerCommand command{own_executable(argv[0]),
                                 gm::core::config_path_from_args(argc, argv)};
  gm::net::ServerSpec spec{
      "maa-mail", "the GoodMessaging IMAP and POP3 mailbox server", {}, {}, {}};
  spec.run_as_key = "mail_user";
  spec.make_fd_taker = [command](gm::net::EventLoop& loop, const gm::core::Config& config) {
    auto dispatcher = std::make_shared<gm::maa::MailDispatcher>(loop, config, command);
    return [dispatcher](std::string_view, gm::UniqueFd fd) { dispatcher->take(std::move(fd)); };
  };
  return gm::net::run_server(argc, argv, spec);
}
