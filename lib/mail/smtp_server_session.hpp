// The SMTP server engine shared by msa and mta (and, with its table and
// reader, LMTP in mda): an explicit state machine (SmtpState) driven by the
// command table of smtp_command.hpp, on net::Session. What differs between
// the daemons is the SmtpRole (flags) and the SmtpPolicy (sender and
// recipient checks); everything else - limits, DATA/BDAT, the queue
// writes on the worker pool, trace headers, replies - is here.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "auth/auth_client.hpp"
#include "mail/queue_store.hpp"
#include "mail/queue_trigger.hpp"
#include "mail/smtp_path.hpp"
#include "mail/smtp_reply.hpp"
#include "net/event_loop.hpp"
#include "net/session.hpp"
#include "net/worker_pool.hpp"

namespace gm::mail {

// What a policy knows about the client when it decides.
struct SmtpClient {
  std::string address;  // peer IP
  std::string helo;
  std::string listener;  // "smtp", "submission", "submissions"
  bool tls = false;
  std::string account;  // authenticated account; empty: none
};

// nullopt accepts; a reply refuses (and is sent as is).
using PolicyDone = std::function<void(std::optional<SmtpReply>)>;

class SmtpPolicy {
 public:
  virtual ~SmtpPolicy() = default;
  // Before the greeting (rate limits). A reply refuses the client.
  virtual std::optional<SmtpReply> check_connect(const SmtpClient& client) {
    (void)client;
    return std::nullopt;
  }
  // May answer later (directory lookups); `done` is called once.
  virtual void check_sender(const SmtpClient& client, const Path& sender, PolicyDone done) = 0;
  virtual void check_recipient(const SmtpClient& client, const Path& recipient,
                               PolicyDone done) = 0;
};

struct SmtpRole {
  bool offer_auth = false;               // AUTH in EHLO and the AUTH command (msa)
  bool auth_requires_tls = true;         // RFC 8314 / 6409: STARTTLS before AUTH
  bool mail_requires_auth = false;       // msa: 530 5.7.0 before AUTH
  bool add_message_id_and_date = false;  // RFC 6409 8.2, 8.3 (msa)
  bool greet_pause = false;              // smtpd_greet_pause applies (mta)
};

// Worker threads msa and mta give the queue writes. A commit waits on
// fsync, and the disk completes parallel fsyncs together (bench/README.md:
// ~30,000/s with 8 writers against ~7,000/s with 1), so sessions must not
// queue behind a few threads: with 2, 50 sessions committed at a fraction
// of Postfix's rate, whose 50 cleanup processes fsync in parallel.
inline constexpr size_t kSmtpDiskThreads = 16;

// One per process; outlives every session.
struct SmtpServerContext {
  net::EventLoop& loop;
  net::WorkerPool& workers;
  QueueStore& queue;
  SmtpPolicy& policy;
  auth::AuthClient* auth = nullptr;  // null: no AUTH
  QueueTrigger trigger{};              // shared by the sessions: one connection to qmgr
};

std::unique_ptr<net::Session> make_smtp_server_session(SmtpServerContext& context, SmtpRole role);

}  // namespace gm::mail
