#include "mail/smtp_trace.hpp"

#include <array>
#include <cstdio>

#include "core/str.hpp"

namespace gm::mail {
namespace {

bool starts_with_field(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = line[i];
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
    if (c != name[i]) return false;
  }
  return true;
}

// Header text from the client or from DNS must not break our header.
std::string clean(std::string_view text) {
  std::string out;
  for (unsigned char c : text.substr(0, 255))
    out.push_back(c < 0x21 || c >= 0x7f || c == '(' || c == ')' || c == ';' ? '?' : char(c));
  return out.empty() ? "unknown" : out;
}

}  // namespace

std::optional<size_t> header_section_end(std::string_view content) {
  if (content.starts_with("\r\n")) return 2;
  size_t blank = content.find("\r\n\r\n");
  if (blank == std::string_view::npos) return std::nullopt;
  return blank + 4;
}

HeaderSummary summarize_header(std::string_view header) {
  HeaderSummary summary;
  while (!header.empty()) {
    size_t eol = header.find("\r\n");
    std::string_view line = header.substr(0, eol);
    if (line.empty()) break;
    if (starts_with_field(line, "received")) ++summary.received;
    if (starts_with_field(line, "message-id")) summary.message_id = true;
    if (starts_with_field(line, "date")) summary.date = true;
    if (eol == std::string_view::npos) break;
    header.remove_prefix(eol + 2);
  }
  return summary;
}

std::string rfc5322_date(std::time_t when) {
  std::tm tm{};
  localtime_r(&when, &tm);
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  long offset = tm.tm_gmtoff / 60;
  char sign = offset < 0 ? '-' : '+';
  if (offset < 0) offset = -offset;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                sign, offset / 60, offset % 60);
  return buf;
}

std::string with_protocol(bool esmtp, bool tls, bool authenticated) {
  std::string p = esmtp ? "ESMTP" : "SMTP";
  if (tls) p += "S";
  if (authenticated && esmtp) p += "A";
  return p;
}

std::string received_header(const ReceivedInfo& info) {
  std::string h = str_cat("Received: from ", clean(info.helo), " (", clean(info.client_name), " [",
                          clean(info.client_address), "])\r\n");
  if (!info.tls_version.empty())
    h += str_cat("\t(using ", clean(info.tls_version), " with cipher ", clean(info.tls_cipher),
                 ")\r\n");
  if (info.authenticated) h += "\t(authenticated)\r\n";
  h += str_cat("\tby ", clean(info.by_host), " (GoodMessaging) with ", info.protocol, " id ",
               info.queue_id, "\r\n");
  if (!info.single_recipient.empty())
    h += str_cat("\tfor <", clean(info.single_recipient), ">");
  else
    h += "\t";
  h += str_cat("; ", rfc5322_date(info.when), "\r\n");
  return h;
}

}  // namespace gm::mail
