#include "imap_login_session.hpp"

#include <array>

#include "auth/base64.hpp"
#include "core/log.hpp"
#include "core/str.hpp"
#include "imap_login_reply.hpp"
#include "login_session.hpp"
#include "mail/imap_capability.hpp"
#include "mail/imap_parser.hpp"

namespace gm::maa {
namespace {

using mail::ImapArg;
using mail::ImapCommand;

// Literals before login carry a user name or a password at most.
constexpr uint64_t kMaxLoginLiteral = 8192;

enum class ImapLoginState { kNotAuthenticated, kWaiting, kSasl, kRelaying };

class ImapLoginSession final : public LoginSession {
 public:
  explicit ImapLoginSession(LoginContext& ctx)
      : LoginSession(ctx, mail::AccessProtocol::kImap), reader_(reader_options()) {
    reader_.on_continuation([this] { conn_->send_line(imap_continue("Ready for literal data")); });
  }

  void on_connect(net::Connection& c) override;
  void on_line(net::Connection& c, std::string_view line) override;
  void on_line_too_long(net::Connection& c) override;
  void on_data(net::Connection& c, std::string_view chunk, bool last) override;
  void on_tls_ready(net::Connection& c) override;
  void on_timeout(net::Connection& c, net::Timeout which) override;
  void on_refused(net::Connection& c, net::Refusal why) override;

 private:
  using Handler = void (ImapLoginSession::*)(const ImapCommand& command);
  struct Command {
    std::string_view name;
    Handler run;
  };
  static const std::array<Command, 7> kCommands;
  static mail::ImapReaderOptions reader_options() {
    mail::ImapReaderOptions o;
    o.max_literal = kMaxLoginLiteral;
    o.max_buffered_literals = 2 * kMaxLoginLiteral;
    return o;
  }

  void reply(std::string_view line) { conn_->send_line(line); }
  std::string capabilities() const;
  bool stop_reading() const;
  void handle(mail::ImapReaderResult result);
  void handle_command(const ImapCommand& command);
  void bad_command(std::string_view tag, std::string_view text);

  void do_capability(const ImapCommand& command);
  void do_noop(const ImapCommand& command);
  void do_logout(const ImapCommand& command);
  void do_id(const ImapCommand& command);
  void do_starttls(const ImapCommand& command);
  void do_login(const ImapCommand& command);
  void do_authenticate(const ImapCommand& command);

  void run_sasl(std::string tag);
  void sasl_done(const std::string& tag, SaslOutcome outcome);
  void relay_ready(const std::string& tag, std::optional<RelayFailure> failure);

