// One LMTP connection from qmgr (RFC 2033): LHLO, MAIL, RCPT (each
// recipient's aliases expanded through authd at once, so RCPT gets its
// real answer), DATA read by the strict reader into a spool file, then one
// reply per accepted recipient once its copy is fsync'ed in the Maildir.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/alias_expansion.hpp"
#include "auth/directory_client.hpp"
#include "lmtp_command.hpp"
#include "local_delivery.hpp"
#include "mail/smtp_data_reader.hpp"
#include "net/connection.hpp"
#include "net/session.hpp"
#include "net/worker_pool.hpp"

namespace gm::mda {

// Maildir deliveries in parallel: as many as qmgr runs at once by default
// (default_destination_concurrency_limit), each waiting on its fsyncs.
inline constexpr size_t kMdaWorkerThreads = 20;
inline constexpr size_t kSpoolWriteAt = 64 << 10;  // body bytes buffered before a spool write

// What all sessions of the process share (made once the loop exists).
struct MdaShared {
  MdaShared(net::EventLoop& loop, const core::Config& config);
  auth::DirectoryClient directory;
  net::WorkerPool workers;
  std::string mail_dir;
  std::string hostname;
};

class LmtpSession final : public net::Session {
 public:
  explicit LmtpSession(std::shared_ptr<MdaShared> shared) : shared_(std::move(shared)) {}
  void on_connect(net::Connection& c) override;
  void on_line(net::Connection& c, std::string_view line) override;
  void on_line_too_long(net::Connection& c) override;
  void on_data(net::Connection& c, std::string_view chunk, bool last) override;
  void on_timeout(net::Connection& c, net::Timeout which) override;
  void on_refused(net::Connection& c, net::Refusal why) override;
  void on_close(net::Connection& c) override;

 private:
  struct Recipient {
    std::string address;                 // as in RCPT TO
    std::vector<MailboxTarget> targets;  // after alias expansion
  };
  // Shared with worker jobs, which must not touch the session.
  struct Transaction {
    std::string sender;
    std::vector<Recipient> recipients;
    std::unique_ptr<Spool> spool;
    std::string buffered;  // body bytes not yet in the spool
    Status error;          // first spool failure
    std::vector<mail::SmtpReply> replies;
  };

  void reply(net::Connection& c, const mail::SmtpReply& r);
  void on_mail(net::Connection& c, std::string_view argument);
  void on_rcpt(net::Connection& c, std::string_view argument);
  void expand(net::Connection& c, std::shared_ptr<auth::AliasExpander> expander,
              std::string address);
  void on_data_command(net::Connection& c);
  void flush_spool(net::Connection& c, bool last);
  static void deliver_all(Transaction& tx, bool bare, const std::string& mail_dir);
  void reset();
  void busy(net::Connection& c);
  void ready(net::Connection& c, LmtpState next);

  std::shared_ptr<MdaShared> shared_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  LmtpState state_ = LmtpState::kGreeted;
  std::shared_ptr<Transaction> transaction_;
  std::unique_ptr<mail::SmtpDataReader> reader_;
};

// For ServerSpec::make_factory: sessions on the listener "lmtp" only.
net::SessionFactory make_lmtp_factory(net::EventLoop& loop, const core::Config& config);

}  // namespace gm::mda
