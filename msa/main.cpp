// msa: the GoodMessaging submission server (RFC 6409, RFC 8314).
// - Listens on "submission" (587, STARTTLS required before AUTH) and
//   "submissions" (465, implicit TLS); AUTH is required before MAIL, and
//   the envelope sender must be the account or one of its aliases.
// - Relays SASL exchanges and directory lookups to authd (auth_socket);
//   never reads a secret.
// - Writes accepted messages to $spool_dir/incoming (committed before the
//   250: through the group-commit queue log $spool_dir/log/msa.*, or
//   file + directory fsync; see queue_store.hpp), adding Received, and Date and Message-ID when
//   missing; wakes qmgr.
// Runs as unprivileged_user. Manual: msa(8).
#include "auth/auth_client.hpp"
#include "auth/directory_client.hpp"
#include "core/log.hpp"
#include "core/str.hpp"
#include "mail/queue_store_config.hpp"
#include "mail/smtp_server_session.hpp"
#include "net/server.hpp"
#include "net/worker_pool.hpp"
#include "submission_policy.hpp"

namespace {

struct Msa {
  Msa(gm::net::EventLoop& loop, const gm::core::Config& config)
      : queue(gm::mail::make_server_queue_store(config, "msa")),
        workers(loop, gm::mail::kSmtpDiskThreads),
        auth(loop, config.path("auth_socket")),
        directory(loop, config.path("auth_socket")),
        policy(directory),
        context{loop, workers, *queue, policy, &auth} {
    // Startup, before any client: may block (queue log recovery, zero-filling segments).
    if (auto status = queue->init(); !status)
      gm::log::error(gm::str_cat("queue: ", status.error().message));
  }
  std::unique_ptr<gm::mail::QueueStore> queue;
  gm::net::WorkerPool workers;
  gm::auth::AuthClient auth;
  gm::auth::DirectoryClient directory;
  gm::msa::SubmissionPolicy policy;
  gm::mail::SmtpServerContext context;
};

gm::net::SessionFactory make_factory(gm::net::EventLoop& loop, const gm::core::Config& config) {
  auto msa = std::make_shared<Msa>(loop, config);
  return [msa](std::string_view listener) -> std::unique_ptr<gm::net::Session> {
    gm::mail::SmtpRole role;
    role.offer_auth = true;
    role.auth_requires_tls = listener != "submissions";  // 465 is TLS already
    role.mail_requires_auth = true;
    role.add_message_id_and_date = true;
    return gm::mail::make_smtp_server_session(msa->context, role);
  };
}

}  // namespace

int main(int argc, char** argv) {
  gm::net::ServerSpec spec{
      "msa", "the GoodMessaging mail submission server", {"submissions"}, {}, make_factory};
  return gm::net::run_server(argc, argv, spec);
}
