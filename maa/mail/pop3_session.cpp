#include "pop3_session.hpp"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <optional>

#include "core/log.hpp"
#include "core/str.hpp"
#include "mail/pop3_body_writer.hpp"
#include "mail/pop3_reply.hpp"
#include "net/connection.hpp"
#include "pop3_maildrop.hpp"

namespace gm::maa {
namespace {

using mail::pop3_err;
using mail::pop3_ok;
using mail::Pop3Code;

// A message is read this much at a time, and more is read only while less
// than kOutputPause waits for the client.
constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kOutputPause = 256 * 1024;
constexpr int kMaxBadCommands = 20;

enum class Pop3State { kTransaction, kStreaming, kDone };

class Pop3Session final : public net::Session {
 public:
  Pop3Session(MailContext& ctx, mail::MaaHandoff handoff)
      : ctx_(ctx), handoff_(std::move(handoff)) {}

  void on_connect(net::Connection& c) override;
  void on_line(net::Connection& c, std::string_view line) override;
  void on_line_too_long(net::Connection& c) override;
  void on_drain(net::Connection& c) override;
  void on_timeout(net::Connection& c, net::Timeout which) override;
  void on_refused(net::Connection& c, net::Refusal) override { c.close(); }

 private:
  using Handler = void (Pop3Session::*)(std::string_view argument);
  struct Command {
    std::string_view name;
    Handler run;
  };
  static const std::array<Command, 10> kCommands;

  void reply(std::string_view line) { conn_->send_line(line); }
  // The message an argument names ("1".."n", not deleted), or nullptr
  // after answering -ERR.
  Pop3Message* message_arg(std::string_view argument);
  void pump();

  void do_stat(std::string_view);
  void do_list(std::string_view argument);
  void do_uidl(std::string_view argument);
  void do_retr(std::string_view argument);
  void do_top(std::string_view argument);
  void do_dele(std::string_view argument);
  void do_rset(std::string_view);
  void do_noop(std::string_view);
  void do_capa(std::string_view);
  void do_quit(std::string_view);
  void send_message(const Pop3Message& m, std::optional<uint64_t> body_lines);
  template <typename Line>
  void listing(std::string_view argument, Line line);

