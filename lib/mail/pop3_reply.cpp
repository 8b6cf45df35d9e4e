#include "mail/pop3_reply.hpp"

#include "core/str.hpp"

namespace gm::mail {
namespace {

std::string_view code_text(Pop3Code code) {
  switch (code) {
    case Pop3Code::kNone:
      return "";
    case Pop3Code::kAuth:
      return "[AUTH] ";
    case Pop3Code::kInUse:
      return "[IN-USE] ";
    case Pop3Code::kSysTemp:
      return "[SYS/TEMP] ";
    case Pop3Code::kSysPerm:
      return "[SYS/PERM] ";
  }
  return "";
}

std::string status(std::string_view head, std::string_view text) {
  std::string line = str_cat(head, text);
  for (char& c : line)
    if (static_cast<unsigned char>(c) < ' ' || c == 0x7f) c = '?';
  if (line.size() > kMaxPop3StatusLine - 2) line.resize(kMaxPop3StatusLine - 2);
  return line;
}

// Capabilities every phase shares (RFC 2449 6).
constexpr std::string_view kCommonCapa =
    "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n";

}  // namespace

std::string pop3_ok(std::string_view text) {
  return status("+OK ", text);
}

std::string pop3_err(std::string_view text, Pop3Code code) {
  return status(str_cat("-ERR ", code_text(code)), text);
}

std::string pop3_greeting() {
  return pop3_ok("GoodMessaging POP3 ready");
}
std::string pop3_unknown_command() {
  return pop3_err("Unknown command");
}
std::string pop3_wrong_state() {
  return pop3_err("Command not valid in this state");
}
std::string pop3_syntax_error(std::string_view detail) {
  return pop3_err(str_cat("Syntax error: ", detail));
}
std::string pop3_line_too_long() {
  return pop3_err("Line too long");
}
std::string pop3_auth_failed() {
  return pop3_err("Authentication failed", Pop3Code::kAuth);
}
std::string pop3_auth_unavailable() {
  return pop3_err("Authentication service unavailable, try again later", Pop3Code::kSysTemp);
}
std::string pop3_tls_required() {
  return pop3_err("Plaintext authentication disallowed; use STLS first", Pop3Code::kAuth);
}
std::string pop3_logged_in() {
  return pop3_ok("Logged in");
}
std::string pop3_in_use() {
  return pop3_err("Mailbox is locked by another POP3 session", Pop3Code::kInUse);
}
std::string pop3_timeout() {
  return pop3_err("Disconnected for inactivity");
}
std::string pop3_signing_off() {
  return pop3_ok("GoodMessaging POP3 signing off");
}

std::string pop3_capa_before_login(const Pop3LoginCapa& state) {
  std::string out = str_cat("+OK Capability list follows\r\n", kCommonCapa);
  if (state.tls_available && !state.tls_active) out += "STLS\r\n";
  if (state.tls_active) {
    out += "USER\r\n";
    if (!state.mechanisms.empty()) {
      out += "SASL";
      for (const std::string& m : state.mechanisms) out += str_cat(" ", m);
      out += "\r\n";
    }
  }
  return out + "IMPLEMENTATION GoodMessaging\r\n.\r\n";
}

std::string pop3_capa_after_login() {
  return str_cat("+OK Capability list follows\r\n", kCommonCapa,
                 "IMPLEMENTATION GoodMessaging\r\n.\r\n");
}

}  // namespace gm::mail
