// mta: the GoodMessaging inbound SMTP server (RFC 5321), port 25.
// - Accepts mail only for local users and aliases (directory lookups go to
//   authd over auth_socket); relaying and every relay trick: 554 5.7.1.
// - No AUTH here; STARTTLS when a certificate is configured. Strict end of
//   DATA (smtpd_bare_line_ending), pregreet test (smtpd_greet_pause),
//   per-address connection rate (smtpd_client_connection_rate_limit).
// - Writes accepted messages to $spool_dir/incoming (committed before the
//   250: through the group-commit queue log $spool_dir/log/mta.*, or
//   file + directory fsync; see queue_store.hpp) with a Received header; wakes qmgr.
// Runs as unprivileged_user. Manual: mta(8).
#include "auth/directory_client.hpp"
#include "core/log.hpp"
#include "core/str.hpp"
#include "inbound_policy.hpp"
#include "mail/queue_store_config.hpp"
#include "mail/smtp_server_session.hpp"
#include "net/server.hpp"
#include "net/worker_pool.hpp"

namespace {

struct Mta {
  Mta(gm::net::EventLoop& loop, const gm::core::Config& config)
      : queue(gm::mail::make_server_queue_store(config, "mta")),
        workers(loop, gm::mail::kSmtpDiskThreads),
        directory(loop, config.path("auth_socket")),
        policy(directory, config.integer("smtpd_client_connection_rate_limit")),
        context{loop, workers, *queue, policy, nullptr} {
    // Startup, before any client: may block (queue log recovery, zero-filling segments).
    if (auto status = queue->init(); !status)
      gm::log::error(gm::str_cat("queue: ", status.error().message));
  }
  std::unique_ptr<gm::mail::QueueStore> queue;
  gm::net::WorkerPool workers;
  gm::auth::DirectoryClient directory;
  gm::mta::InboundPolicy policy;
  gm::mail::SmtpServerContext context;
};

gm::net::SessionFactory make_factory(gm::net::EventLoop& loop, const gm::core::Config& config) {
  auto mta = std::make_shared<Mta>(loop, config);
  return [mta](std::string_view) -> std::unique_ptr<gm::net::Session> {
    gm::mail::SmtpRole role;
    role.greet_pause = true;
    return gm::mail::make_smtp_server_session(mta->context, role);
  };
}

}  // namespace

int main(int argc, char** argv) {
  gm::net::ServerSpec spec{"mta", "the GoodMessaging inbound SMTP server", {}, {}, make_factory};
  return gm::net::run_server(argc, argv, spec);
}
