// IMAP output of strings (RFC 9051 4.3, 4.5): quoted when the bytes allow
// it, else a literal; NIL for an absent nstring. Every IMAP response that
// carries message-derived text goes through here, so quoting is decided
// in one place.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gm::mail {

inline constexpr size_t kMaxQuotedLength = 1024;  // longer strings go out as literals

// Whether s can be sent as a quoted string: no CR, LF or NUL, not longer
// than kMaxQuotedLength, and 7-bit unless utf8 (IMAP4rev2 / UTF8=ACCEPT
// allow UTF-8 in quoted strings, RFC 9051 4.3).
bool can_quote(std::string_view s, bool utf8 = false);
// "s" with \ and " escaped (the caller checked can_quote).
void append_quoted(std::string& out, std::string_view s);
// {n}CRLF followed by s. NUL bytes are not allowed in a literal
// (RFC 9051 4.3); they are dropped here.
void append_literal(std::string& out, std::string_view s);
// Quoted if possible, else a literal.
void append_string(std::string& out, std::string_view s, bool utf8 = false);
// NIL for nullopt, else append_string.
void append_nstring(std::string& out, std::optional<std::string_view> s, bool utf8 = false);
// An atom when s is a non-empty run of ATOM-CHARs (and not "NIL"), else a string.
void append_astring(std::string& out, std::string_view s, bool utf8 = false);

}  // namespace gm::mail
