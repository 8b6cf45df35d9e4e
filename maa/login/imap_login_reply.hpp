// Every IMAP response the login process (maa) sends before the handoff, in
// one place: greeting, tagged results with RFC 5530 response codes, BYE.
// Text from the client (tags) is checked by the parser (ImapCommandReader
// accepts only valid tags), so it cannot start a new line.
#pragma once

#include <string>
#include <string_view>

namespace gm::maa {

std::string imap_greeting(std::string_view capabilities);  // * OK [CAPABILITY ..] ...
std::string imap_ok(std::string_view tag, std::string_view text);
std::string imap_ok_code(std::string_view tag, std::string_view code, std::string_view text);
std::string imap_no(std::string_view tag, std::string_view code, std::string_view text);
// An empty tag gives the untagged "* BAD" (RFC 9051 7.1.5).
std::string imap_bad(std::string_view tag, std::string_view text);
std::string imap_bye(std::string_view text);
std::string imap_untagged(std::string_view text);  // "* <text>"
std::string imap_continue(std::string_view text);  // "+ <text>"

// The usual login-phase answers.
std::string imap_auth_failed(std::string_view tag);       // NO [AUTHENTICATIONFAILED]
std::string imap_auth_unavailable(std::string_view tag);  // NO [UNAVAILABLE]
std::string imap_privacy_required(std::string_view tag);  // NO [PRIVACYREQUIRED]
std::string imap_logged_in(std::string_view tag, std::string_view capabilities);

}  // namespace gm::maa
