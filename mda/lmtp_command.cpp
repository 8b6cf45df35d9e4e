#include "lmtp_command.hpp"

namespace gm::mda {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'a' && a[i] <= 'z' ? char(a[i] - 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

mail::SmtpReply out_of_order(const LmtpCommandSpec& spec, LmtpState state) {
  if (state == LmtpState::kGreeted) return mail::bad_sequence("Send LHLO first");
  switch (spec.verb) {
    case LmtpVerb::kMail:
      return mail::bad_sequence("Nested MAIL command");
    case LmtpVerb::kRcpt:
      return mail::bad_sequence("Need MAIL command");
    case LmtpVerb::kData:
      if (state == LmtpState::kMailFrom) return mail::no_valid_recipients();
      return mail::bad_sequence("Need RCPT command");
    default:
      return mail::bad_sequence();
  }
}

}  // namespace

std::variant<LmtpCommand, mail::SmtpReply> dispatch_lmtp(std::string_view line, LmtpState state) {
  if (line.size() > kMaxLmtpCommandLine) return mail::line_too_long();
  for (unsigned char c : line)
    if (c < 0x20 || c == 0x7f) return mail::syntax_error("Syntax error: control character");
  size_t space = line.find(' ');
  std::string_view verb = line.substr(0, space);
  std::string_view argument;
  if (space != std::string_view::npos) {
    argument = line.substr(space + 1);
    while (!argument.empty() && argument.back() == ' ') argument.remove_suffix(1);
  }
  const LmtpCommandSpec* spec = nullptr;
  for (const LmtpCommandSpec& s : kLmtpCommands)
    if (iequals(verb, s.name)) spec = &s;
  if (!spec) return mail::unknown_command();
  if (spec->argument == LmtpArgument::kNone && !argument.empty())
    return mail::bad_arguments("Syntax error: no argument allowed");
  if (spec->argument == LmtpArgument::kRequired && argument.empty())
    return mail::bad_arguments("Syntax error: argument required");
  if ((spec->states & lmtp_bit(state)) == 0) return out_of_order(*spec, state);
  return LmtpCommand{spec, argument};
}

}  // namespace gm::mda
