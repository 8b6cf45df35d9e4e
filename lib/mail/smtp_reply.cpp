#include "mail/smtp_reply.hpp"

#include <array>

#include "core/str.hpp"

namespace gm::mail {
namespace {

// Every enhanced code this suite sends (RFC 3463 and its registry); replies
// keep a string_view into this table, so it must outlive them.
constexpr std::array<std::string_view, 39> kEnhancedCodes = {
    "2.0.0", "2.1.0", "2.1.5", "2.5.2", "2.7.0", "4.2.2", "4.3.0", "4.3.1", "4.3.2", "4.4.2",
    "4.5.3", "4.7.0", "4.7.1", "5.0.0", "5.1.1", "5.1.3", "5.1.7", "5.2.2", "5.3.4", "5.4.6",
    "5.5.0", "5.5.1", "5.5.2", "5.5.4", "5.6.0", "5.6.7", "5.7.0", "5.7.1", "5.7.8", "5.7.11",
    "4.0.0", "5.1.0", "5.1.6", "5.7.9", "4.4.1", "4.2.0", "5.2.0", "5.3.0", "5.2.1"};

std::string_view intern_enhanced(std::string_view code, int reply_code) {
  for (std::string_view known : kEnhancedCodes)
    if (known == code) return known;
  if (reply_code >= 500) return "5.0.0";
  if (reply_code >= 400) return "4.0.0";
  return "2.0.0";
}

bool looks_enhanced(std::string_view s) {
  // class "." subject "." detail, RFC 3463 2: 1 digit, 1-3 digits, 1-3 digits
  auto dot1 = s.find('.');
  auto dot2 = s.find('.', dot1 == std::string_view::npos ? dot1 : dot1 + 1);
  if (dot1 != 1 || dot2 == std::string_view::npos || dot2 - dot1 > 4 || s.size() - dot2 > 4)
    return false;
  for (char c : s)
    if (c != '.' && (c < '0' || c > '9')) return false;
  return s.size() > dot2 + 1 && dot2 > dot1 + 1;
}

void append_line(std::string& out, int code, bool last, std::string_view enhanced,
                 std::string_view line) {
  std::string head = str_cat(code, last ? ' ' : '-');
  if (!enhanced.empty()) head += str_cat(enhanced, ' ');
  size_t room = kMaxReplyLine - 2 - head.size();
  out += head;
  for (unsigned char c : line.substr(0, room)) out.push_back(c < 0x20 || c == 0x7f ? '?' : c);
  out += "\r\n";
}

SmtpReply make(int code, std::string_view enhanced, std::string text) {
  return SmtpReply{code, enhanced, std::move(text)};
}

}  // namespace

std::string format_reply(const SmtpReply& reply) {
  std::vector<std::string_view> lines;
  std::string_view rest = reply.text;
  for (;;) {
    auto nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i)
    append_line(out, reply.code, i + 1 == lines.size(), reply.enhanced, lines[i]);
  return out;
}

std::string reply_summary(const SmtpReply& reply) {
  std::string text = reply.text;
  for (size_t pos; (pos = text.find('\n')) != std::string::npos;) text.replace(pos, 1, "; ");
  if (reply.enhanced.empty()) return str_cat(reply.code, ' ', text);
  return str_cat(reply.code, ' ', reply.enhanced, ' ', text);
}

SmtpReply reply_from_error(const Error& error) {
  int code = error.code >= 200 && error.code <= 599 ? error.code : 451;
  std::string_view message = error.message;
  auto space = message.find(' ');
  std::string_view first = message.substr(0, space);
  if (looks_enhanced(first) && first.front() - '0' == code / 100) {
    std::string text(space == std::string_view::npos ? "" : message.substr(space + 1));
    return make(code, intern_enhanced(first, code), std::move(text));
  }
  return make(code, intern_enhanced("", code), std::string(message));
}

gm::Error reply_error(const SmtpReply& reply) {
  if (reply.enhanced.empty()) return make_error(reply.text, reply.code);
  return make_error(str_cat(reply.enhanced, ' ', reply.text), reply.code);
}

SmtpReply greeting(std::string_view host, std::string_view banner) {
  return make(220, {}, str_cat(host, ' ', banner));
}
SmtpReply closing(std::string_view host) {
  return make(221, "2.0.0", str_cat(host, " Bye"));
}
SmtpReply ehlo(std::string_view host, const std::vector<std::string>& keywords) {
  // RFC 5321 4.1.1.1: the first line names the server, then one keyword a line.
  std::string text(host);
  for (const auto& keyword : keywords) text += str_cat('\n', keyword);
  return make(250, {}, std::move(text));
}
SmtpReply ok(std::string_view enhanced, std::string text) {
  return make(250, intern_enhanced(enhanced, 250), std::move(text));
}
SmtpReply sender_ok() {
  return make(250, "2.1.0", "Ok");
}
SmtpReply recipient_ok() {
  return make(250, "2.1.5", "Ok");
}
SmtpReply queued(std::string_view queue_id) {
  return make(250, "2.0.0", str_cat("Ok: queued as ", queue_id));
}
SmtpReply delivered(std::string_view queue_id) {
  return make(250, "2.0.0", str_cat("Ok: delivered ", queue_id));
}
SmtpReply auth_ok() {
  return make(235, "2.7.0", "Authentication successful");
}
SmtpReply start_data() {
  return make(354, {}, "End data with <CR><LF>.<CR><LF>");
}
SmtpReply ready_to_start_tls() {
  return make(220, "2.0.0", "Ready to start TLS");
}
SmtpReply auth_challenge(std::string_view base64) {
  return make(334, {}, std::string(base64));
}
SmtpReply help() {
  return make(214, "2.0.0", "See RFC 5321 (https://www.rfc-editor.org/rfc/rfc5321)");
}

SmtpReply chunk_received(uint64_t octets) {
  return make(250, "2.0.0", str_cat("Ok: ", octets, " octets received"));
}

SmtpReply cannot_vrfy() {
  return make(252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery");
}

SmtpReply service_unavailable() {
  return make(421, "4.3.2", "Service not available, closing transmission channel");
}
SmtpReply too_many_errors() {
  return make(421, "4.7.0", "Too many errors, closing connection");
}
SmtpReply timeout() {
  return make(421, "4.4.2", "Timeout, closing connection");
}
SmtpReply too_many_connections() {
  return make(421, "4.7.0", "Too many connections from your address, try again later");
}
SmtpReply too_many_recipients() {
  return make(452, "4.5.3", "Too many recipients");
}
SmtpReply insufficient_storage() {
  return make(452, "4.3.1", "Insufficient system storage");
}
SmtpReply over_quota() {
  return make(452, "4.2.2", "Mailbox full");
}
SmtpReply local_error() {
  return make(451, "4.3.0", "Local error in processing");
}
SmtpReply try_again_later(std::string text) {
  return make(450, "4.7.1", std::move(text));
}
SmtpReply tls_not_available() {
  return make(454, "4.7.0", "TLS not available");
}
SmtpReply auth_temporary_failure() {
  return make(454, "4.7.0", "Temporary authentication failure");
}

SmtpReply syntax_error(std::string text) {
  return make(500, "5.5.2", std::move(text));
}
SmtpReply line_too_long() {
  return make(500, "5.5.2", "Line too long");
}
SmtpReply unknown_command() {
  return make(500, "5.5.1", "Command unrecognized");
}
SmtpReply bad_arguments(std::string text) {
  return make(501, "5.5.4", std::move(text));
}
SmtpReply bad_address_syntax(std::string text) {
  return make(501, "5.1.3", std::move(text));
}
SmtpReply bad_sender_syntax(std::string text) {
  return make(501, "5.1.7", std::move(text));
}
SmtpReply not_implemented() {
  return make(502, "5.5.1", "Command not implemented");
}
SmtpReply bad_sequence(std::string text) {
  return make(503, "5.5.1", std::move(text));
}
SmtpReply parameter_not_implemented(std::string_view keyword) {
  return make(555, "5.5.4", str_cat("Parameter not implemented: ", printable(keyword, 40)));
}
SmtpReply parameter_unrecognized(std::string_view keyword) {
  return make(555, "5.5.4", str_cat("Unsupported parameter: ", printable(keyword, 40)));
}
SmtpReply need_auth() {
  return make(530, "5.7.0", "Authentication required");
}
SmtpReply must_starttls() {
  return make(530, "5.7.0", "Must issue a STARTTLS command first");
}
SmtpReply auth_failed() {
  return make(535, "5.7.8", "Authentication credentials invalid");
}
SmtpReply auth_mechanism_unknown() {
  return make(504, "5.5.4", "Unrecognized authentication mechanism");
}
SmtpReply auth_cancelled() {
  return make(501, "5.0.0", "Authentication cancelled");
}
SmtpReply already_authenticated() {
  return make(503, "5.5.1", "Already authenticated");
}
SmtpReply encryption_required_for_mechanism() {
  return make(538, "5.7.11", "Encryption required for requested authentication mechanism");
}
SmtpReply unknown_user() {
  return make(550, "5.1.1", "User unknown");
}
SmtpReply relay_denied() {
  return make(554, "5.7.1", "Relay access denied");
}
SmtpReply address_not_allowed(std::string text) {
  return make(553, "5.1.3", std::move(text));
}
SmtpReply sender_not_owned() {
  return make(553, "5.7.1", "Sender address not owned by authenticated user");
}
SmtpReply message_too_big() {
  return make(552, "5.3.4", "Message size exceeds fixed limit");
}
SmtpReply mailbox_disabled() {
  return make(550, "5.2.1", "Mailbox disabled");
}
SmtpReply mailbox_full_permanent() {
  return make(552, "5.2.2", "Mailbox full");
}
SmtpReply smtputf8_required() {
  return make(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");
}
SmtpReply bare_line_ending() {
  return make(554, "5.6.0", "Bare CR or LF in message data is not allowed");
}
SmtpReply loop_detected() {
  return make(554, "5.4.6", "Mail loop detected");
}
SmtpReply transaction_failed(std::string text) {
  return make(554, "5.0.0", std::move(text));
}
SmtpReply no_valid_recipients() {
  return make(554, "5.5.1", "No valid recipients");
}
SmtpReply talked_before_greeting() {
  return make(554, "5.5.0", "Protocol error: client talked before the greeting");
}

SmtpReply improper_pipelining() {
  return make(554, "5.5.0", "Protocol error: improper command pipelining");
}

}  // namespace gm::mail
