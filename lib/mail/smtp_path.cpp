#include "mail/smtp_path.hpp"

#include <arpa/inet.h>

#include <string_view>

#include "core/str.hpp"

namespace gm::mail {
namespace {

// Which side of the envelope a path is: the enhanced code of a syntax error
// differs (RFC 3463 3.2: X.1.7 bad sender syntax, X.1.3 bad destination syntax).
struct Role {
  std::string_view enhanced;
  std::string_view noun;
};
constexpr Role kSender{"5.1.7", "sender"};
constexpr Role kRecipient{"5.1.3", "recipient"};

Error syntax(const Role& role, std::string_view why) {
  return make_error(str_cat(role.enhanced, " Bad ", role.noun, " address syntax: ", why), 501);
}

Error needs_smtputf8() {
  // RFC 6531 3.5: non-ASCII address without SMTPUTF8
  return make_error("5.6.7 Non-ASCII address requires SMTPUTF8", 553);
}

bool is_alpha(unsigned char c) {
  return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

// RFC 5322 3.2.3 atext (RFC 5321 Atom), plus UTF8-non-ascii (RFC 6531 3.3).
bool is_atext(unsigned char c, bool utf8) {
  if (c >= 0x80) return utf8;
  if (is_alpha(c) || is_digit(c)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
         std::string_view::npos;
}

bool has_high_bit(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return true;
  return false;
}

// RFC 5321 Quoted-string: DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE.
// Returns the length consumed, or 0 when malformed.
size_t scan_quoted(std::string_view s, bool utf8, RelayTricks& tricks) {
  for (size_t i = 1; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"') return i + 1;
    if (c == '\\') {
      if (++i == s.size()) return 0;
      c = static_cast<unsigned char>(s[i]);
      if (c < 32 || c > 126) return 0;  // quoted-pairSMTP = %d92 %d32-126
    } else if (c >= 0x80 ? !utf8 : (c < 32 || c > 126)) {
      return 0;
    }
    if (c == '@' || c == '%' || c == '!') tricks.quoted_special = true;
  }
  return 0;
}

// RFC 5321 Dot-string = Atom *("." Atom). Returns the length consumed.
size_t scan_dot_string(std::string_view s, bool utf8, RelayTricks& tricks) {
  size_t i = 0;
  for (;;) {
    size_t start = i;
    while (i < s.size() && is_atext(static_cast<unsigned char>(s[i]), utf8)) {
      if (s[i] == '%') tricks.percent_hack = true;
      if (s[i] == '!') tricks.bang_path = true;
      ++i;
    }
    if (i == start) return 0;  // empty atom: leading, trailing or double dot
    if (i == s.size() || s[i] != '.') return i;
    ++i;
  }
}

bool is_address_literal(std::string_view literal) {
  // RFC 5321 4.1.3; General-address-literal is not supported (no tags registered
  // that we could route by).
  if (literal.size() < 3 || literal.front() != '[' || literal.back() != ']') return false;
  std::string inner(literal.substr(1, literal.size() - 2));
  unsigned char buf[16];
  if (istarts_with(inner, "IPv6:")) return ::inet_pton(AF_INET6, inner.c_str() + 5, buf) == 1;
  return ::inet_pton(AF_INET, inner.c_str(), buf) == 1;
}

Result<std::string> parse_domain_part(std::string_view s, bool utf8, const Role& role,
                                      RelayTricks& tricks) {
  if (s.empty()) return syntax(role, "missing domain");
  if (s.size() > kMaxDomain) return syntax(role, "domain too long");
  if (s.front() == '[') {
    if (!is_address_literal(s)) return syntax(role, "bad address literal");
    tricks.address_literal = true;
  } else if (!is_valid_domain(s, utf8)) {
    return syntax(role, "bad domain");
  }
  return std::string(s);
}

// Mailbox = Local-part "@" ( Domain / address-literal ), the whole of `s`.
Result<Mailbox> parse_mailbox_as(std::string_view s, bool utf8, const Role& role,
                                 RelayTricks& tricks) {
  if (s.empty()) return syntax(role, "empty address");
  size_t n = s.front() == '"' ? scan_quoted(s, utf8, tricks) : scan_dot_string(s, utf8, tricks);
  if (n == 0) return syntax(role, "bad local part");
  if (n > kMaxLocalPart) return syntax(role, "local part longer than 64 octets");
  if (n == s.size() || s[n] != '@') return syntax(role, "missing @domain");
  auto domain = parse_domain_part(s.substr(n + 1), utf8, role, tricks);
  if (!domain) return domain.error();
  return Mailbox{std::string(s.substr(0, n)), std::move(*domain)};
}

// A-d-l = At-domain *( "," At-domain ) ":"   (RFC 5321 4.1.2, obsolete but legal)
Result<size_t> parse_source_route(std::string_view s, const Role& role, Path& path) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return syntax(role, "bad source route");
  for (const std::string& hop : split(s.substr(0, colon), ",")) {
    if (hop.size() < 2 || hop.front() != '@' || !is_valid_domain(hop.substr(1), false))
      return syntax(role, "bad source route");
    if (path.source_route.size() < kMaxSourceRoute) path.source_route.push_back(hop.substr(1));
  }
  if (path.source_route.empty() || s.substr(0, colon).find(",,") != std::string_view::npos ||
      s[colon - 1] == ',')
    return syntax(role, "bad source route");
  path.tricks.source_route = true;
  return colon + 1;
}

Result<Path> parse_path_as(std::string_view text, bool allow_null, bool utf8, const Role& role,
                           bool allow_postmaster) {
  if (text.size() > kMaxPath) return syntax(role, "path longer than 256 octets");
  if (text.size() < 2 || text.front() != '<' || text.back() != '>')
    return syntax(role, "address must be in <>");
  if (!utf8 && has_high_bit(text)) return needs_smtputf8();
  if (utf8 && !is_valid_utf8(text)) return syntax(role, "invalid UTF-8");
  std::string_view inner = text.substr(1, text.size() - 2);
  Path path;
  if (inner.empty()) {
    if (!allow_null) return syntax(role, "null address not allowed here");
    path.null = true;
    return path;
  }
  if (allow_postmaster && iequals(inner, "postmaster")) {
    path.postmaster = true;  // RFC 5321 4.1.1.3: <Postmaster> needs no domain
    path.mailbox.local_part = std::string(inner);
    return path;
  }
  if (inner.front() == '@') {
    auto used = parse_source_route(inner, role, path);
    if (!used) return used.error();
    inner.remove_prefix(*used);
  }
  auto mailbox = parse_mailbox_as(inner, utf8, role, path.tricks);
  if (!mailbox) return mailbox.error();
  path.mailbox = std::move(*mailbox);
  return path;
}

// Splits "<path> params" at the '>' that closes the path (a '>' may sit in a
// quoted local part).
Result<std::pair<std::string_view, std::string_view>> split_path(std::string_view s,
                                                                 const Role& role) {
  if (s.empty() || s.front() != '<') return syntax(role, "address must be in <>");
  bool quoted = false;
  for (size_t i = 1; i < s.size(); ++i) {
    if (quoted && s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (s[i] == '>' && !quoted) {
      std::string_view rest = s.substr(i + 1);
      if (!rest.empty() && rest.front() != ' ')
        return make_error("5.5.4 Syntax: space needed before parameters", 501);
      return std::pair{s.substr(0, i + 1), rest};
    }
  }
  return syntax(role, "missing >");
}

// "FROM:" / "TO:" then optional spaces (tolerated, as most servers do).
Result<std::string_view> strip_verb(std::string_view argument, std::string_view verb,
                                    std::string_view usage) {
  if (!istarts_with(argument, verb)) return make_error(str_cat("5.5.4 Syntax: ", usage), 501);
  argument.remove_prefix(verb.size());
  while (!argument.empty() && argument.front() == ' ') argument.remove_prefix(1);
  while (!argument.empty() && argument.back() == ' ') argument.remove_suffix(1);
  return argument;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > text.size()) return false;
    uint32_t cp = n == 1 ? c : c & (0x7f >> n);
    for (size_t k = 1; k < n; ++k) {
      unsigned char d = static_cast<unsigned char>(text[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n;
  }
  return true;
}

bool is_valid_domain(std::string_view domain, bool smtputf8) {
  if (domain.empty() || domain.size() > kMaxDomain) return false;
  if (!smtputf8 && has_high_bit(domain)) return false;
  if (smtputf8 && !is_valid_utf8(domain)) return false;
  size_t start = 0;
  for (;;) {
    size_t dot = domain.find('.', start);
    std::string_view label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > kMaxLabel) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    // RFC 5321 sub-domain = Let-dig [Ldh-str]; a U-label (RFC 5890) may hold
    // non-ASCII too (full IDNA2008 checks are not done).
    for (unsigned char c : label)
      if (c < 0x80 && !is_alpha(c) && !is_digit(c) && c != '-') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool Mailbox::has_non_ascii() const {
  return has_high_bit(local_part) || has_high_bit(domain);
}

std::string unquoted_local_part(std::string_view local_part) {
  if (local_part.size() < 2 || local_part.front() != '"') return std::string(local_part);
  std::string out;
  for (size_t i = 1; i + 1 < local_part.size(); ++i) {
    if (local_part[i] == '\\' && i + 2 < local_part.size()) ++i;
    out.push_back(local_part[i]);
  }
  return out;
}

Result<Path> parse_path(std::string_view text, bool allow_null, bool smtputf8) {
  return parse_path_as(text, allow_null, smtputf8, allow_null ? kSender : kRecipient, false);
}

Result<Mailbox> parse_mailbox(std::string_view text, bool smtputf8) {
  if (!smtputf8 && has_high_bit(text)) return needs_smtputf8();
  if (smtputf8 && !is_valid_utf8(text)) return syntax(kRecipient, "invalid UTF-8");
  RelayTricks tricks;
  return parse_mailbox_as(text, smtputf8, kRecipient, tricks);
}

Result<MailFrom> parse_mail_from(std::string_view argument, const PathOptions& options) {
  auto rest = strip_verb(argument, "FROM:", "MAIL FROM:<address> [parameters]");
  if (!rest) return rest.error();
  auto parts = split_path(*rest, kSender);
  if (!parts) return parts.error();
  auto params = parse_esmtp_params(parts->second, options.smtputf8_offered);
  if (!params) return params.error();
  bool utf8 = options.smtputf8 || (options.smtputf8_offered && params->find("SMTPUTF8"));
  if (!utf8 && has_high_bit(parts->second)) return needs_smtputf8();
  auto path = parse_path_as(parts->first, true, utf8, kSender, false);
  if (!path) return path.error();
  return MailFrom{std::move(*path), std::move(*params)};
}

Result<RcptTo> parse_rcpt_to(std::string_view argument, const PathOptions& options) {
  auto rest = strip_verb(argument, "TO:", "RCPT TO:<address> [parameters]");
  if (!rest) return rest.error();
  auto parts = split_path(*rest, kRecipient);
  if (!parts) return parts.error();
  auto params = parse_esmtp_params(parts->second, options.smtputf8);
  if (!params) return params.error();
  auto path = parse_path_as(parts->first, false, options.smtputf8, kRecipient, true);
  if (!path) return path.error();
  return RcptTo{std::move(*path), std::move(*params)};
}

}  // namespace gm::mail
