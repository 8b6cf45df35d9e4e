// Fuzzes the MAIL FROM / RCPT TO argument parsers and the ESMTP parameter
// interpretation: any bytes give a path or an Error carrying a reply, never
// a crash or a hang. The first byte picks the SMTPUTF8 options.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail/smtp_path.hpp"
#include "mail/smtp_reply.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  gm::mail::PathOptions options;
  options.smtputf8 = data[0] & 1;
  options.smtputf8_offered = data[0] & 2;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  gm::mail::OfferedExtensions offered;
  offered.auth = data[0] & 4;
  if (auto mail = gm::mail::parse_mail_from(text, options)) {
    (void)gm::mail::interpret_mail_params(mail->params, offered);
    (void)mail->path.mailbox.address();
  } else {
    (void)gm::mail::format_reply(gm::mail::reply_from_error(mail.error()));
  }
  if (auto rcpt = gm::mail::parse_rcpt_to(text, options)) {
    (void)gm::mail::interpret_rcpt_params(rcpt->params, offered);
    (void)gm::mail::unquoted_local_part(rcpt->path.mailbox.local_part);
  } else {
    (void)gm::mail::format_reply(gm::mail::reply_from_error(rcpt.error()));
  }
  (void)gm::mail::parse_mailbox(text, options.smtputf8);
  if (auto decoded = gm::mail::xtext_decode(text)) {
    if (gm::mail::xtext_decode(gm::mail::xtext_encode(*decoded)).value() != *decoded)
      __builtin_trap();
  }
  return 0;
}
