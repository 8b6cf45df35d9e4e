// The SMTP command dispatcher in its pure form: any line in any state gives
// a command allowed in that state or a well-formed reply; MAIL/RCPT
// arguments go through lib/mail's path parser; BDAT sizes parse strictly.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "mail/smtp_command.hpp"
#include "mail/smtp_path.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto state = static_cast<gm::mail::SmtpState>(data[0] % 9);
  std::string_view line(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (line.size() > gm::mail::kMaxCommandLine) return 0;
  auto d = gm::mail::dispatch_command(line, state);
  if (auto* r = std::get_if<gm::mail::SmtpReply>(&d)) {
    if (r->code < 400 || r->code > 599 || gm::mail::format_reply(*r).size() < 5) std::abort();
    return 0;
  }
  const auto& command = std::get<gm::mail::SmtpCommand>(d);
  bool allowed = (command.spec->states & gm::mail::state_bit(state)) != 0;
  if (!allowed && command.spec->verb != gm::mail::SmtpVerb::kBdat) std::abort();
  gm::mail::PathOptions options;
  options.smtputf8_offered = true;
  if (command.spec->verb == gm::mail::SmtpVerb::kMail)
    (void)gm::mail::parse_mail_from(command.argument, options);
  if (command.spec->verb == gm::mail::SmtpVerb::kRcpt)
    (void)gm::mail::parse_rcpt_to(command.argument, options);
  if (command.spec->verb == gm::mail::SmtpVerb::kBdat) {
    auto bdat = gm::mail::parse_bdat_argument(command.argument);
    if (bdat && command.argument.empty()) std::abort();
  }
  return 0;
}
