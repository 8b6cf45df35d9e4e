// One place for every POP3 status line (STYLE.md), for maa (before login)
// and maa-mail (after): RFC 1939 "+OK"/"-ERR", RFC 2449 response codes
// ([IN-USE], [SYS/TEMP], [SYS/PERM]) and RFC 3206 [AUTH], and the CAPA
// lists (RFC 2449 5) for each phase.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace gm::mail {

// RFC 2449 4: a status line is at most 512 octets with its CRLF.
inline constexpr size_t kMaxPop3StatusLine = 512;
// RFC 1939 3: the server's inactivity timer is at least 10 minutes.

enum class Pop3Code { kNone, kAuth, kInUse, kSysTemp, kSysPerm };

// "+OK text" / "-ERR [CODE] text", without CRLF; control bytes in text
// are replaced, so client-supplied text cannot start another line.
std::string pop3_ok(std::string_view text);
std::string pop3_err(std::string_view text, Pop3Code code = Pop3Code::kNone);

std::string pop3_greeting();         // +OK GoodMessaging POP3 ready
std::string pop3_unknown_command();  // -ERR Unknown command
std::string pop3_wrong_state();      // -ERR Command not valid in this state
std::string pop3_syntax_error(std::string_view detail);
std::string pop3_line_too_long();
std::string pop3_auth_failed();       // -ERR [AUTH] Authentication failed
std::string pop3_auth_unavailable();  // -ERR [SYS/TEMP] ...
std::string pop3_tls_required();      // -ERR [AUTH] ... TLS first
std::string pop3_logged_in();         // +OK Logged in
std::string pop3_in_use();            // -ERR [IN-USE] ...
std::string pop3_timeout();           // -ERR Disconnected for inactivity
std::string pop3_signing_off();       // +OK GoodMessaging POP3 signing off

struct Pop3LoginCapa {
  bool tls_active = false;
  bool tls_available = false;
  std::span<const std::string> mechanisms;
};
// The whole multi-line CAPA answer, "+OK ..." to ".", CRLFs included.
// Before login USER and SASL appear only under TLS (RFC 2595 2.3).
std::string pop3_capa_before_login(const Pop3LoginCapa& state);
std::string pop3_capa_after_login();

}  // namespace gm::mail
