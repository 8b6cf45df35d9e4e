#include "mail/smtp_server_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <string_view>

#include "auth/base64.hpp"
#include "auth/sasl_relay.hpp"
#include "core/log.hpp"
#include "core/str.hpp"
#include "mail/esmtp_params.hpp"
#include "mail/queue_trigger.hpp"
#include "mail/smtp_command.hpp"
#include "mail/smtp_data_reader.hpp"
#include "mail/smtp_trace.hpp"
#include "net/connection.hpp"

namespace gm::mail {
namespace {

// Content handed to the worker per write; the session holds at most about
// twice this (one write in flight, one filling) plus the inspected header.
constexpr size_t kWriteChunk = 64 << 10;

struct Settings {
  uint64_t max_size = 0;
  size_t max_recipients = 0;
  size_t max_errors = 0;
  BareLineEnding bare = BareLineEnding::kReject;
  std::chrono::milliseconds greet_pause{0};
  std::string hostname;
  std::string trigger_socket;
  std::string mydomain;

  static Settings from(const core::Config& c) {
    Settings s;
    uint64_t limit = c.size("message_size_limit");
    s.max_size = limit == 0 ? std::numeric_limits<uint64_t>::max() : limit;
    s.max_recipients =
        static_cast<size_t>(std::max<int64_t>(c.integer("smtpd_recipient_limit"), 1));
    s.max_errors = static_cast<size_t>(std::max<int64_t>(c.integer("smtpd_hard_error_limit"), 1));
    s.bare = c.string("smtpd_bare_line_ending") == "normalize" ? BareLineEnding::kNormalize
                                                               : BareLineEnding::kReject;
    s.greet_pause = c.duration("smtpd_greet_pause");
    s.hostname = c.string("myhostname");
    if (s.hostname.empty()) {
      char buf[256] = {};
      gethostname(buf, sizeof buf - 1);
      s.hostname = buf[0] ? buf : "localhost";
    }
    // queue_trigger_socket comes with qmgr (the delivery branch); until
    // then its contract default.
    bool has_trigger_key = false;
    for (const core::KeySpec& spec : c.schema())
      if (spec.name == "queue_trigger_socket") has_trigger_key = true;
    s.trigger_socket =
        has_trigger_key ? c.path("queue_trigger_socket") : str_cat(c.path("run_dir"), "/qmgr.sock");
    s.mydomain = c.string("mydomain");
    return s;
  }
};

// The message being written; shared with the worker thread's jobs, which
// alone touch `message` once it exists.
struct Spool {
  std::unique_ptr<QueuedMessage> message;
  Status status;
  std::string queue_id;
};

enum class ContentMode { kDot, kChunk, kDiscard };

struct Transaction {
  std::string sender;
  MailParameters mail;
  std::vector<QueueRecipient> recipients;
  std::shared_ptr<Spool> spool;
  std::optional<SmtpDataReader> reader;
  std::string held;  // header section being inspected
  bool header_released = false;
  HeaderSummary header;
  std::string buffer;  // content waiting for the worker
  uint64_t chunk_total = 0;
  bool too_big = false;
  bool finishing = false;
};

class SmtpServerSession;
using Handler = void (SmtpServerSession::*)(std::string_view argument);
using Check = std::optional<SmtpReply> (SmtpServerSession::*)(std::string_view argument) const;

class SmtpServerSession final : public net::Session {
 public:
  SmtpServerSession(SmtpServerContext& context, SmtpRole role) : ctx_(context), role_(role) {}
  ~SmtpServerSession() override;

  void on_connect(net::Connection& c) override;
  void on_line(net::Connection& c, std::string_view line) override;
  void on_line_too_long(net::Connection& c) override;
  void on_data(net::Connection& c, std::string_view chunk, bool last) override;
  void on_tls_ready(net::Connection& c) override;
  void on_timeout(net::Connection& c, net::Timeout which) override;
  void on_refused(net::Connection& c, net::Refusal why) override;
  void on_close(net::Connection& c) override;

