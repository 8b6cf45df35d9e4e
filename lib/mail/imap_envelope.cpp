#include "mail/imap_envelope.hpp"

#include <algorithm>
#include <optional>

#include "core/str.hpp"
#include "mail/header_address.hpp"
#include "mail/imap_string.hpp"

namespace gm::mail {
namespace {

// RFC 9051 7.5.2: what Dovecot and Cyrus send for an address without one part.
constexpr std::string_view kMissingMailbox = "MISSING_MAILBOX";
constexpr std::string_view kMissingDomain = "MISSING_DOMAIN";

std::optional<std::string_view> nonempty(std::string_view s) {
  if (s.empty()) return std::nullopt;
  return s;
}

void append_address(std::string& out, const HeaderMailbox& m, bool utf8) {
  out.push_back('(');
  append_nstring(out, nonempty(m.display_name), utf8);
  out.append(" NIL ");  // addr-adl: source routes are obsolete and not kept
  append_nstring(out, m.local_part.empty() ? kMissingMailbox : std::string_view(m.local_part),
                 utf8);
  out.push_back(' ');
  append_nstring(out, m.domain.empty() ? kMissingDomain : std::string_view(m.domain), utf8);
  out.push_back(')');
}

// Splits at commas outside quotes, comments and angle brackets.
std::vector<std::string_view> split_list(std::string_view value) {
  std::vector<std::string_view> out;
  int depth = 0;  // ( ) and < >
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\')
      ++i;
    else if (c == '"')
      quoted = !quoted;
    else if (!quoted && (c == '(' || c == '<'))
      ++depth;
    else if (!quoted && (c == ')' || c == '>') && depth > 0)
      --depth;
    else if (!quoted && depth == 0 && c == ',') {
      out.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(value.substr(std::min(start, value.size())));
  return out;
}

// A list element that does not parse, shown as Dovecot shows junk so a
// client still sees something: "name" alone is a display name without
// mailbox and domain; "a@" and "@b" lack one part.
HeaderMailbox junk_mailbox(std::string_view text) {
  HeaderMailbox m;
  size_t at = text.rfind('@');
  if (at == std::string_view::npos) {
    m.display_name = std::string(text);
    return m;
  }
  m.local_part = std::string(trim(text.substr(0, at)));
  m.domain = std::string(trim(text.substr(at + 1)));
  if (m.local_part.find('@') != std::string::npos) m.local_part.clear();
  return m;
}

std::vector<HeaderAddress> salvage(std::string_view value) {
  std::vector<HeaderAddress> out;
  for (std::string_view piece : split_list(value)) {
    std::string_view text = trim(piece);
    if (text.empty()) continue;
    if (auto parsed = parse_address_list(text)) {
      for (HeaderAddress& a : *parsed) out.push_back(std::move(a));
    } else {
      out.push_back(HeaderAddress{false, {}, {junk_mailbox(text)}});
    }
    if (out.size() >= kMaxHeaderAddresses) break;
  }
  return out;
}

// env-from etc.: NIL, or a list of addresses with group markers.
void append_address_list(std::string& out, const HeaderField* field, bool utf8) {
  if (!field || trim(field->value).empty()) {
    out.append("NIL");
    return;
  }
  auto parsed = parse_address_list(field->value);
  std::vector<HeaderAddress> list = parsed ? std::move(*parsed) : salvage(field->value);
  if (list.empty()) {
    out.append("NIL");
    return;
  }
  out.push_back('(');
  for (const HeaderAddress& a : list) {
    if (!a.is_group) {
      for (const HeaderMailbox& m : a.mailboxes) append_address(out, m, utf8);
      continue;
    }
    // RFC 9051 7.5.2: group start (NIL NIL "name" NIL), group end (NIL NIL NIL NIL).
    out.append("(NIL NIL ");
    append_string(out, a.group_name, utf8);
    out.append(" NIL)");
    for (const HeaderMailbox& m : a.mailboxes) append_address(out, m, utf8);
    out.append("(NIL NIL NIL NIL)");
  }
  out.push_back(')');
}

void append_text_field(std::string& out, const HeaderField* field, bool utf8) {
  append_nstring(out, field ? std::optional<std::string_view>(field->value) : std::nullopt, utf8);
}

bool empty_field(const HeaderField* field) {
  return !field || trim(field->value).empty();
}

}  // namespace

std::string imap_envelope(std::span<const HeaderField> fields, bool utf8) {
  auto get = [&](std::string_view name) { return find_field(fields, name); };
  const HeaderField* from = get("from");
  // RFC 9051 7.5.2: absent or empty Sender and Reply-To take the From value.
  const HeaderField* sender = empty_field(get("sender")) ? from : get("sender");
  const HeaderField* reply_to = empty_field(get("reply-to")) ? from : get("reply-to");
  std::string out = "(";
  append_text_field(out, get("date"), utf8);
  out.push_back(' ');
  append_text_field(out, get("subject"), utf8);
  for (const HeaderField* f : {from, sender, reply_to, get("to"), get("cc"), get("bcc")}) {
    out.push_back(' ');
    append_address_list(out, f, utf8);
  }
  out.push_back(' ');
  append_text_field(out, get("in-reply-to"), utf8);
  out.push_back(' ');
  append_text_field(out, get("message-id"), utf8);
  out.push_back(')');
  return out;
}

}  // namespace gm::mail
