#include "mail/local_message.hpp"

#include <time.h>

#include <algorithm>
#include <cstdio>

#include "core/str.hpp"
#include "mail/header_address.hpp"

namespace gm::mail {
namespace {

bool is_field_name_char(char c) {
  return c >= 33 && c <= 126 && c != ':';  // RFC 5322 2.2 ftext
}

// The field name of a header line, or "" when the line is not one.
std::string_view field_name(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  std::string_view name = line.substr(0, colon);
  return std::all_of(name.begin(), name.end(), is_field_name_char) ? name : std::string_view();
}

bool is_atext(char c) {
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";  // RFC 5322 3.2.3
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         kSpecials.find(c) != std::string_view::npos || static_cast<unsigned char>(c) >= 0x80;
}

bool is_dot_atom(std::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '.' && text[i + 1] == '.') return false;
    if (text[i] != '.' && !is_atext(text[i])) return false;
  }
  return true;
}

std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The mailbox as an SMTP address: the local part re-quoted when it must be.
std::string envelope_address(const HeaderMailbox& mailbox) {
  std::string local =
      is_dot_atom(mailbox.local_part) ? mailbox.local_part : quoted(mailbox.local_part);
  return str_cat(local, '@', mailbox.domain);
}

// "To: root, admin@example.org" as cron writes it: bare names among the
// addresses, qualified with our domain. Items are split at commas, so this
// is only the fallback when the whole field does not parse.
Result<std::vector<std::string>> with_bare_names(std::string_view body, std::string_view domain) {
  std::vector<std::string> out;
  for (const std::string& item : split(body, ",")) {
    std::string_view text = trim(item);
    if (text.empty()) continue;
    if (is_dot_atom(text)) {
      out.push_back(qualify_address(text, domain));
      continue;
    }
    auto list = parse_address_list(text);
    if (!list) return list.error();
    for (const HeaderMailbox& mailbox : flatten(*list)) out.push_back(envelope_address(mailbox));
  }
  return out;
}

Status add_recipients(const HeaderField& field, std::string_view domain,
                      std::vector<std::string>& out) {
  std::string body = field.body();
  std::vector<std::string> found;
  if (auto list = parse_address_list(body)) {
    for (const HeaderMailbox& mailbox : flatten(*list)) found.push_back(envelope_address(mailbox));
  } else if (auto names = with_bare_names(body, domain)) {
    found = std::move(*names);
  } else {
    return make_error(str_cat("5.1.3 bad address in ", printable(field.name, 40),
                              " header: ", list.error().message),
                      554);
  }
  for (std::string& address : found) {
    if (std::find(out.begin(), out.end(), address) != out.end()) continue;
    if (out.size() >= kMaxExtractedRecipients)
      return make_error("5.5.3 too many recipients in the message header", 552);
    out.push_back(std::move(address));
  }
  return {};
}

// A display name safe in one header line: control characters dropped (no
// header injection through -F), quoted unless it is plain words.
std::string display_name(std::string_view name) {
  std::string clean;
  for (char c : name)
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) clean += c;
  clean = std::string(trim(clean));
  bool plain =
      std::all_of(clean.begin(), clean.end(), [](char c) { return c == ' ' || is_atext(c); });
  return plain ? clean : quoted(clean);
}

enum class RecipientField { kNone, kPlain, kResent };

RecipientField recipient_field(std::string_view name) {
  if (iequals(name, "To") || iequals(name, "Cc") || iequals(name, "Bcc"))
    return RecipientField::kPlain;
  if (iequals(name, "Resent-To") || iequals(name, "Resent-Cc") || iequals(name, "Resent-Bcc"))
    return RecipientField::kResent;
  return RecipientField::kNone;
}

}  // namespace

// ---- InputLines

Status InputLines::emit(const LineSink& sink, bool broken) {
  Status status = sink(pending_, broken);
  pending_.clear();
  continuing_ = broken;
  return status;
}

Status InputLines::feed(std::string_view bytes, const LineSink& sink) {
  size_t pos = 0;
  while (pos < bytes.size() && !ended_) {
    size_t newline = bytes.find('\n', pos);
    size_t end = newline == std::string_view::npos ? bytes.size() : newline;
    pending_.append(bytes.substr(pos, end - pos));
    // One byte more than max_line may wait: it may be the CR of a CRLF.
    while (pending_.size() > max_line_ + 1) {
      std::string rest = pending_.substr(max_line_);
      pending_.resize(max_line_);
      if (auto status = emit(sink, true); !status) return status;
      pending_ = std::move(rest);
    }
    if (newline == std::string_view::npos) break;
    pos = newline + 1;
    if (!pending_.empty() && pending_.back() == '\r') pending_.pop_back();
    if (pending_.size() > max_line_) {
      std::string rest = pending_.substr(max_line_);
      pending_.resize(max_line_);
      if (auto status = emit(sink, true); !status) return status;
      pending_ = std::move(rest);
    }
    if (!ignore_dots_ && !continuing_ && pending_ == ".") {
      ended_ = true;
      pending_.clear();
      return {};
    }
    if (auto status = emit(sink, false); !status) return status;
  }
  return {};
}