  // Check steps: syntax, state and limits beyond the table's; a reply stops.
  std::optional<SmtpReply> check_starttls(std::string_view) const;
  std::optional<SmtpReply> check_auth(std::string_view) const;
  std::optional<SmtpReply> check_mail(std::string_view) const;
  std::optional<SmtpReply> check_rcpt(std::string_view) const;
  std::optional<SmtpReply> check_none(std::string_view) const { return std::nullopt; }
  // Proceed steps: do the work and reply.
  void do_ehlo(std::string_view argument);
  void do_helo(std::string_view argument);
  void do_starttls(std::string_view argument);
  void do_auth(std::string_view argument);
  void do_mail(std::string_view argument);
  void do_rcpt(std::string_view argument);
  void do_data(std::string_view argument);
  void do_bdat(std::string_view argument);
  void do_rset(std::string_view argument);
  void do_noop(std::string_view argument);
  void do_quit(std::string_view argument);
  void do_vrfy(std::string_view argument);
  void do_help(std::string_view argument);

 private:
  void greet();
  void reply(const SmtpReply& r);
  void wait();  // kBusy: no input until resume()
  void resume(SmtpState next);
  SmtpClient client() const;
  std::function<void()> guard(std::function<void()> f);
  void reset_transaction();
  void with_mechanisms(std::function<void()> then);
  std::vector<std::string> ehlo_keywords() const;
  void auth_done(auth::SaslOutcome outcome);
  void finish_auth(const SmtpReply& r);
  void open_message(std::function<void()> then);
  Envelope envelope() const;
  void add_content(std::string_view bytes);
  void release_header();
  std::string added_headers() const;
  void pump();
  void write_done(bool final);
  void end_of_content();
  void chunk_done();
  void drop_message();
  void discard_content(uint64_t size, SmtpReply after);

