// Trace and origin headers a receiving SMTP server writes: the Received
// line (RFC 5321 4.4, protocol names RFC 3848), and for submission the
// Date and Message-ID a client left out (RFC 6409 8.2, 8.3); and the look
// at the client's header section that decides them (and counts Received
// lines: a loop, RFC 5321 6.3).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace gm::mail {

// Header bytes held before the content streams on: the header section, or
// this much of it when longer (RFC 5322 sets no limit).
inline constexpr size_t kMaxInspectedHeader = 256 << 10;
// RFC 5321 6.3 leaves the number to us; Postfix: hopcount_limit 50.
inline constexpr size_t kMaxReceivedHeaders = 50;

struct HeaderSummary {
  size_t received = 0;
  bool message_id = false;
  bool date = false;
};

// Where the header section of `content` ends: just after its empty line
// (or at 0 for content that starts with one); nullopt if not within content.
std::optional<size_t> header_section_end(std::string_view content);
HeaderSummary summarize_header(std::string_view header);

struct ReceivedInfo {
  std::string helo;         // as the client gave it
  std::string client_name;  // verified reverse name, or "unknown"
  std::string client_address;
  std::string by_host;   // myhostname
  std::string protocol;  // ESMTP, ESMTPS, ESMTPA, ESMTPSA, SMTP, SMTPS (RFC 3848)
  std::string queue_id;
  std::string tls_version;  // empty: no TLS
  std::string tls_cipher;
  bool authenticated = false;
  std::string single_recipient;  // "for <...>" only with exactly one recipient
  std::time_t when = 0;
};

// "Received: ...\r\n" folded over several lines.
std::string received_header(const ReceivedInfo& info);
// RFC 5322 3.3 date-time in local time: "Tue, 02 Jan 2024 10:00:00 +0100".
std::string rfc5322_date(std::time_t when);
// RFC 3848 protocol name.
std::string with_protocol(bool esmtp, bool tls, bool authenticated);

}  // namespace gm::mail
