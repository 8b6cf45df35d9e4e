#include "mail/smtp_command.hpp"

#include <charconv>

#include "core/str.hpp"

namespace gm::mail {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'a' && a[i] <= 'z' ? char(a[i] - 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

std::string_view trim_trailing_spaces(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

SmtpReply out_of_order(const SmtpCommandSpec& spec, SmtpState state) {
  if (state == SmtpState::kGreeted) return bad_sequence("Send HELO/EHLO first");
  switch (spec.verb) {
    case SmtpVerb::kMail:
      return bad_sequence(state == SmtpState::kBdat ? "Bad sequence: BDAT transaction in progress"
                                                    : "Nested MAIL command");
    case SmtpVerb::kRcpt:
      return bad_sequence("Need MAIL command");
    case SmtpVerb::kData:
      if (state == SmtpState::kMailFrom) return no_valid_recipients();
      return bad_sequence(state == SmtpState::kBdat ? "DATA after BDAT" : "Need RCPT command");
    case SmtpVerb::kStartTls:
    case SmtpVerb::kAuth:
      return bad_sequence("Not allowed during a mail transaction");
    default:
      return bad_sequence();
  }
}

}  // namespace

const SmtpCommandSpec& command_spec(SmtpVerb verb) {
  for (const SmtpCommandSpec& spec : kSmtpCommands)
    if (spec.verb == verb) return spec;
  return kSmtpCommands[0];  // unreachable: every verb has a row
}

std::variant<SmtpCommand, SmtpReply> dispatch_command(std::string_view line, SmtpState state) {
  for (unsigned char c : line)
    if (c == 0 || c == '\r' || c == '\n') return syntax_error("Syntax error: control character");
  size_t space = line.find(' ');
  std::string_view verb = line.substr(0, space);
  std::string_view argument = space == std::string_view::npos
                                  ? std::string_view()
                                  : trim_trailing_spaces(line.substr(space + 1));
  const SmtpCommandSpec* spec = nullptr;
  for (const SmtpCommandSpec& s : kSmtpCommands)
    if (iequals(verb, s.name)) spec = &s;
  if (!spec) return unknown_command();
  if (spec->argument == ArgumentRule::kNone && !argument.empty())
    return bad_arguments(str_cat("Syntax: ", spec->name, " takes no argument"));
  if (spec->argument == ArgumentRule::kRequired && argument.empty())
    return bad_arguments(str_cat("Syntax: ", spec->name, " needs an argument"));
  bool allowed = spec->verb == SmtpVerb::kBdat || (spec->states & state_bit(state)) != 0;
  if (!allowed) return out_of_order(*spec, state);
  return SmtpCommand{spec, argument};
}

std::optional<BdatArgument> parse_bdat_argument(std::string_view argument) {
  size_t space = argument.find(' ');
  std::string_view digits = argument.substr(0, space);
  if (digits.empty() || digits.size() > kMaxBdatSizeDigits) return std::nullopt;
  BdatArgument result;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), result.size);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  if (space != std::string_view::npos) {
    if (!iequals(argument.substr(space + 1), "LAST")) return std::nullopt;
    result.last = true;
  }
  return result;
}

}  // namespace gm::mail
