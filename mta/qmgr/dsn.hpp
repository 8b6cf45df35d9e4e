// Delivery status notifications (RFC 3464, RFC 3461, RFC 6522): the
// bounce qmgr sends to a message's sender, as multipart/report with a
// human-readable part, a message/delivery-status part and the original
// message (RET=FULL, and by default as Postfix does) or its header section
// (RET=HDRS). Pure: compose_dsn() returns the text before and after the
// original content, which the caller streams in between.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gm::qmgr {

inline constexpr size_t kMaxDsnDiagnostic = 900;           // characters of a reply kept in a DSN
inline constexpr uint64_t kMaxReturnedContent = 10 << 20;  // larger originals: headers only

struct DsnRecipient {
  std::string address;     // the final recipient
  std::string orcpt;       // RFC 3461 ORCPT "rfc822;addr", may be empty
  bool delivered = false;  // Action: delivered (NOTIFY=SUCCESS), else failed
  std::string status;      // enhanced status code, e.g. "5.1.1"
  std::string diagnostic;  // the reply, e.g. "550 5.1.1 User unknown"; may be empty
  bool delayed = false;    // Action: delayed (delay_warning_time); then delivered is false
};

struct DsnInput {
  std::string reporting_mta;  // this host's name
  std::string queue_id;       // of the original
  std::string envid;          // RFC 3461 ENVID, may be empty
  std::string original_sender;
  int64_t arrival_time = 0;  // Unix seconds
  int64_t now = 0;
  int64_t will_retry_until = 0;  // Unix seconds; for delayed recipients (RFC 3464 2.3.9)
  std::vector<DsnRecipient> recipients;
  bool headers_only = false;  // text/rfc822-headers instead of message/rfc822
  std::string boundary;       // unique, not in the content (use the queue id)
};

struct DsnParts {
  std::string head;  // headers, first two parts, and the third part's header
  std::string tail;  // the closing boundary
};

DsnParts compose_dsn(const DsnInput& input);

// The status code of a reply: its enhanced code when it has one, else
// "<class>.0.0" from the reply code (RFC 3463).
std::string status_of_reply(std::string_view reply);
// RFC 5322 3.3 date-time in UTC.
std::string rfc5322_date(int64_t unix_seconds);

}  // namespace gm::qmgr
