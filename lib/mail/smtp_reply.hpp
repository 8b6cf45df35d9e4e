// One place for every SMTP and LMTP reply (STYLE.md), so codes and enhanced
// status codes (RFC 3463, announced with ENHANCEDSTATUSCODES, RFC 2034) stay
// consistent between msa, mta and mda.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::mail {

struct SmtpReply {
  int code = 0;               // RFC 5321 4.2: three digits
  std::string_view enhanced;  // "5.7.1"; empty for 220/221 greetings and EHLO
  std::string text;           // one or more lines separated by '\n'

  bool positive() const { return code >= 200 && code < 400; }
  bool transient() const { return code >= 400 && code < 500; }
  bool permanent() const { return code >= 500; }
};

// Wire text: every line "code-enhanced text\r\n" but the last, which uses a
// space (RFC 5321 4.2.1). Lines are cut to fit kMaxReplyLine; control bytes
// in text are replaced, so client-supplied text cannot inject a reply line.
std::string format_reply(const SmtpReply& reply);
// The same reply as one log-friendly line: "550 5.1.1 text; text2".
std::string reply_summary(const SmtpReply& reply);
// Turns a parser's Error (code + message) into a reply, mapping the code to
// its usual enhanced code; messages from lib/mail parsers carry both.
SmtpReply reply_from_error(const Error& error);
gm::Error reply_error(const SmtpReply& reply);

// RFC 5321 4.5.3.1.5: a reply line is at most 512 octets with its CRLF.
inline constexpr size_t kMaxReplyLine = 512;

// 2xx
SmtpReply greeting(std::string_view host, std::string_view banner);               // 220
SmtpReply closing(std::string_view host);                                         // 221 2.0.0
SmtpReply ehlo(std::string_view host, const std::vector<std::string>& keywords);  // 250-...
SmtpReply ok(std::string_view enhanced, std::string text);                        // 250
SmtpReply sender_ok();                                                            // 250 2.1.0
SmtpReply recipient_ok();                                                         // 250 2.1.5
SmtpReply queued(std::string_view queue_id);        // 250 2.0.0 Ok: queued as
SmtpReply delivered(std::string_view queue_id);     // 250 2.0.0 (LMTP)
SmtpReply auth_ok();                                // 235 2.7.0
SmtpReply start_data();                             // 354
SmtpReply ready_to_start_tls();                     // 220 2.0.0
SmtpReply auth_challenge(std::string_view base64);  // 334
SmtpReply cannot_vrfy();                            // 252 2.5.2
SmtpReply help();                                   // 214 2.0.0
SmtpReply chunk_received(uint64_t octets);          // 250 2.0.0 (BDAT, RFC 3030)
// 4xx
SmtpReply service_unavailable();              // 421 4.3.2
SmtpReply too_many_errors();                  // 421 4.7.0
SmtpReply timeout();                          // 421 4.4.2
SmtpReply too_many_connections();             // 421 4.7.0
SmtpReply too_many_recipients();              // 452 4.5.3
SmtpReply insufficient_storage();             // 452 4.3.1
SmtpReply over_quota();                       // 452 4.2.2
SmtpReply local_error();                      // 451 4.3.0
SmtpReply try_again_later(std::string text);  // 450 4.7.1
SmtpReply tls_not_available();                // 454 4.7.0
SmtpReply auth_temporary_failure();           // 454 4.7.0
// 5xx
SmtpReply syntax_error(std::string text = "Syntax error");              // 500 5.5.2
SmtpReply line_too_long();                                              // 500 5.5.2
SmtpReply unknown_command();                                            // 500 5.5.1
SmtpReply bad_arguments(std::string text);                              // 501 5.5.4
SmtpReply bad_address_syntax(std::string text);                         // 501 5.1.3
SmtpReply bad_sender_syntax(std::string text);                          // 501 5.1.7
SmtpReply not_implemented();                                            // 502 5.5.1
SmtpReply bad_sequence(std::string text = "Bad sequence of commands");  // 503 5.5.1
SmtpReply parameter_not_implemented(std::string_view keyword);          // 555 5.5.4
SmtpReply parameter_unrecognized(std::string_view keyword);             // 555 5.5.4
SmtpReply need_auth();                                                  // 530 5.7.0
SmtpReply must_starttls();                                              // 530 5.7.0
SmtpReply auth_failed();                                                // 535 5.7.8
SmtpReply auth_mechanism_unknown();                                     // 504 5.5.4
SmtpReply auth_cancelled();                                             // 501 5.0.0
SmtpReply already_authenticated();                                      // 503 5.5.1
SmtpReply encryption_required_for_mechanism();                          // 538 5.7.11
SmtpReply unknown_user();                                               // 550 5.1.1
SmtpReply relay_denied();                                               // 554 5.7.1
SmtpReply address_not_allowed(std::string text);                        // 553 5.1.3
SmtpReply sender_not_owned();                                           // 553 5.7.1
SmtpReply message_too_big();                                            // 552 5.3.4
SmtpReply mailbox_disabled();                                           // 550 5.2.1
SmtpReply mailbox_full_permanent();                                     // 552 5.2.2
SmtpReply smtputf8_required();                                          // 553 5.6.7 (RFC 6531 3.5)
SmtpReply bare_line_ending();                                           // 554 5.6.0 (smuggling)
SmtpReply loop_detected();                                              // 554 5.4.6
SmtpReply transaction_failed(std::string text);                         // 554 5.0.0
SmtpReply no_valid_recipients();                                        // 554 5.5.1
SmtpReply talked_before_greeting();                                     // 554 5.5.0
SmtpReply improper_pipelining();  // 554 5.5.0 (RFC 2920 without PIPELINING)

}  // namespace gm::mail
