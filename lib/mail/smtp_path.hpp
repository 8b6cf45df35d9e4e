// SMTP envelope addresses: the argument of MAIL FROM and RCPT TO, parsed by
// the grammar of RFC 5321 4.1.2 (Path, Mailbox, Local-part, Domain,
// address-literal) with RFC 6531 3.3 (UTF-8 local parts and U-labels) when
// the transaction uses SMTPUTF8. Forms that old relays interpret as routing
// instructions are parsed, kept and flagged, so that mta can refuse them
// (554 5.7.1) instead of a later hop acting on them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mail/esmtp_params.hpp"

namespace gm::mail {

inline constexpr size_t kMaxLocalPart = 64;   // RFC 5321 4.5.3.1.1
inline constexpr size_t kMaxDomain = 255;     // RFC 5321 4.5.3.1.2
inline constexpr size_t kMaxPath = 256;       // RFC 5321 4.5.3.1.3, with < > and the route
inline constexpr size_t kMaxLabel = 63;       // RFC 1035 2.3.4
inline constexpr size_t kMaxSourceRoute = 8;  // hops in an A-d-l we bother to record

// Routing forms that an address may carry besides its plain mailbox.
struct RelayTricks {
  bool source_route = false;     // <@a,@b:user@c>          RFC 5321 4.1.2 A-d-l, C.
  bool percent_hack = false;     // <user%other@local>      RFC 1123 5.2.16
  bool bang_path = false;        // <host!user@local>       UUCP
  bool quoted_special = false;   // <"a@b"@local>: a quoted local part holding @ % or !
  bool address_literal = false;  // <user@[192.0.2.1]>, <user@[IPv6:...]>

  bool any() const {
    return source_route || percent_hack || bang_path || quoted_special || address_literal;
  }
};

struct Mailbox {
  std::string local_part;  // as given: a dot-string, or a quoted string with its quotes
  std::string domain;      // as given: a domain name or an address literal with [ ]

  std::string address() const { return local_part + "@" + domain; }
  bool domain_is_literal() const { return !domain.empty() && domain.front() == '['; }
  bool has_non_ascii() const;
};

// The local part with quoting removed ("a b" -> a b), for lookups.
std::string unquoted_local_part(std::string_view local_part);

struct Path {
  Mailbox mailbox;
  bool null = false;        // <>: the null reverse-path (bounces), MAIL only
  bool postmaster = false;  // RCPT TO:<Postmaster> without a domain (RFC 5321 4.1.1.3)
  std::vector<std::string> source_route;  // the domains of an A-d-l, in order (ignored)
  RelayTricks tricks;
};

struct PathOptions {
  // The transaction is SMTPUTF8 (RFC 6531): UTF-8 is allowed in local parts
  // and domains. For MAIL FROM, set `smtputf8_offered` instead: the
  // SMTPUTF8 parameter of the same command turns it on.
  bool smtputf8 = false;
  bool smtputf8_offered = false;
};

// "FROM:<path> params" (the text after "MAIL "); case-insensitive "FROM:".
struct MailFrom {
  Path path;
  EsmtpParams params;
};
// "TO:<path> params" (the text after "RCPT ").
struct RcptTo {
  Path path;
  EsmtpParams params;
};

// Errors carry the SMTP reply to send: Error{"5.1.7 text", 501} and the like,
// ready for reply_from_error() (smtp_reply.hpp).
Result<MailFrom> parse_mail_from(std::string_view argument, const PathOptions& options);
Result<RcptTo> parse_rcpt_to(std::string_view argument, const PathOptions& options);

// One bare path "<...>" (as in a queue file or sendmail -f), same rules.
Result<Path> parse_path(std::string_view text, bool allow_null, bool smtputf8);
// "user@domain" without brackets (sendmail arguments, aliases).
Result<Mailbox> parse_mailbox(std::string_view text, bool smtputf8);

// A domain name: LDH labels (RFC 5321 Domain), U-labels if smtputf8; no literal.
bool is_valid_domain(std::string_view domain, bool smtputf8);
// Well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace gm::mail
