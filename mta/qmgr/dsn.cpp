#include "dsn.hpp"

#include <ctime>

#include "core/str.hpp"

namespace gm::qmgr {
namespace {

constexpr std::string_view kCrlf = "\r\n";

// Header and DSN field values may not carry line breaks or controls.
std::string field(std::string_view s, size_t max = kMaxDsnDiagnostic) {
  return printable(s, max);
}

enum class Kind { kFailure, kDelay, kSuccess };

Kind kind_of(const DsnInput& in) {
  bool any_delayed = false;
  for (const DsnRecipient& r : in.recipients) {
    if (!r.delivered && !r.delayed) return Kind::kFailure;
    any_delayed |= r.delayed;
  }
  return any_delayed ? Kind::kDelay : Kind::kSuccess;
}

std::string_view action_of(const DsnRecipient& r) {
  return r.delivered ? "delivered" : r.delayed ? "delayed" : "failed";
}

std::string human_part(const DsnInput& in, Kind kind) {
  std::string text =
      str_cat("This is the mail system at host ", field(in.reporting_mta), ".", kCrlf, kCrlf);
  if (kind == Kind::kDelay)
    text += str_cat("Your message could not be delivered yet to one or more recipients.", kCrlf,
                    "It will be retried until ", rfc5322_date(in.will_retry_until), ".", kCrlf,
                    "This is a warning only: you do not need to send it again.", kCrlf);
  else if (kind == Kind::kFailure)
    text += str_cat("I'm sorry to have to inform you that your message could not", kCrlf,
                    "be delivered to one or more recipients.", kCrlf);
  else
    text += str_cat("Your message was successfully delivered to the destination(s)", kCrlf,
                    "listed below, as you asked.", kCrlf);
  text += kCrlf;
  for (const DsnRecipient& r : in.recipients) {
    text += str_cat("<", field(r.address), ">: ");
    text += r.delivered ? std::string("delivered") : field(r.diagnostic);
    if (r.delayed) text += " (still trying)";
    text += kCrlf;
  }
  return text;
}

std::string status_part(const DsnInput& in) {
  // RFC 3464 2.2: per-message fields, then one block per recipient.
  std::string text = str_cat("Reporting-MTA: dns; ", field(in.reporting_mta), kCrlf);
  if (!in.envid.empty()) text += str_cat("Original-Envelope-Id: ", field(in.envid), kCrlf);
  text += str_cat("X-GoodMessaging-Queue-ID: ", field(in.queue_id), kCrlf);
  text += str_cat("Arrival-Date: ", rfc5322_date(in.arrival_time), kCrlf);
  for (const DsnRecipient& r : in.recipients) {
    text += kCrlf;
    if (!r.orcpt.empty()) text += str_cat("Original-Recipient: ", field(r.orcpt), kCrlf);
    text += str_cat("Final-Recipient: rfc822; ", field(r.address), kCrlf);
    text += str_cat("Action: ", action_of(r), kCrlf);
    text += str_cat("Status: ", field(r.status, 16), kCrlf);
    if (!r.diagnostic.empty())
      text += str_cat("Diagnostic-Code: smtp; ", field(r.diagnostic), kCrlf);
    text += str_cat("Last-Attempt-Date: ", rfc5322_date(in.now), kCrlf);
    if (r.delayed) text += str_cat("Will-Retry-Until: ", rfc5322_date(in.will_retry_until), kCrlf);
  }
  return text;
}

}  // namespace

std::string rfc5322_date(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  tm utc{};
  gmtime_r(&t, &utc);
  char buffer[64];
  size_t n = strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return std::string(buffer, n);
}

std::string status_of_reply(std::string_view reply) {
  char klass = reply.empty() ? '4' : reply[0];
  if (klass != '2' && klass != '4' && klass != '5') klass = '4';
  size_t space = reply.find(' ');
  if (space != std::string_view::npos) {
    std::string_view rest = reply.substr(space + 1);
    std::string_view code = rest.substr(0, rest.find(' '));
    bool shaped = code.size() >= 5 && code.size() <= 11 && code[0] == klass && code[1] == '.';
    for (char c : code)
      if (!(c == '.' || (c >= '0' && c <= '9'))) shaped = false;
    if (shaped) return std::string(code);
  }
  return str_cat(klass, ".0.0");
}

DsnParts compose_dsn(const DsnInput& in) {
  Kind kind = kind_of(in);
  bool any_failed = kind != Kind::kSuccess;  // the original was not (yet) delivered to all
  std::string boundary = str_cat(field(in.boundary, 60), "/", field(in.reporting_mta, 100));
  DsnParts parts;
  std::string& h = parts.head;
  h = str_cat("From: Mail Delivery System <MAILER-DAEMON@", field(in.reporting_mta), ">", kCrlf);
  h += str_cat("To: <", field(in.original_sender), ">", kCrlf);
  h += str_cat("Subject: ",
               kind == Kind::kFailure ? "Undelivered Mail Returned to Sender"
               : kind == Kind::kDelay ? "Delayed Mail (still being retried)"
                                      : "Successful Mail Delivery Report",
               kCrlf);
  h += str_cat("Date: ", rfc5322_date(in.now), kCrlf);
  h += str_cat("Message-ID: <", field(in.boundary, 60), ".dsn@", field(in.reporting_mta), ">",
               kCrlf);
  h += str_cat("Auto-Submitted: auto-replied", kCrlf);  // RFC 3834: no replies to this
  h += str_cat("MIME-Version: 1.0", kCrlf);
  h += str_cat("Content-Type: multipart/report; report-type=delivery-status;", kCrlf,
               "\tboundary=\"", boundary, "\"", kCrlf);
  h += kCrlf;
  h += str_cat("This is a MIME-encapsulated message.", kCrlf, kCrlf);
  h += str_cat("--", boundary, kCrlf, "Content-Description: Notification", kCrlf,
               "Content-Type: text/plain; charset=us-ascii", kCrlf, kCrlf);
  h += human_part(in, kind);
  h += str_cat(kCrlf, "--", boundary, kCrlf, "Content-Description: Delivery report", kCrlf,
               "Content-Type: message/delivery-status", kCrlf, kCrlf);
  h += status_part(in);
  h += str_cat(kCrlf, "--", boundary, kCrlf);
  if (in.headers_only)
    h += str_cat("Content-Description: Undelivered Message Headers", kCrlf,
                 "Content-Type: text/rfc822-headers", kCrlf, kCrlf);
  else
    h += str_cat("Content-Description: ", any_failed ? "Undelivered Message" : "Delivered Message",
                 kCrlf, "Content-Type: message/rfc822", kCrlf, kCrlf);
  parts.tail = str_cat(kCrlf, "--", boundary, "--", kCrlf);
  return parts;
}

}  // namespace gm::qmgr
