#include "pop3_login_session.hpp"

#include <array>
#include <optional>
#include <vector>

#include "auth/base64.hpp"
#include "core/log.hpp"
#include "core/str.hpp"
#include "login_session.hpp"
#include "mail/pop3_reply.hpp"
#include "net/connection.hpp"

namespace gm::maa {
namespace {

using mail::pop3_err;
using mail::Pop3Code;

// RFC 1939 3: a user name is short; anything longer is not one of ours.
constexpr size_t kMaxUserName = 512;

enum class Pop3LoginState { kAuthorization, kWaiting, kSasl, kRelaying };

class Pop3LoginSession final : public LoginSession {
 public:
  explicit Pop3LoginSession(LoginContext& ctx) : LoginSession(ctx, mail::AccessProtocol::kPop3) {}

  void on_connect(net::Connection& c) override;
  void on_line(net::Connection& c, std::string_view line) override;
  void on_line_too_long(net::Connection& c) override;
  void on_data(net::Connection& c, std::string_view chunk, bool last) override;
  void on_tls_ready(net::Connection& c) override;
  void on_timeout(net::Connection& c, net::Timeout which) override;
  void on_refused(net::Connection& c, net::Refusal why) override;

 private:
  using Handler = void (Pop3LoginSession::*)(std::string_view argument);
  struct Command {
    std::string_view name;
    Handler run;
  };
  static const std::array<Command, 6> kCommands;

  void reply(std::string_view line) { conn_->send_line(line); }
  void bad_command(std::string_view line);

  void do_capa(std::string_view);
  void do_stls(std::string_view);
  void do_user(std::string_view argument);
  void do_pass(std::string_view argument);
  void do_auth(std::string_view argument);
  void do_quit(std::string_view);

  void run_sasl();
  void sasl_done(SaslOutcome outcome);
  void relay_ready(std::optional<RelayFailure> failure);

