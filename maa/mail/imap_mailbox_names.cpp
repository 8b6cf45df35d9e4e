// Mailbox names on the wire: modified UTF-7 for IMAP4rev1 clients (RFC
// 3501 5.1.3), UTF-8 once IMAP4rev2 is enabled (RFC 9051 5.1). Inside the
// engine every name is UTF-8; mailbox_name.hpp refuses the ones that could
// leave the user's Maildir.
#include "imap_list_pattern.hpp"
#include "imap_session.hpp"
#include "mail/imap_string.hpp"
#include "mail/mailbox_name.hpp"
#include "mail/mutf7.hpp"

namespace gm::maa {

namespace {

bool has_8bit(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return true;
  return false;
}

}  // namespace

// Error code kBadName: answer BAD (syntax); else NO (refused name).
Result<std::string> ImapSession::read_mailbox_name(const mail::ImapArg& arg) const {
  if (!arg.is_astring()) return make_error("Mailbox name expected", kBadName);
  if (!enabled_.utf8_names() && has_8bit(arg.text))
    return make_error("8-bit mailbox name: IMAP4rev1 names are modified UTF-7", kBadName);
  auto utf8 = mail::mailbox_name_from_wire(arg.text, enabled_.utf8_names());
  if (!utf8) return make_error("Invalid mailbox name: " + utf8.error().message, kBadName);
  auto normal = mail::normalize_mailbox_name(*utf8);
  if (!normal) return make_error("Invalid mailbox name: " + normal.error().message);
  return std::move(*normal);
}

Result<std::string> ImapSession::read_pattern(const std::string& text) const {
  if (text.size() > kMaxListPattern) return make_error("LIST pattern too long");
  // Decoded like a name, but wildcards and the empty name are allowed.
  if (!enabled_.utf8_names() && has_8bit(text))
    return make_error("8-bit LIST pattern: IMAP4rev1 names are modified UTF-7");
  auto decoded = mail::mailbox_name_from_wire(text, enabled_.utf8_names());
  if (!decoded) return make_error("Invalid LIST pattern: " + decoded.error().message);
  return std::move(*decoded);
}

std::string ImapSession::wire_mailbox_name(std::string_view utf8) const {
  return mail::mailbox_name_to_wire(utf8, enabled_.utf8_names());
}

void ImapSession::append_mailbox_name(std::string& out, std::string_view utf8) const {
  mail::append_astring(out, wire_mailbox_name(utf8), enabled_.utf8_names());
}

ImapReply name_refused(const Error& error) {
  return error.code == kBadName ? imap_reply::syntax(error.message)
                                : imap_reply::cannot(error.message);
}

}  // namespace gm::maa