Status InputLines::finish(const LineSink& sink) {
  if (ended_) return {};
  ended_ = true;
  if (!ignore_dots_ && !continuing_ && pending_ == ".") return {};
  if (pending_.empty() && !continuing_) return {};
  return emit(sink, false);
}

// ---- HeaderSection

std::string HeaderField::body() const {
  std::string unfolded;
  size_t colon = text.find(':');
  for (char c : std::string_view(text).substr(colon == std::string::npos ? 0 : colon + 1))
    if (c != '\r' && c != '\n') unfolded += c;  // RFC 5322 2.2.3: unfolding removes CRLF
  return std::string(trim(unfolded));
}

bool HeaderSection::has(std::string_view name) const {
  return std::any_of(fields_.begin(), fields_.end(),
                     [&](const HeaderField& field) { return iequals(field.name, name); });
}

Result<HeaderSection::LineKind> HeaderSection::add_line(std::string_view line, bool broken) {
  bool first = first_line_;
  first_line_ = false;
  // An mbox "From " line before the header (mail(1) and procmail write one).
  if (first && line.starts_with("From ")) return LineKind::kHeader;
  if (line.empty()) return LineKind::kEnd;
  bool continuation = (line.front() == ' ' || line.front() == '\t') && !fields_.empty();
  std::string_view name = continuation ? std::string_view() : field_name(line);
  if (!continuation && name.empty()) return LineKind::kBodyStart;
  if (broken)
    return make_error(str_cat("5.6.0 header line longer than ", kMaxHeaderLine, " characters"),
                      554);
  size_ += line.size() + 2;
  if (size_ > kMaxHeaderSection) return make_error("5.3.4 message header too large", 552);
  if (continuation) {
    fields_.back().text += str_cat(line, "\r\n");
    return LineKind::kHeader;
  }
  if (fields_.size() >= kMaxHeaderFields) return make_error("5.3.4 too many header fields", 552);
  fields_.push_back({std::string(name), str_cat(line, "\r\n")});
  return LineKind::kHeader;
}

// ---- the header sendmail queues

Result<PreparedHeader> prepare_header(const HeaderSection& header, const LocalSubmission& options,
                                      std::string_view date, std::string_view message_id) {
  PreparedHeader out;
  bool resent = std::any_of(header.fields().begin(), header.fields().end(), [](const auto& f) {
    return recipient_field(f.name) == RecipientField::kResent;
  });
  RecipientField wanted = resent ? RecipientField::kResent : RecipientField::kPlain;
  for (const HeaderField& field : header.fields()) {
    if (options.extract_recipients && recipient_field(field.name) == wanted)
      if (auto status = add_recipients(field, options.domain, out.recipients); !status)
        return status.error();
    // Bcc recipients must not see each other (RFC 5322 3.6.3): never queued.
    if (iequals(field.name, "Bcc") || iequals(field.name, "Resent-Bcc")) continue;
    out.text += field.text;
  }
  if (!header.has("From")) {
    std::string sender = options.sender.empty() ? "MAILER-DAEMON" : options.sender;
    out.text += options.full_name.empty()
                    ? str_cat("From: ", sender, "\r\n")
                    : str_cat("From: ", display_name(options.full_name), " <", sender, ">\r\n");
  }
  if (!header.has("Date")) out.text += str_cat("Date: ", date, "\r\n");
  if (!header.has("Message-ID")) out.text += str_cat("Message-ID: <", message_id, ">\r\n");
  return out;
}

std::string rfc5322_date(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm local;
  localtime_r(&t, &local);
  char buf[64];
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  long offset = local.tm_gmtoff / 60;
  char sign = offset < 0 ? '-' : '+';
  offset = offset < 0 ? -offset : offset;
  std::snprintf(buf, sizeof buf, "%s, %d %s %d %02d:%02d:%02d %c%02ld%02ld", kDays[local.tm_wday],
                local.tm_mday, kMonths[local.tm_mon], local.tm_year + 1900, local.tm_hour,
                local.tm_min, local.tm_sec, sign, offset / 60, offset % 60);
  return buf;
}

std::string qualify_address(std::string_view address, std::string_view domain) {
  if (address.find('@') != std::string_view::npos) return std::string(address);
  return str_cat(address, '@', domain);
}

}  // namespace gm::mail