  MailContext& ctx_;
  mail::MaaHandoff handoff_;
  net::Connection* conn_ = nullptr;
  std::optional<Pop3Maildrop> drop_;
  Pop3State state_ = Pop3State::kTransaction;
  int bad_commands_ = 0;
  // The message being sent by RETR/TOP.
  UniqueFd message_fd_;
  std::optional<mail::Pop3BodyWriter> writer_;
};

// The TRANSACTION state on one screen (RFC 1939 5, RFC 2449 5).
const std::array<Pop3Session::Command, 10> Pop3Session::kCommands = {{
    {"STAT", &Pop3Session::do_stat},
    {"LIST", &Pop3Session::do_list},
    {"UIDL", &Pop3Session::do_uidl},
    {"RETR", &Pop3Session::do_retr},
    {"TOP", &Pop3Session::do_top},
    {"DELE", &Pop3Session::do_dele},
    {"RSET", &Pop3Session::do_rset},
    {"NOOP", &Pop3Session::do_noop},
    {"CAPA", &Pop3Session::do_capa},
    {"QUIT", &Pop3Session::do_quit},
}};

void Pop3Session::on_connect(net::Connection& c) {
  conn_ = &c;
  auto drop = Pop3Maildrop::open(handoff_.maildir);
  if (!drop) {
    bool locked = drop.error().code == Pop3Maildrop::kLockedCode;
    log::write(log::Level::kNotice, handoff_.session,
               str_cat("pop3 ", handoff_.user, ": ", drop.error().message));
    reply(locked ? mail::pop3_in_use()
                 : pop3_err("Cannot open the mailbox, try again later", Pop3Code::kSysTemp));
    state_ = Pop3State::kDone;
    return c.close_after_flush();
  }
  drop_.emplace(std::move(*drop));
  log::write(log::Level::kInfo, handoff_.session,
             str_cat("pop3 ", handoff_.user, ": ", drop_->messages().size(), " messages"));
  reply(mail::pop3_logged_in());
}

void Pop3Session::on_line(net::Connection& c, std::string_view line) {
  conn_ = &c;
  if (state_ != Pop3State::kTransaction) return;
  std::string_view name = line.substr(0, line.find(' '));
  std::string_view argument = name.size() < line.size() ? line.substr(name.size() + 1) : "";
  for (const Command& command : kCommands)
    if (iequals(command.name, name)) return (this->*command.run)(argument);
  static constexpr std::array<std::string_view, 5> kAuthorization = {"USER", "PASS", "AUTH", "STLS",
                                                                     "APOP"};
  bool known = false;
  for (std::string_view a : kAuthorization) known = known || iequals(a, name);
  reply(known ? mail::pop3_wrong_state() : mail::pop3_unknown_command());
  if (++bad_commands_ >= kMaxBadCommands) c.close_after_flush();
}

void Pop3Session::on_line_too_long(net::Connection& c) {
  c.send_line(mail::pop3_line_too_long());
}

void Pop3Session::on_timeout(net::Connection& c, net::Timeout) {
  // RFC 1939 3: a timeout closes without entering UPDATE.
  c.send_line(mail::pop3_timeout());
}

Pop3Message* Pop3Session::message_arg(std::string_view argument) {
  auto number = parse_number<size_t>(argument);
  auto messages = drop_->messages();
  if (!number || *number == 0 || *number > messages.size()) {
    reply(pop3_err("No such message"));
    return nullptr;
  }
  Pop3Message& m = messages[*number - 1];
  if (m.deleted) {
    reply(pop3_err("Message is deleted"));
    return nullptr;
  }
  return &m;
}

void Pop3Session::do_stat(std::string_view) {
  size_t count = 0;
  uint64_t octets = 0;
  for (const Pop3Message& m : drop_->messages())
    if (!m.deleted) ++count, octets += m.size;
  reply(pop3_ok(str_cat(count, " ", octets)));
}

// LIST and UIDL: one line for a message, or every undeleted one.
template <typename Line>
void Pop3Session::listing(std::string_view argument, Line line) {
  auto messages = drop_->messages();
  if (!argument.empty()) {
    if (Pop3Message* m = message_arg(argument))
      reply(pop3_ok(line(static_cast<size_t>(m - messages.data()) + 1, *m)));
    return;
  }
  std::string out = "+OK\r\n";
  for (size_t i = 0; i < messages.size(); ++i)
    if (!messages[i].deleted) out += str_cat(line(i + 1, messages[i]), "\r\n");
  conn_->send(out + ".\r\n");
}

void Pop3Session::do_list(std::string_view argument) {
  listing(argument, [](size_t n, const Pop3Message& m) { return str_cat(n, " ", m.size); });
}

void Pop3Session::do_uidl(std::string_view argument) {
  listing(argument, [](size_t n, const Pop3Message& m) { return str_cat(n, " ", m.uidl); });
}

void Pop3Session::do_retr(std::string_view argument) {
  if (Pop3Message* m = message_arg(argument)) send_message(*m, std::nullopt);
}

void Pop3Session::do_top(std::string_view argument) {
  size_t space = argument.find(' ');
  auto lines = space == std::string_view::npos ? std::nullopt
                                               : parse_number<uint64_t>(argument.substr(space + 1));
  if (!lines) return reply(mail::pop3_syntax_error("TOP msg n"));
  if (Pop3Message* m = message_arg(argument.substr(0, space))) send_message(*m, *lines);
}

void Pop3Session::send_message(const Pop3Message& m, std::optional<uint64_t> body_lines) {
  auto fd = drop_->open_message(m);
  if (!fd) {
    log::write(log::Level::kWarning, handoff_.session, fd.error().message);
    return reply(pop3_err("Message is gone", Pop3Code::kSysTemp));
  }
  message_fd_ = std::move(*fd);
  writer_.emplace(body_lines);
  state_ = Pop3State::kStreaming;
  conn_->pause_input();  // pipelined commands wait for the end of the message
  // The status line and the first chunk leave in one write.
  conn_->send(str_cat(pop3_ok(str_cat(m.size, " octets")), "\r\n"));
  pump();
}

// Reads and sends until the client's backlog is large or the message ends.
// read() blocks on the disk (see pop3_maildrop.hpp).
void Pop3Session::pump() {
  std::array<char, kReadChunk> buffer;
  std::string out;
  bool more = true;
  while (more && conn_->output_pending() < kOutputPause) {
    ssize_t got = ::read(message_fd_.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      log::write(log::Level::kError, handoff_.session, "read error while sending a message");
      return conn_->close();  // a multi-line answer cut short cannot be repaired
    }
    out.clear();
    more = got > 0 && writer_->feed({buffer.data(), static_cast<size_t>(got)}, out);
    if (!more) writer_->finish(out);
    conn_->send(out);
  }
  if (more) return;  // on_drain goes on
  message_fd_.reset();
  writer_.reset();
  state_ = Pop3State::kTransaction;
  conn_->resume_input();
}

void Pop3Session::on_drain(net::Connection& c) {
  conn_ = &c;
  if (state_ == Pop3State::kStreaming) pump();
}

void Pop3Session::do_dele(std::string_view argument) {
  if (Pop3Message* m = message_arg(argument)) {
    m->deleted = true;
    reply(pop3_ok("Message marked for deletion"));
  }
}

void Pop3Session::do_rset(std::string_view) {
  for (Pop3Message& m : drop_->messages()) m.deleted = false;
  do_stat({});
}

void Pop3Session::do_noop(std::string_view) {
  reply(pop3_ok(""));
}

void Pop3Session::do_capa(std::string_view) {
  conn_->send(mail::pop3_capa_after_login());
}

// RFC 1939 6: the UPDATE state.
void Pop3Session::do_quit(std::string_view) {
  state_ = Pop3State::kDone;
  auto removed = drop_->commit();
  if (!removed) {
    log::write(log::Level::kError, handoff_.session, removed.error().message);
    reply(pop3_err("Some deleted messages were not removed", Pop3Code::kSysTemp));
  } else {
    reply(pop3_ok(str_cat("GoodMessaging POP3 signing off (", *removed, " messages deleted)")));
  }
  drop_.reset();  // the lock goes before the client sees the answer
  conn_->close_after_flush();
}

}  // namespace

std::unique_ptr<net::Session> make_pop3_session(MailContext& ctx, mail::MaaHandoff handoff) {
  return std::make_unique<Pop3Session>(ctx, std::move(handoff));
}

}  // namespace gm::maa