  Pop3LoginState state_ = Pop3LoginState::kAuthorization;
  std::string user_;  // from USER, until PASS
  int bad_commands_ = 0;
};

// The whole AUTHORIZATION state on one screen; every command is valid only
// in it (the TRANSACTION state lives in maa-mail).
const std::array<Pop3LoginSession::Command, 6> Pop3LoginSession::kCommands = {{
    {"CAPA", &Pop3LoginSession::do_capa},
    {"STLS", &Pop3LoginSession::do_stls},
    {"USER", &Pop3LoginSession::do_user},
    {"PASS", &Pop3LoginSession::do_pass},
    {"AUTH", &Pop3LoginSession::do_auth},
    {"QUIT", &Pop3LoginSession::do_quit},
}};

void Pop3LoginSession::on_connect(net::Connection& c) {
  conn_ = &c;
  c.set_timeouts(ctx_.idle_timeout, ctx_.login_timeout);
  reply(mail::pop3_greeting());
}

void Pop3LoginSession::on_line(net::Connection& c, std::string_view line) {
  conn_ = &c;
  if (state_ == Pop3LoginState::kSasl) return sasl().on_line(line);
  if (state_ != Pop3LoginState::kAuthorization) return;  // input is paused; never here
  std::string_view name = line.substr(0, line.find(' '));
  std::string_view argument = name.size() < line.size() ? line.substr(name.size() + 1) : "";
  for (const Command& command : kCommands)
    if (iequals(command.name, name)) return (this->*command.run)(argument);
  bad_command(line);
}

void Pop3LoginSession::bad_command(std::string_view line) {
  static constexpr std::array<std::string_view, 10> kTransaction = {
      "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "TOP", "UIDL", "LAST", "APOP"};
  std::string_view name = line.substr(0, line.find(' '));
  bool known = false;
  for (std::string_view t : kTransaction) known = known || iequals(t, name);
  reply(known ? mail::pop3_wrong_state() : mail::pop3_unknown_command());
  if (++bad_commands_ >= kMaxBadCommands) conn_->close_after_flush();
}

void Pop3LoginSession::on_line_too_long(net::Connection& c) {
  c.send_line(mail::pop3_line_too_long());
  if (state_ == Pop3LoginState::kSasl) sasl().on_line("*");
}

void Pop3LoginSession::on_data(net::Connection& c, std::string_view chunk, bool) {
  if (!relaying()) return c.close();
  relay_from_client(chunk);
}

void Pop3LoginSession::on_tls_ready(net::Connection& c) {
  conn_ = &c;
  user_.clear();  // RFC 2595 4: forget everything learnt before TLS
  forget_mechanisms();
  state_ = Pop3LoginState::kAuthorization;
}

void Pop3LoginSession::on_timeout(net::Connection& c, net::Timeout) {
  // While relaying, maa-mail owns the protocol (and times out first).
  if (state_ != Pop3LoginState::kRelaying) c.send_line(mail::pop3_timeout());
}

void Pop3LoginSession::on_refused(net::Connection& c, net::Refusal why) {
  c.send_line(pop3_err(refusal_text(why), Pop3Code::kSysTemp));
}

void Pop3LoginSession::do_capa(std::string_view) {
  with_mechanisms([this] {
    conn_->send(
        mail::pop3_capa_before_login({conn_->tls_active(), conn_->tls_available(), mechanisms()}));
  });
}

void Pop3LoginSession::do_stls(std::string_view) {
  if (conn_->tls_active()) return reply(pop3_err("TLS already active"));
  if (!conn_->tls_available()) return reply(pop3_err("TLS not available"));
  reply(mail::pop3_ok("Begin TLS negotiation"));
  if (Status s = conn_->start_tls(); !s) conn_->close_after_flush();
}

void Pop3LoginSession::do_user(std::string_view argument) {
  if (!conn_->tls_active()) return reply(mail::pop3_tls_required());
  if (argument.empty() || argument.size() > kMaxUserName)
    return reply(mail::pop3_syntax_error("USER name"));
  user_ = argument;
  reply(mail::pop3_ok("Send PASS"));
}

void Pop3LoginSession::do_pass(std::string_view argument) {
  if (!conn_->tls_active()) return reply(mail::pop3_tls_required());
  if (user_.empty()) return reply(pop3_err("USER first"));
  run_sasl();
  // RFC 1939 7: the password is the rest of the line, spaces included.
  sasl().start_plain(std::exchange(user_, {}), argument);
}

void Pop3LoginSession::do_auth(std::string_view argument) {
  if (!conn_->tls_active()) return reply(mail::pop3_tls_required());
  std::string args(argument);
  with_mechanisms([this, args] {
    std::span<const std::string> offered = mechanisms();
    if (args.empty()) {  // a listing, as many servers answer a bare AUTH
      std::string out = "+OK Mechanisms follow\r\n";
      for (const std::string& m : offered) out += m + "\r\n";
      return conn_->send(out + ".\r\n");
    }
    size_t space = args.find(' ');
    std::string mechanism = offered_mechanism(args.substr(0, space), offered);
    if (mechanism.empty()) return reply(pop3_err("Unsupported authentication mechanism"));
    std::optional<std::string> initial;
    if (space != std::string::npos) {
      std::string_view text = std::string_view(args).substr(space + 1);
      auto decoded = text == "=" ? Result<std::string>(std::string()) : auth::base64_decode(text);
      if (!decoded) return reply(mail::pop3_syntax_error("invalid base64 initial response"));
      initial = std::move(*decoded);
    }
    run_sasl();
    sasl().start(mechanism, std::move(initial));
  });
}

void Pop3LoginSession::do_quit(std::string_view) {
  reply(mail::pop3_signing_off());
  conn_->close_after_flush();
}

void Pop3LoginSession::run_sasl() {
  state_ = Pop3LoginState::kSasl;
  begin_sasl([this](SaslOutcome o) { sasl_done(std::move(o)); });
}

void Pop3LoginSession::sasl_done(SaslOutcome outcome) {
  state_ = Pop3LoginState::kAuthorization;
  using Kind = SaslOutcome::Kind;
  switch (outcome.kind) {
    case Kind::kOk:
      break;
    case Kind::kFailed:
      return reply(mail::pop3_auth_failed());
    case Kind::kTemporaryFailure:
      return reply(mail::pop3_auth_unavailable());
    case Kind::kCancelled:
      return reply(pop3_err("Authentication cancelled"));
    case Kind::kBadResponse:
      return reply(mail::pop3_syntax_error("invalid SASL response"));
  }
  state_ = Pop3LoginState::kWaiting;
  begin_relay(outcome.account, "",
              [this](std::optional<RelayFailure> failure) { relay_ready(failure); });
}

void Pop3LoginSession::relay_ready(std::optional<RelayFailure> failure) {
  if (failure) {
    state_ = Pop3LoginState::kAuthorization;
    return reply(*failure == RelayFailure::kTooManySessions
                     ? pop3_err("Too many sessions for this user", Pop3Code::kInUse)
                     : pop3_err("Mail store unavailable, try again later", Pop3Code::kSysTemp));
  }
  state_ = Pop3LoginState::kRelaying;
  // maa-mail answers the PASS/AUTH once it holds the maildrop lock.
  start_relay(ctx_.pop3_idle_timeout + kRelayTimeoutMargin);
}

}  // namespace

std::unique_ptr<net::Session> make_pop3_login_session(LoginContext& ctx) {
  return std::make_unique<Pop3LoginSession>(ctx);
}

}  // namespace gm::maa