  mail::ImapCommandReader reader_;
  ImapLoginState state_ = ImapLoginState::kNotAuthenticated;
  bool tls_starting_ = false;
  int bad_commands_ = 0;
};

// The Not Authenticated state on one screen (RFC 9051 6.1, 6.2).
const std::array<ImapLoginSession::Command, 7> ImapLoginSession::kCommands = {{
    {"CAPABILITY", &ImapLoginSession::do_capability},
    {"NOOP", &ImapLoginSession::do_noop},
    {"LOGOUT", &ImapLoginSession::do_logout},
    {"ID", &ImapLoginSession::do_id},
    {"STARTTLS", &ImapLoginSession::do_starttls},
    {"LOGIN", &ImapLoginSession::do_login},
    {"AUTHENTICATE", &ImapLoginSession::do_authenticate},
}};

// Valid only after login: a client that tries them gets told so.
constexpr std::array<std::string_view, 24> kAfterLogin = {
    "SELECT",  "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST",
    "LSUB",    "STATUS",  "APPEND", "ENABLE", "IDLE",   "NAMESPACE", "CLOSE",       "UNSELECT",
    "EXPUNGE", "SEARCH",  "FETCH",  "STORE",  "COPY",   "MOVE",      "GETQUOTA",    "CHECK"};

std::string ImapLoginSession::capabilities() const {
  return mail::imap_capabilities_before_login(
      {conn_->tls_active(), conn_->tls_available(), mechanisms()});
}

void ImapLoginSession::on_connect(net::Connection& c) {
  conn_ = &c;
  c.set_timeouts(ctx_.idle_timeout, ctx_.login_timeout);
  with_mechanisms([this] {
    reply(imap_greeting(capabilities()));
    conn_->read_all_raw();
  });
}

// Input is read raw (the command reader handles literals), never as lines.
void ImapLoginSession::on_line(net::Connection& c, std::string_view) {
  c.close();
}
void ImapLoginSession::on_line_too_long(net::Connection& c) {
  c.close();
}

bool ImapLoginSession::stop_reading() const {
  return conn_->input_paused() || conn_->closing() || tls_starting_ || relaying();
}

void ImapLoginSession::on_data(net::Connection& c, std::string_view chunk, bool) {
  conn_ = &c;
  if (relaying()) return relay_from_client(chunk);
  size_t used = 0;
  while (used < chunk.size() && !stop_reading()) {
    if (state_ == ImapLoginState::kSasl) reader_.expect_raw_line();
    used += reader_.feed(chunk.substr(used));
    while (auto result = reader_.take()) handle(std::move(*result));
  }
  if (tls_starting_ || c.closing()) return;  // the rest is discarded (CVE-2011-0411)
  if (used < chunk.size()) {
    // Waiting for authd or maa-mail: what the client sent ahead stays in
    // the input, for the next command or for maa-mail.
    c.end_read_bytes(chunk.substr(used));
    c.read_all_raw();
  }
}

void ImapLoginSession::handle(mail::ImapReaderResult result) {
  if (auto* line = std::get_if<mail::ImapRawLine>(&result)) {
    if (state_ == ImapLoginState::kSasl) sasl().on_line(line->text);
    return;
  }
  if (auto* error = std::get_if<mail::ImapSyntaxError>(&result)) {
    if (error->kind == mail::ImapErrorKind::kNo)
      return reply(imap_no(error->tag, error->code, error->text));
    return bad_command(error->tag, error->text);
  }
  handle_command(std::get<ImapCommand>(result));
}

void ImapLoginSession::handle_command(const ImapCommand& command) {
  if (state_ != ImapLoginState::kNotAuthenticated) return;
  if (!command.uid)
    for (const Command& entry : kCommands)
      if (entry.name == command.name) return (this->*entry.run)(command);
  for (std::string_view name : kAfterLogin)
    if (name == command.name || command.uid) return reply(imap_bad(command.tag, "Log in first"));
  bad_command(command.tag, "Unknown command");
}

void ImapLoginSession::bad_command(std::string_view tag, std::string_view text) {
  reply(imap_bad(tag, text));
  if (++bad_commands_ < kMaxBadCommands) return;
  reply(imap_bye("Too many invalid commands"));
  conn_->close_after_flush();
}

void ImapLoginSession::on_tls_ready(net::Connection& c) {
  conn_ = &c;
  tls_starting_ = false;
  forget_mechanisms();  // RFC 9051 6.2.1: forget what was learnt before TLS
  reader_ = mail::ImapCommandReader(reader_options());
  reader_.on_continuation([this] { conn_->send_line(imap_continue("Ready for literal data")); });
  c.read_all_raw();
}

void ImapLoginSession::on_timeout(net::Connection& c, net::Timeout which) {
  if (relaying()) return;
  c.send_line(imap_bye(which == net::Timeout::kSession ? "Login timeout"
                                                       : "Autologout; idle for too long"));
}

void ImapLoginSession::on_refused(net::Connection& c, net::Refusal why) {
  c.send_line(imap_bye(refusal_text(why)));
}

void ImapLoginSession::do_capability(const ImapCommand& command) {
  std::string tag = command.tag;
  with_mechanisms([this, tag] {
    reply(imap_untagged(str_cat("CAPABILITY ", capabilities())));
    reply(imap_ok(tag, "CAPABILITY completed"));
  });
}

void ImapLoginSession::do_noop(const ImapCommand& command) {
  reply(imap_ok(command.tag, "NOOP completed"));
}

void ImapLoginSession::do_logout(const ImapCommand& command) {
  reply(imap_bye("Logging out"));
  reply(imap_ok(command.tag, "LOGOUT completed"));
  conn_->close_after_flush();
}

// RFC 2971: the client's list is logged, never trusted; ours names us.
void ImapLoginSession::do_id(const ImapCommand& command) {
  if (command.args.size() != 1 || !(command.args[0].is_list() || command.args[0].is_nil()))
    return bad_command(command.tag, "ID takes a list or NIL");
  reply(imap_untagged("ID (\"name\" \"GoodMessaging\")"));
  reply(imap_ok(command.tag, "ID completed"));
}

void ImapLoginSession::do_starttls(const ImapCommand& command) {
  if (conn_->tls_active()) return reply(imap_bad(command.tag, "TLS already active"));
  if (!conn_->tls_available()) return reply(imap_no(command.tag, "", "TLS not available"));
  reply(imap_ok(command.tag, "Begin TLS negotiation now"));
  tls_starting_ = true;
  if (Status s = conn_->start_tls(); !s) conn_->close_after_flush();
}

void ImapLoginSession::do_login(const ImapCommand& command) {
  if (command.args.size() != 2 || !command.args[0].is_astring() || !command.args[1].is_astring())
    return bad_command(command.tag, "LOGIN takes a user name and a password");
  if (!conn_->tls_active()) return reply(imap_privacy_required(command.tag));
  run_sasl(command.tag);
  sasl().start_plain(command.args[0].text, command.args[1].text);
}

void ImapLoginSession::do_authenticate(const ImapCommand& command) {
  if (command.args.empty() || command.args.size() > 2 || !command.args[0].is_atom())
    return bad_command(command.tag, "AUTHENTICATE takes a mechanism and an initial response");
  if (!conn_->tls_active()) return reply(imap_privacy_required(command.tag));
  std::string tag = command.tag;
  std::string name = command.args[0].text;
  std::optional<std::string> initial;
  if (command.args.size() == 2) {  // RFC 4959: SASL-IR, "=" for an empty one
    const ImapArg& ir = command.args[1];
    if (!ir.is_atom()) return bad_command(tag, "Invalid initial response");
    auto decoded =
        ir.text == "=" ? Result<std::string>(std::string()) : auth::base64_decode(ir.text);
    if (!decoded) return bad_command(tag, "Invalid base64 in the initial response");
    initial = std::move(*decoded);
  }
  with_mechanisms([this, tag, name, initial = std::move(initial)]() mutable {
    std::string mechanism = offered_mechanism(name, mechanisms());
    if (mechanism.empty()) return reply(imap_no(tag, "", "Unsupported authentication mechanism"));
    run_sasl(tag);
    sasl().start(mechanism, std::move(initial));
  });
}

void ImapLoginSession::run_sasl(std::string tag) {
  state_ = ImapLoginState::kSasl;
  begin_sasl([this, tag](SaslOutcome o) { sasl_done(tag, std::move(o)); });
}

void ImapLoginSession::sasl_done(const std::string& tag, SaslOutcome outcome) {
  state_ = ImapLoginState::kNotAuthenticated;
  using Kind = SaslOutcome::Kind;
  switch (outcome.kind) {
    case Kind::kOk:
      break;
    case Kind::kFailed:
      return reply(imap_auth_failed(tag));
    case Kind::kTemporaryFailure:
      return reply(imap_auth_unavailable(tag));
    case Kind::kCancelled:
      return reply(imap_bad(tag, "Authentication cancelled"));
    case Kind::kBadResponse:
      return reply(imap_bad(tag, "Invalid SASL response"));
  }
  state_ = ImapLoginState::kWaiting;
  begin_relay(outcome.account, tag,
              [this, tag](std::optional<RelayFailure> failure) { relay_ready(tag, failure); });
}

void ImapLoginSession::relay_ready(const std::string& tag, std::optional<RelayFailure> failure) {
  if (failure) {
    state_ = ImapLoginState::kNotAuthenticated;
    return reply(*failure == RelayFailure::kTooManySessions
                     ? imap_no(tag, "LIMIT", "Too many sessions for this user")
                     : imap_no(tag, "UNAVAILABLE", "Mail store unavailable, try again later"));
  }
  state_ = ImapLoginState::kRelaying;
  reply(imap_logged_in(tag, mail::imap_capabilities_after_login(ctx_.append_limit)));
  start_relay(ctx_.imap_idle_timeout + kRelayTimeoutMargin);
}

}  // namespace

std::unique_ptr<net::Session> make_imap_login_session(LoginContext& ctx) {
  return std::make_unique<ImapLoginSession>(ctx);
}

}  // namespace gm::maa
