// A message handed to sendmail(1) on standard input, turned into queue
// content: lines end in LF or CRLF and leave as CRLF; a line holding only
// "." ends the input unless -i/-oi; the header section is collected (for
// -t recipients, Bcc removal, and the Date, Message-ID and From fields
// RFC 5322 3.6 requires) while the body streams through. Pure code on
// bytes, so unit tests and the fuzzer drive it without a queue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::mail {

inline constexpr size_t kMaxHeaderLine = 998;         // RFC 5322 2.1.1, without CRLF
inline constexpr size_t kMaxHeaderSection = 1 << 20;  // all header fields together
inline constexpr size_t kMaxHeaderFields = 2000;      // fields in one message
inline constexpr size_t kMaxBodyLine = 998;           // longer body lines are broken
inline constexpr size_t kMaxExtractedRecipients = 10000;

// Splits input into lines. A line longer than max_line is handed over in
// pieces of max_line bytes with `broken` set on all but the last (Postfix
// breaks long lines the same way). CR before LF is dropped; a bare CR stays.
class InputLines {
 public:
  using LineSink = std::function<Status(std::string_view line, bool broken)>;
  InputLines(bool ignore_dots, size_t max_line) : ignore_dots_(ignore_dots), max_line_(max_line) {}

  // Hands every whole line of `bytes` to sink; stops at the lone dot.
  Status feed(std::string_view bytes, const LineSink& sink);
  // End of input: hands over an unterminated last line.
  Status finish(const LineSink& sink);
  bool ended() const { return ended_; }  // a lone "." was seen (or finish ran)

 private:
  Status emit(const LineSink& sink, bool broken);

  bool ignore_dots_;
  size_t max_line_;
  std::string pending_;
  bool continuing_ = false;  // pending_ follows a broken piece of the same line
  bool ended_ = false;
};

struct HeaderField {
  std::string name;          // as written
  std::string text;          // the whole field, folded lines included, each ending CRLF
  std::string body() const;  // unfolded value after the colon
};

// Collects the header section line by line.
class HeaderSection {
 public:
  enum class LineKind { kHeader, kEnd, kBodyStart };
  // kEnd: the blank line after the header; kBodyStart: a line that is not a
  // header field (it belongs to the body, and a blank line must be put
  // before it). Errors carry 554 "5.6.0 ..." or 552 "5.3.4 ...".
  Result<LineKind> add_line(std::string_view line, bool broken);
  const std::vector<HeaderField>& fields() const { return fields_; }
  bool has(std::string_view name) const;

 private:
  std::vector<HeaderField> fields_;
  size_t size_ = 0;
  bool first_line_ = true;
};

struct LocalSubmission {
  bool extract_recipients = false;  // -t
  std::string sender;               // envelope sender; From: when the message has none
  std::string full_name;            // -F, for that From:
  std::string domain;               // qualifies bare names ("root" -> root@domain)
};

struct PreparedHeader {
  std::string text;                     // header fields to queue, each ending CRLF
  std::vector<std::string> recipients;  // from To/Cc/Bcc with -t
};

// Removes Bcc and Resent-Bcc, adds From, Date and Message-ID when missing,
// and with -t collects the recipients (the Resent- fields instead when the
// message has any, RFC 5322 3.6.6). A header address that does not parse
// is an error (554 5.1.3).
Result<PreparedHeader> prepare_header(const HeaderSection& header, const LocalSubmission& options,
                                      std::string_view date, std::string_view message_id);

// "Tue, 15 Nov 1994 08:12:31 +0100" (RFC 5322 3.3), local time.
std::string rfc5322_date(int64_t unix_seconds);
// Adds @domain to a bare local name; leaves user@domain alone.
std::string qualify_address(std::string_view address, std::string_view domain);

}  // namespace gm::mail
