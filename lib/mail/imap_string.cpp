#include "mail/imap_string.hpp"

#include "core/str.hpp"
#include "mail/mime_charset.hpp"

namespace gm::mail {
namespace {

// RFC 9051 9: ATOM-CHAR is any CHAR except atom-specials.
bool is_atom_char(unsigned char c) {
  return c > 0x20 && c < 0x7f && std::string_view("(){%*\"\\]").find(c) == std::string_view::npos;
}

}  // namespace

bool can_quote(std::string_view s, bool utf8) {
  if (s.size() > kMaxQuotedLength) return false;
  bool eight_bit = false;
  for (unsigned char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
    eight_bit = eight_bit || c >= 0x80;
  }
  if (!eight_bit) return true;
  // RFC 9051 4.3: 8-bit in a quoted string only as valid UTF-8, and only to
  // clients that accept it.
  return utf8 && sanitize_utf8(s) == s;
}

void append_quoted(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

void append_literal(std::string& out, std::string_view s) {
  size_t nuls = 0;
  for (char c : s) nuls += c == '\0';
  out.append(str_cat("{", s.size() - nuls, "}\r\n"));
  for (char c : s)
    if (c != '\0') out.push_back(c);
}

void append_string(std::string& out, std::string_view s, bool utf8) {
  if (can_quote(s, utf8))
    append_quoted(out, s);
  else
    append_literal(out, s);
}

void append_nstring(std::string& out, std::optional<std::string_view> s, bool utf8) {
  if (s)
    append_string(out, *s, utf8);
  else
    out.append("NIL");
}

void append_astring(std::string& out, std::string_view s, bool utf8) {
  bool atom = !s.empty() && !iequals(s, "NIL");
  for (unsigned char c : s) atom = atom && is_atom_char(c);
  if (atom)
    out.append(s);
  else
    append_string(out, s, utf8);
}

}  // namespace gm::mail
