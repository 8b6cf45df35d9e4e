#include "local_smtp.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "core/str.hpp"
#include "mail/local_message.hpp"
#include "mail/smtp_path.hpp"
#include "submission.hpp"
#include "sysexits.hpp"

namespace gm::tools {
namespace {

constexpr size_t kMaxCommandLine = 1000;  // RFC 5321 4.5.3.1.4: 512; data lines 1000
constexpr size_t kMaxErrors = 20;         // then the session ends

class LineIo {
 public:
  // A line without its CRLF (or LF); nullopt at end of input. Longer lines
  // are cut and flagged.
  std::optional<std::string> read(bool& too_long) {
    std::string line;
    too_long = false;
    for (;;) {
      int c = std::getchar();
      if (c == EOF) return line.empty() ? std::nullopt : std::optional<std::string>(line);
      if (c == '\n') break;
      if (line.size() < kMaxCommandLine)
        line += static_cast<char>(c);
      else
        too_long = true;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  void reply(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputs("\r\n", stdout);
    std::fflush(stdout);
  }
};

struct Transaction {
  bool have_sender = false;
  std::string sender;
  std::vector<std::string> recipients;
};

std::string verb_of(std::string_view line) {
  return to_lower(line.substr(0, std::min(line.find(' '), line.size())));
}

// DATA: lines until ".", dot-unstuffed (RFC 5321 4.5.2), into a submission.
std::string receive_data(LineIo& io, const core::Config& config, const std::string& config_path,
                         const Transaction& transaction, bool verbose) {
  SubmitParams params{config_path, transaction.sender, "", false, transaction.recipients, verbose};
  Submission submission(config, std::move(params));
  Status status;
  bool too_long = false, line_error = false;
  for (;;) {
    auto line = io.read(too_long);
    if (!line) return "";  // the client went away: nothing is queued
    if (*line == ".") break;
    line_error = line_error || too_long;
    std::string_view text = *line;
    if (text.starts_with(".")) text.remove_prefix(1);
    if (status && !line_error) status = submission.add_line(text);
  }
  if (line_error) return "500 5.5.2 Line too long";
  if (status) status = submission.finish();
  if (!status) {
    if (status.error().code == kExDataErr) return str_cat("554 5.6.0 ", status.error().message);
    return "451 4.3.0 Could not queue the message";
  }
  return "250 2.0.0 Ok: queued";
}

}  // namespace

int run_local_smtp(const core::Config& config, const std::string& config_path, bool verbose) {
  LineIo io;
  std::string host =
      config.string("myhostname").empty() ? "localhost" : config.string("myhostname");
  io.reply(str_cat("220 ", host, " ESMTP GoodMessaging (sendmail -bs)"));
  Transaction transaction;
  size_t errors = 0;
  bool too_long = false;
  mail::PathOptions path_options;
  path_options.smtputf8_offered = true;
  while (auto line = io.read(too_long)) {
    std::string verb = verb_of(*line);
    std::string_view argument =
        std::string_view(*line).substr(std::min(line->size(), verb.size() + 1));
    std::string answer;
    if (too_long) {
      answer = "500 5.5.2 Line too long";
    } else if (verb == "helo") {
      answer = str_cat("250 ", host);
    } else if (verb == "ehlo") {
      io.reply(str_cat("250-", host));
      io.reply("250-8BITMIME");
      io.reply("250-SMTPUTF8");
      answer = "250 ENHANCEDSTATUSCODES";
    } else if (verb == "mail") {
      auto from = mail::parse_mail_from(argument, path_options);
      if (transaction.have_sender)
        answer = "503 5.5.1 Error: nested MAIL command";
      else if (!from)
        answer = str_cat(from.error().code, ' ', from.error().message);
      else {
        transaction = {true, from->path.null ? "" : from->path.mailbox.address(), {}};
        answer = "250 2.1.0 Ok";
      }
    } else if (verb == "rcpt") {
      mail::PathOptions rcpt_options;
      rcpt_options.smtputf8 = true;
      auto to = mail::parse_rcpt_to(argument, rcpt_options);
      if (!transaction.have_sender)
        answer = "503 5.5.1 Error: need MAIL command";
      else if (!to)
        answer = str_cat(to.error().code, ' ', to.error().message);
      else {
        transaction.recipients.push_back(
            to->path.postmaster ? mail::qualify_address("postmaster", config.string("mydomain"))
                                : to->path.mailbox.address());
        answer = "250 2.1.5 Ok";
      }
    } else if (verb == "data") {
      if (transaction.recipients.empty()) {
        answer = "503 5.5.1 Error: need RCPT command";
      } else {
        io.reply("354 End data with <CR><LF>.<CR><LF>");
        answer = receive_data(io, config, config_path, transaction, verbose);
        if (answer.empty()) return kExNoInput;
        transaction = {};
      }
    } else if (verb == "rset") {
      transaction = {};
      answer = "250 2.0.0 Ok";
    } else if (verb == "noop") {
      answer = "250 2.0.0 Ok";
    } else if (verb == "quit") {
      io.reply("221 2.0.0 Bye");
      return kExOk;
    } else {
      answer = "502 5.5.2 Error: command not recognized";
    }
    if (answer[0] == '5' && ++errors > kMaxErrors) {
      io.reply("421 4.7.0 Too many errors");
      return kExDataErr;
    }
    io.reply(answer);
  }
  return kExOk;
}

}  // namespace gm::tools
