#include "lmtp_session.hpp"

#include <unistd.h>

#include <limits>

#include "core/log.hpp"
#include "core/str.hpp"
#include "mail/smtp_path.hpp"
#include "recipient_check.hpp"

namespace gm::mda {
namespace {

std::string host_name(const core::Config& config) {
  std::string name = config.string("myhostname");
  if (!name.empty()) return name;
  char buffer[256] = {};
  if (gethostname(buffer, sizeof buffer - 1) != 0) return "localhost";
  return buffer;
}

// One recipient's answer from its mailboxes' answers: a temporary failure
// anywhere asks qmgr to try again (the copies already made may then be
// delivered twice, never lost); otherwise one delivered copy is success.
mail::SmtpReply combine(const std::vector<mail::SmtpReply>& replies) {
  for (const auto& r : replies)
    if (r.transient()) return r;
  for (const auto& r : replies)
    if (r.positive()) return r;
  return replies.empty() ? mail::local_error() : replies.front();
}

}  // namespace

MdaShared::MdaShared(net::EventLoop& loop, const core::Config& config)
    : directory(loop, config.path("auth_socket")),
      workers(loop, kMdaWorkerThreads),
      mail_dir(config.path("mail_dir")),
      hostname(host_name(config)) {}

// On a worker: one reply per recipient into tx.replies.
void LmtpSession::deliver_all(Transaction& tx, bool bare, const std::string& mail_dir) {
  for (const Recipient& recipient : tx.recipients) {
    if (bare) {
      tx.replies.push_back(mail::bare_line_ending());
    } else if (!tx.error.ok()) {
      tx.replies.push_back(mail::reply_from_error(tx.error.error()));
    } else {
      std::vector<mail::SmtpReply> each;
      for (const MailboxTarget& target : recipient.targets)
        each.push_back(deliver_to_mailbox(*tx.spool, tx.sender, target, mail_dir));
      tx.replies.push_back(combine(each));
    }
  }
}

void LmtpSession::reply(net::Connection& c, const mail::SmtpReply& r) {
  c.send(mail::format_reply(r));
}

void LmtpSession::busy(net::Connection& c) {
  state_ = LmtpState::kBusy;
  c.pause_input();
}

void LmtpSession::ready(net::Connection& c, LmtpState next) {
  state_ = next;
  c.resume_input();
}

void LmtpSession::reset() {
  transaction_.reset();
  reader_.reset();
}

void LmtpSession::on_connect(net::Connection& c) {
  c.set_line_limit(kMaxLmtpCommandLine);
  c.set_write_through(true);  // every reply is one send()
  reply(c, mail::greeting(shared_->hostname, "LMTP"));
}

void LmtpSession::on_line(net::Connection& c, std::string_view line) {
  auto dispatched = dispatch_lmtp(line, state_);
  if (auto* refusal = std::get_if<mail::SmtpReply>(&dispatched)) return reply(c, *refusal);
  const LmtpCommand& command = std::get<LmtpCommand>(dispatched);
  switch (command.spec->verb) {
    case LmtpVerb::kLhlo:
      reset();
      state_ = LmtpState::kReady;
      return reply(c, mail::ehlo(shared_->hostname,
                                 {"PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8"}));
    case LmtpVerb::kMail:
      return on_mail(c, command.argument);
    case LmtpVerb::kRcpt:
      return on_rcpt(c, command.argument);
    case LmtpVerb::kData:
      return on_data_command(c);
    case LmtpVerb::kRset:
      reset();
      state_ = LmtpState::kReady;
      return reply(c, mail::ok("2.0.0", "Ok"));
    case LmtpVerb::kNoop:
      return reply(c, mail::ok("2.0.0", "Ok"));
    case LmtpVerb::kVrfy:
      return reply(c, mail::cannot_vrfy());
    case LmtpVerb::kQuit:
      reply(c, mail::closing(shared_->hostname));
      return c.close_after_flush();
  }
}

void LmtpSession::on_mail(net::Connection& c, std::string_view argument) {
  auto mail_from = mail::parse_mail_from(argument, {false, true});
  if (!mail_from) return reply(c, mail::reply_from_error(mail_from.error()));
  mail::OfferedExtensions offered;
  offered.dsn = false;
  auto params = mail::interpret_mail_params(mail_from->params, offered);
  if (!params) return reply(c, mail::reply_from_error(params.error()));
  transaction_ = std::make_shared<Transaction>();
  transaction_->sender = mail_from->path.null ? "" : mail_from->path.mailbox.address();
  state_ = LmtpState::kMailFrom;
  reply(c, mail::sender_ok());
}

void LmtpSession::on_rcpt(net::Connection& c, std::string_view argument) {
  if (transaction_->recipients.size() >= kMaxLmtpRecipients)
    return reply(c, mail::too_many_recipients());
  auto rcpt = mail::parse_rcpt_to(argument, {true, false});
  if (!rcpt) return reply(c, mail::reply_from_error(rcpt.error()));
  if (rcpt->path.postmaster || rcpt->path.tricks.any()) return reply(c, mail::unknown_user());
  mail::Mailbox mailbox = rcpt->path.mailbox;
  std::string address = str_cat(mail::unquoted_local_part(mailbox.local_part), "@", mailbox.domain);
  LmtpState back = state_;
  busy(c);
  state_ = back;  // restored by expand() when the lookups end
  auto expander = std::make_shared<auth::AliasExpander>(address);
  expand(c, std::move(expander), std::move(address));
}

// One lookup at a time, each answer feeding the expander (alias_expansion.hpp).
void LmtpSession::expand(net::Connection& c, std::shared_ptr<auth::AliasExpander> expander,
                         std::string address) {
  std::optional<std::string> next = expander->next();
  if (!next) {
    const auth::Expansion& result = expander->result();
    if (auto refusal = refuse_recipient(result)) {
      log::info(str_cat("rcpt ", printable(address, 320), ": ", mail::reply_summary(*refusal)));
      reply(c, *refusal);
      return ready(c, state_);
    }
    Recipient recipient{address, {}};
    for (const auth::DirectoryEntry& user : result.users)
      recipient.targets.push_back(MailboxTarget{user.address, user.mailbox, user.quota});
    transaction_->recipients.push_back(std::move(recipient));
    reply(c, mail::recipient_ok());
    return ready(c, LmtpState::kRcptTo);
  }
  std::weak_ptr<bool> alive = alive_;
  shared_->directory.lookup(
      *next, [this, alive, &c, expander, address](Result<auth::DirectoryEntry> entry) mutable {
        if (alive.expired()) return;
        if (!entry) {
          log::warning(str_cat("rcpt ", printable(address, 320), ": ", entry.error().message));
          reply(c, mail::local_error());
          return ready(c, state_);
        }
        expander->feed(*entry);
        expand(c, std::move(expander), std::move(address));
      });
}

void LmtpSession::on_data_command(net::Connection& c) {
  // Spool::create touches no disk (the body stays in memory until it
  // outgrows kSpoolInMemory, and the file is made on a worker then).
  auto spool = Spool::create(shared_->mail_dir);
  if (!spool) {
    log::error(spool.error().message);
    return reply(c, mail::reply_from_error(spool.error()));
  }
  transaction_->spool = std::make_unique<Spool>(std::move(*spool));
  reader_ = std::make_unique<mail::SmtpDataReader>(mail::BareLineEnding::kReject,
                                                   std::numeric_limits<uint64_t>::max());
  reply(c, mail::start_data());
  c.read_bytes(std::numeric_limits<size_t>::max());
  state_ = LmtpState::kData;
}

void LmtpSession::on_data(net::Connection& c, std::string_view chunk, bool) {
  if (state_ != LmtpState::kData || !reader_) return;
  size_t used = reader_->feed(chunk, transaction_->buffered);
  if (reader_->done()) {
    c.end_read_bytes(chunk.substr(used));  // pipelined commands after the final dot
    return flush_spool(c, true);
  }
  if (transaction_->buffered.size() >= kSpoolWriteAt) flush_spool(c, false);
}

// The last flush writes the rest, reads the header and delivers in one job.
void LmtpSession::flush_spool(net::Connection& c, bool last) {
  c.pause_input();
  if (last) state_ = LmtpState::kBusy;
  auto tx = transaction_;
  auto bytes = std::make_shared<std::string>(std::move(tx->buffered));
  tx->buffered.clear();
  std::weak_ptr<bool> alive = alive_;
  if (!last) {
    shared_->workers.run(
        [tx, bytes] {
          if (tx->error.ok()) tx->error = tx->spool->append(*bytes);
        },
        [this, alive, &c] {
          if (alive.expired()) return;
          c.resume_input();
        });
    return;
  }
  bool bare = reader_->saw_bare_line_ending();
  std::string mail_dir = shared_->mail_dir;
  shared_->workers.run(
      [tx, bytes, bare, mail_dir] {
        if (tx->error.ok()) tx->error = tx->spool->append(*bytes);
        if (tx->error.ok()) tx->error = tx->spool->finish();
        deliver_all(*tx, bare, mail_dir);
      },
      [this, alive, &c, tx] {
        if (alive.expired()) return;
        // RFC 2033 4.2: one reply per accepted recipient, in RCPT order.
        for (size_t i = 0; i < tx->recipients.size(); ++i) {
          log::info(str_cat("deliver from=<", printable(tx->sender, 320), "> to=<",
                            printable(tx->recipients[i].address, 320), "> size=", tx->spool->size(),
                            " ", mail::reply_summary(tx->replies[i])));
          reply(c, tx->replies[i]);
        }
        reset();
        ready(c, LmtpState::kReady);
      });
}

void LmtpSession::on_line_too_long(net::Connection& c) {
  reply(c, mail::line_too_long());
}

void LmtpSession::on_timeout(net::Connection& c, net::Timeout) {
  reply(c, mail::timeout());
}

void LmtpSession::on_refused(net::Connection& c, net::Refusal) {
  reply(c, mail::too_many_connections());
}

void LmtpSession::on_close(net::Connection&) {
  *alive_ = false;
}

net::SessionFactory make_lmtp_factory(net::EventLoop& loop, const core::Config& config) {
  auto shared = std::make_shared<MdaShared>(loop, config);
  return [shared](std::string_view listener) -> std::unique_ptr<net::Session> {
    if (listener != "lmtp") return nullptr;
    return std::make_unique<LmtpSession>(shared);
  };
}

}  // namespace gm::mda