  SmtpServerContext& ctx_;
  SmtpRole role_;
  Settings settings_;
  net::Connection* conn_ = nullptr;
  SmtpState state_ = SmtpState::kGreeted;
  std::string helo_;
  bool esmtp_ = false;
  std::optional<std::vector<std::string>> mechanisms_;
  std::string account_;
  size_t errors_ = 0;
  std::unique_ptr<auth::SaslRelay> sasl_;  // the AUTH exchange, while state_ is kAuth
  Transaction tx_;
  ContentMode mode_ = ContentMode::kDot;
  bool bdat_last_ = false;
  uint64_t bdat_size_ = 0;
  std::optional<SmtpReply> after_discard_;
  bool writing_ = false;
  bool paused_for_disk_ = false;
  std::optional<net::Timer> greet_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

struct CommandRow {
  SmtpVerb verb;
  Check check;
  Handler proceed;
};

// The protocol on one screen: smtp_command.hpp's table says where each
// command is allowed; this one says how it is checked and what it does.
// clang-format off
constexpr CommandRow kCommandRows[] = {
    {SmtpVerb::kEhlo,     &SmtpServerSession::check_none,     &SmtpServerSession::do_ehlo},
    {SmtpVerb::kHelo,     &SmtpServerSession::check_none,     &SmtpServerSession::do_helo},
    {SmtpVerb::kStartTls, &SmtpServerSession::check_starttls, &SmtpServerSession::do_starttls},
    {SmtpVerb::kAuth,     &SmtpServerSession::check_auth,     &SmtpServerSession::do_auth},
    {SmtpVerb::kMail,     &SmtpServerSession::check_mail,     &SmtpServerSession::do_mail},
    {SmtpVerb::kRcpt,     &SmtpServerSession::check_rcpt,     &SmtpServerSession::do_rcpt},
    {SmtpVerb::kData,     &SmtpServerSession::check_none,     &SmtpServerSession::do_data},
    {SmtpVerb::kBdat,     &SmtpServerSession::check_none,     &SmtpServerSession::do_bdat},
    {SmtpVerb::kRset,     &SmtpServerSession::check_none,     &SmtpServerSession::do_rset},
    {SmtpVerb::kNoop,     &SmtpServerSession::check_none,     &SmtpServerSession::do_noop},
    {SmtpVerb::kQuit,     &SmtpServerSession::check_none,     &SmtpServerSession::do_quit},
    {SmtpVerb::kVrfy,     &SmtpServerSession::check_none,     &SmtpServerSession::do_vrfy},
    {SmtpVerb::kHelp,     &SmtpServerSession::check_none,     &SmtpServerSession::do_help},
};
// clang-format on

// ---- lifecycle ----

SmtpServerSession::~SmtpServerSession() {
  *alive_ = false;
  drop_message();
}

void SmtpServerSession::on_connect(net::Connection& c) {
  conn_ = &c;
  c.set_write_through(true);  // every reply is one send()
  settings_ = Settings::from(c.config());
  if (auto refused = ctx_.policy.check_connect(client())) {
    reply(*refused);
    c.close_after_flush();
    return;
  }
  if (role_.greet_pause && settings_.greet_pause.count() > 0) {
    // Postfix postscreen's pregreet test: a client that talks first is a bot.
    state_ = SmtpState::kGreetPause;
    greet_timer_.emplace(ctx_.loop, guard([this] {
                           if (conn_->input_pending() > 0) {
                             reply(talked_before_greeting());
                             conn_->close_after_flush();
                             return;
                           }
                           greet();
                         }));
    greet_timer_->start(settings_.greet_pause);
    return;
  }
  greet();
}

void SmtpServerSession::greet() {
  state_ = SmtpState::kGreeted;
  conn_->set_line_limit(kMaxCommandLine);
  reply(greeting(settings_.hostname, "ESMTP GoodMessaging"));
}

void SmtpServerSession::on_close(net::Connection&) {
  if (greet_timer_) greet_timer_->cancel();
}

void SmtpServerSession::on_timeout(net::Connection&, net::Timeout) {
  reply(timeout());
}

void SmtpServerSession::on_refused(net::Connection& c, net::Refusal) {
  conn_ = &c;
  reply(too_many_connections());
}

std::function<void()> SmtpServerSession::guard(std::function<void()> f) {
  return [alive = std::weak_ptr<bool>(alive_), f = std::move(f)] {
    if (auto a = alive.lock(); a && *a) f();
  };
}

SmtpClient SmtpServerSession::client() const {
  return {conn_->peer_address(), helo_, conn_->listener(), conn_->tls_active(), account_};
}

// ---- replies and flow ----

void SmtpServerSession::reply(const SmtpReply& r) {
  std::string text = format_reply(r);
  conn_->send(text);
  if (r.code < 400 || conn_->closing()) return;
  if (++errors_ >= settings_.max_errors && settings_.max_errors > 0) {
    conn_->send(format_reply(too_many_errors()));
    conn_->close_after_flush();
  }
}

void SmtpServerSession::wait() {
  state_ = SmtpState::kBusy;
  conn_->pause_input();
}

void SmtpServerSession::resume(SmtpState next) {
  state_ = next;
  conn_->resume_input();
}

void SmtpServerSession::on_line(net::Connection& c, std::string_view line) {
  if (state_ == SmtpState::kGreetPause) {
    reply(talked_before_greeting());
    c.close_after_flush();
    return;
  }
  if (state_ == SmtpState::kAuth) return sasl_->on_line(line);
  // RFC 2920: only a client told PIPELINING (by EHLO) may send ahead.
  if (!esmtp_ && c.input_pending() > 0) {
    reply(improper_pipelining());
    c.close_after_flush();
    return;
  }
  auto dispatched = dispatch_command(line, state_);
  if (auto* refusal = std::get_if<SmtpReply>(&dispatched)) return reply(*refusal);
  const SmtpCommand& command = std::get<SmtpCommand>(dispatched);
  for (const CommandRow& row : kCommandRows) {
    if (row.verb != command.spec->verb) continue;
    if (auto refusal = (this->*row.check)(command.argument)) return reply(*refusal);
    return (this->*row.proceed)(command.argument);
  }
}

void SmtpServerSession::on_line_too_long(net::Connection&) {
  if (state_ == SmtpState::kAuth) {
    sasl_->abort();
    state_ = SmtpState::kReady;
  }
  reply(line_too_long());
}

void SmtpServerSession::reset_transaction() {
  drop_message();
  tx_ = Transaction();
}

// ---- EHLO, HELO, STARTTLS ----

std::vector<std::string> SmtpServerSession::ehlo_keywords() const {
  std::vector<std::string> k = {"PIPELINING",
                                settings_.max_size == std::numeric_limits<uint64_t>::max()
                                    ? std::string("SIZE")
                                    : str_cat("SIZE ", settings_.max_size),
                                "8BITMIME",
                                "SMTPUTF8",
                                "ENHANCEDSTATUSCODES",
                                "DSN",
                                "CHUNKING"};
  if (conn_->tls_available() && !conn_->tls_active()) k.push_back("STARTTLS");
  if (mechanisms_ && !mechanisms_->empty()) {
    std::string auth = "AUTH";
    for (const std::string& m : *mechanisms_) auth += " " + m;
    k.push_back(auth);
  }
  return k;
}

void SmtpServerSession::with_mechanisms(std::function<void()> then) {
  bool may_auth =
      role_.offer_auth && ctx_.auth && (conn_->tls_active() || !role_.auth_requires_tls);
  if (!may_auth || mechanisms_) return then();
  wait();
  bool cb = static_cast<bool>(conn_->channel_binding());
  ctx_.auth->mechanisms(conn_->tls_active(), cb,
                        [this, alive = std::weak_ptr<bool>(alive_),
                         then = std::move(then)](Result<std::vector<std::string>> mechs) {
                          auto a = alive.lock();
                          if (!a || !*a) return;
                          if (mechs)
                            mechanisms_ = std::move(*mechs);
                          else
                            log::warning(str_cat("authd: ", mechs.error().message));
                          then();
                        });
}

void SmtpServerSession::do_ehlo(std::string_view argument) {
  reset_transaction();
  helo_ = argument;
  esmtp_ = true;
  with_mechanisms([this] {
    reply(ehlo(settings_.hostname, ehlo_keywords()));
    resume(SmtpState::kReady);
  });
}

void SmtpServerSession::do_helo(std::string_view argument) {
  reset_transaction();
  helo_ = argument;
  esmtp_ = false;
  state_ = SmtpState::kReady;
  reply(ok("", settings_.hostname));
}

std::optional<SmtpReply> SmtpServerSession::check_starttls(std::string_view) const {
  if (conn_->tls_active()) return bad_sequence("TLS already active");
  if (!conn_->tls_available()) return tls_not_available();
  return std::nullopt;
}

void SmtpServerSession::do_starttls(std::string_view) {
  reply(ready_to_start_tls());
  if (Status s = conn_->start_tls(); !s) {
    log::error(str_cat("STARTTLS: ", s.error().message));
    conn_->close_after_flush();
  }
}

void SmtpServerSession::on_tls_ready(net::Connection&) {
  // RFC 3207 4.2: forget everything learnt from the client before TLS.
  reset_transaction();
  helo_.clear();
  esmtp_ = false;
  mechanisms_.reset();
  state_ = SmtpState::kGreeted;
}

// ---- AUTH (RFC 4954) ----

std::optional<SmtpReply> SmtpServerSession::check_auth(std::string_view) const {
  if (!role_.offer_auth || !ctx_.auth) return not_implemented();
  if (!account_.empty()) return already_authenticated();
  if (role_.auth_requires_tls && !conn_->tls_active()) return must_starttls();
  return std::nullopt;
}

void SmtpServerSession::do_auth(std::string_view argument) {
  std::string args(argument);
  with_mechanisms([this, args] {
    state_ = SmtpState::kReady;
    if (!mechanisms_) {  // authd did not answer: RFC 4954 6, try again later
      reply(auth_temporary_failure());
      return resume(SmtpState::kReady);
    }
    size_t space = args.find(' ');
    std::string mechanism = auth::offered_mechanism(args.substr(0, space), *mechanisms_);
    if (mechanism.empty()) {
      reply(auth_mechanism_unknown());
      return resume(SmtpState::kReady);
    }
    std::optional<std::string> initial;
    if (space != std::string::npos) {
      std::string_view text = std::string_view(args).substr(space + 1);
      auto decoded = text == "=" ? Result<std::string>(std::string()) : auth::base64_decode(text);
      if (!decoded) {
        reply(bad_arguments("Invalid base64 in initial response"));
        return resume(SmtpState::kReady);
      }
      initial = std::move(*decoded);
    }
    wait();
    state_ = SmtpState::kAuth;
    sasl_ = std::make_unique<auth::SaslRelay>(*ctx_.auth, *conn_, "smtp", "334 ", kMaxCommandLine,
                                              [this](auth::SaslOutcome o) { auth_done(std::move(o)); });
    sasl_->start(std::move(mechanism), std::move(initial));
  });
}

void SmtpServerSession::auth_done(auth::SaslOutcome outcome) {
  using Kind = auth::SaslOutcome::Kind;
  switch (outcome.kind) {
    case Kind::kOk:
      account_ = std::move(outcome.account);
      return finish_auth(auth_ok());
    case Kind::kFailed:
      return finish_auth(auth_failed());
    case Kind::kTemporaryFailure:
      return finish_auth(auth_temporary_failure());
    case Kind::kCancelled:
      return finish_auth(auth_cancelled());
    case Kind::kBadResponse:
      return finish_auth(bad_arguments("Invalid base64 in SASL response"));
  }
}

void SmtpServerSession::finish_auth(const SmtpReply& r) {
  reply(r);
  if (r.code == 235)
    log::write(log::Level::kInfo, conn_->session_id(), str_cat("authenticated as ", account_));
  resume(SmtpState::kReady);
}

// ---- MAIL, RCPT ----

std::optional<SmtpReply> SmtpServerSession::check_mail(std::string_view) const {
  if (role_.mail_requires_auth && account_.empty())
    return role_.auth_requires_tls && !conn_->tls_active() ? must_starttls() : need_auth();
  return std::nullopt;
}

void SmtpServerSession::do_mail(std::string_view argument) {
  PathOptions options;
  options.smtputf8_offered = true;
  auto parsed = parse_mail_from(argument, options);
  if (!parsed) return reply(reply_from_error(parsed.error()));
  OfferedExtensions offered;
  offered.binary_mime = false;
  auto params = interpret_mail_params(parsed->params, offered);
  if (!params) return reply(reply_from_error(params.error()));
  if (params->size && *params->size > settings_.max_size) return reply(message_too_big());
  Path path = parsed->path;
  wait();
  ctx_.policy.check_sender(client(), path,
                           [this, alive = std::weak_ptr<bool>(alive_), path,
                            params = *params](std::optional<SmtpReply> no) {
                             auto a = alive.lock();
                             if (!a || !*a) return;
                             if (no) {
                               reply(*no);
                               return resume(SmtpState::kReady);
                             }
                             tx_ = Transaction();
                             tx_.sender = path.null ? "" : path.mailbox.address();
                             tx_.mail = params;
                             reply(sender_ok());
                             resume(SmtpState::kMailFrom);
                           });
}

std::optional<SmtpReply> SmtpServerSession::check_rcpt(std::string_view) const {
  if (tx_.recipients.size() >= settings_.max_recipients) return too_many_recipients();
  return std::nullopt;
}

void SmtpServerSession::do_rcpt(std::string_view argument) {
  PathOptions options;
  options.smtputf8 = tx_.mail.smtputf8;
  auto parsed = parse_rcpt_to(argument, options);
  if (!parsed) return reply(reply_from_error(parsed.error()));
  auto params = interpret_rcpt_params(parsed->params, OfferedExtensions());
  if (!params) return reply(reply_from_error(params.error()));
  Path path = parsed->path;
  if (path.postmaster) path.mailbox = Mailbox{"postmaster", settings_.mydomain};
  SmtpState before = state_;
  wait();
  ctx_.policy.check_recipient(
      client(), path,
      [this, alive = std::weak_ptr<bool>(alive_), path, params = *params,
       before](std::optional<SmtpReply> no) {
        auto a = alive.lock();
        if (!a || !*a) return;
        if (no) {
          reply(*no);
          return resume(before);
        }
        tx_.recipients.push_back(
            QueueRecipient{path.mailbox.address(), params.orcpt, params.notify, {}, {}, 0, 0});
        reply(recipient_ok());
        resume(SmtpState::kRcptTo);
      });
}

// ---- the message: DATA, BDAT, the queue ----

Envelope SmtpServerSession::envelope() const {
  Envelope e;
  e.arrival_micros = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count());
  e.sender = tx_.sender;
  e.envid = tx_.mail.envid;
  e.ret = tx_.mail.ret;
  e.body = tx_.mail.body;
  e.smtputf8 = tx_.mail.smtputf8;
  e.declared_size = tx_.mail.size.value_or(0);
  e.recipients = tx_.recipients;
  e.client = {conn_->peer_address(), "unknown", helo_,
              with_protocol(esmtp_, conn_->tls_active(), !account_.empty())};
  e.auth_user = account_;
  e.tls_version = conn_->tls_version();
  e.tls_cipher = conn_->tls_cipher();
  return e;
}

// Creates the queue file on a worker when that touches the disk (else at
// once: a queue log holds it in memory), then `then`.
void SmtpServerSession::open_message(std::function<void()> then) {
  auto spool = std::make_shared<Spool>();
  tx_.spool = spool;
  wait();
  QueueStore& queue = ctx_.queue;
  auto create = [spool, &queue, env = envelope()]() mutable {
    auto message = queue.create(std::move(env));
    if (!message) {
      spool->status = message.error();
      return;
    }
    spool->queue_id = (*message)->queue_id();
    spool->message = std::move(*message);
  };
  auto created = guard([this, spool, then = std::move(then)] {
    if (!spool->status) {
      log::error(str_cat("queue: ", spool->status.error().message));
      tx_.spool.reset();
      reply(insufficient_storage());
      reset_transaction();
      return resume(SmtpState::kReady);
    }
    then();
  });
  if (!queue.create_blocks()) {
    create();
    return created();
  }
  ctx_.workers.run(std::move(create), std::move(created));
}

void SmtpServerSession::do_data(std::string_view) {
  open_message([this] {
    tx_.reader.emplace(settings_.bare, settings_.max_size);
    mode_ = ContentMode::kDot;
    reply(start_data());
    state_ = SmtpState::kData;
    conn_->read_bytes(std::numeric_limits<size_t>::max());
    conn_->resume_input();
  });
}

void SmtpServerSession::discard_content(uint64_t size, SmtpReply after) {
  if (size == 0) return reply(after);
  after_discard_ = std::move(after);
  mode_ = ContentMode::kDiscard;
  bdat_size_ = size;
  conn_->read_bytes(size);
}

void SmtpServerSession::do_bdat(std::string_view argument) {
  auto bdat = parse_bdat_argument(argument);
  if (!bdat) return reply(bad_arguments("Syntax: BDAT <size> [LAST]"));
  // RFC 3030 2: a refused BDAT's chunk is still read, and dropped.
  if (state_ != SmtpState::kRcptTo && state_ != SmtpState::kBdat) {
    SmtpReply r = state_ == SmtpState::kMailFrom  ? no_valid_recipients()
                  : state_ == SmtpState::kGreeted ? bad_sequence("Send HELO/EHLO first")
                                                  : bad_sequence("Need MAIL command");
    return discard_content(bdat->size, r);
  }
  auto read_chunk = [this, bdat = *bdat] {
    mode_ = ContentMode::kChunk;
    bdat_last_ = bdat.last;
    bdat_size_ = bdat.size;
    state_ = SmtpState::kData;
    if (bdat.size == 0) {
      conn_->resume_input();
      return chunk_done();
    }
    conn_->read_bytes(bdat.size);
    conn_->resume_input();
  };
  if (tx_.spool) return read_chunk();
  open_message(read_chunk);
}

void SmtpServerSession::on_data(net::Connection& c, std::string_view chunk, bool last) {
  switch (mode_) {
    case ContentMode::kDiscard:
      if (last) {
        mode_ = ContentMode::kDot;
        reply(*after_discard_);
      }
      return;
    case ContentMode::kChunk:
      tx_.chunk_total += chunk.size();
      if (tx_.chunk_total > settings_.max_size) tx_.too_big = true;
      if (!tx_.too_big) add_content(chunk);
      if (last) return chunk_done();
      break;
    case ContentMode::kDot: {
      std::string content;
      size_t used = tx_.reader->feed(chunk, content);
      if (!tx_.reader->saw_bare_line_ending() || settings_.bare == BareLineEnding::kNormalize)
        add_content(content);
      if (tx_.reader->done()) {
        c.end_read_bytes(chunk.substr(used));
        tx_.too_big = tx_.reader->too_big();
        return end_of_content();
      }
      break;
    }
  }
  // Bounded memory: stop reading while the disk is behind.
  if (writing_ && tx_.buffer.size() >= kWriteChunk && !paused_for_disk_) {
    paused_for_disk_ = true;
    c.pause_input();
  }
}

void SmtpServerSession::add_content(std::string_view bytes) {
  if (!tx_.header_released) {
    tx_.held += bytes;
    if (header_section_end(tx_.held) || tx_.held.size() >= kMaxInspectedHeader) release_header();
    return;
  }
  tx_.buffer += bytes;
  if (tx_.buffer.size() >= kWriteChunk) pump();
}

void SmtpServerSession::release_header() {
  tx_.header_released = true;
  auto end = header_section_end(tx_.held);
  tx_.header =
      summarize_header(std::string_view(tx_.held).substr(0, end.value_or(tx_.held.size())));
  tx_.buffer = added_headers() + tx_.held + tx_.buffer;
  tx_.held.clear();
  tx_.held.shrink_to_fit();
}

std::string SmtpServerSession::added_headers() const {
  ReceivedInfo info;
  info.helo = helo_;
  info.client_name = "unknown";
  info.client_address = conn_->peer_address();
  info.by_host = settings_.hostname;
  info.protocol = with_protocol(esmtp_, conn_->tls_active(), !account_.empty());
  info.queue_id = tx_.spool ? tx_.spool->queue_id : "";
  info.tls_version = conn_->tls_version();
  info.tls_cipher = conn_->tls_cipher();
  info.authenticated = !account_.empty();
  if (tx_.recipients.size() == 1) info.single_recipient = tx_.recipients[0].address;
  info.when = std::time(nullptr);
  std::string h = received_header(info);
  if (role_.add_message_id_and_date) {
    if (!tx_.header.date) h += str_cat("Date: ", rfc5322_date(info.when), "\r\n");
    if (!tx_.header.message_id)
      h += str_cat("Message-ID: <", info.queue_id, "@", settings_.hostname, ">\r\n");
  }
  return h;
}

// Hands the buffered content to the worker, one write at a time; the last
// write commits (fsync file and directory) before the reply.
void SmtpServerSession::pump() {
  if (writing_ || !tx_.spool) return;
  bool final = tx_.finishing;
  if (!final && tx_.buffer.size() < kWriteChunk) {
    if (paused_for_disk_) {
      paused_for_disk_ = false;
      conn_->resume_input();
    }
    return;
  }
  writing_ = true;
  std::string chunk = std::move(tx_.buffer);
  tx_.buffer.clear();
  auto spool = tx_.spool;
  ctx_.workers.run(
      [spool, chunk = std::move(chunk), final] {
        if (!spool->status || !spool->message) return;
        if (!chunk.empty()) spool->status = spool->message->append(chunk);
        if (final && spool->status) {
          auto committed = spool->message->commit();
          if (!committed) spool->status = committed.error();
        }
      },
      guard([this, final] { write_done(final); }));
}

void SmtpServerSession::write_done(bool final) {
  writing_ = false;
  if (!final) return pump();
  Status status = tx_.spool ? tx_.spool->status : make_error("no message");
  std::string id = tx_.spool ? tx_.spool->queue_id : "";
  if (status) {
    tx_.spool.reset();  // committed: nothing to remove
    log::write(log::Level::kInfo, conn_->session_id(),
               str_cat(id, ": from=<", tx_.sender, "> nrcpt=", tx_.recipients.size()));
    reply(queued(id));
    ctx_.trigger.send(settings_.trigger_socket, trigger_new_message(id));
  } else {
    log::error(str_cat(id, ": not queued: ", status.error().message));
    reply(insufficient_storage());
  }
  reset_transaction();
  resume(SmtpState::kReady);
}

void SmtpServerSession::chunk_done() {
  if (tx_.too_big) {
    mode_ = ContentMode::kDot;
    reply(message_too_big());
    reset_transaction();
    return resume(SmtpState::kReady);
  }
  if (bdat_last_) return end_of_content();
  mode_ = ContentMode::kDot;
  reply(chunk_received(bdat_size_));
  state_ = SmtpState::kBdat;
}

void SmtpServerSession::end_of_content() {
  mode_ = ContentMode::kDot;
  wait();
  if (!tx_.header_released) release_header();
  std::optional<SmtpReply> refusal;
  if (tx_.reader && tx_.reader->saw_bare_line_ending() && settings_.bare == BareLineEnding::kReject)
    refusal = bare_line_ending();
  else if (tx_.too_big)
    refusal = message_too_big();
  else if (tx_.header.received > kMaxReceivedHeaders)
    refusal = loop_detected();
  if (refusal) {
    reply(*refusal);
    reset_transaction();
    return resume(SmtpState::kReady);
  }
  tx_.finishing = true;
  pump();
}

// An uncommitted message is removed by its destructor: on a worker, as
// that touches the disk. The job only lets go of its reference: a write
// still in flight on another worker holds one too, and whichever finishes
// last destroys the message, never while the other uses it.
void SmtpServerSession::drop_message() {
  if (!tx_.spool) return;
  auto spool = std::move(tx_.spool);
  tx_.spool.reset();
  writing_ = false;  // a write in flight finishes with the spool it holds
  ctx_.workers.run([spool]() mutable { spool.reset(); }, nullptr);
}

// ---- the rest ----

void SmtpServerSession::do_rset(std::string_view) {
  reset_transaction();
  mode_ = ContentMode::kDot;
  state_ = helo_.empty() ? SmtpState::kGreeted : SmtpState::kReady;
  reply(ok("2.0.0", "Ok"));
}

void SmtpServerSession::do_noop(std::string_view) {
  reply(ok("2.0.0", "Ok"));
}

void SmtpServerSession::do_quit(std::string_view) {
  reply(closing(settings_.hostname));
  conn_->close_after_flush();
}

void SmtpServerSession::do_vrfy(std::string_view) {
  reply(cannot_vrfy());
}

void SmtpServerSession::do_help(std::string_view) {
  reply(help());
}

}  // namespace

std::unique_ptr<net::Session> make_smtp_server_session(SmtpServerContext& context, SmtpRole role) {
  return std::make_unique<SmtpServerSession>(context, role);
}

}  // namespace gm::mail
