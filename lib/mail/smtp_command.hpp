// SMTP server commands on one screen (STYLE.md): every command with the
// session states it is allowed in and the shape of its argument, and a pure
// dispatcher from a command line and a state to the command or the reply
// that refuses it. The session (smtp_server_session.cpp) pairs each verb
// with its check and proceed steps. Pure, for the unit tests and the fuzzer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "mail/smtp_reply.hpp"

namespace gm::mail {

// RFC 5321 4.5.3.1.4: a command line is at most 512 octets with its CRLF;
// like Postfix we take up to 1000 (RFC 5321 4.5.3.1.6 text line), as ESMTP
// parameters lengthen MAIL and RCPT. AUTH responses: auth/sasl_relay.hpp.
inline constexpr size_t kMaxCommandLine = 1000;
// RFC 5321 2.3.10 "rcpt" limit for one transaction: smtpd_recipient_limit.
inline constexpr size_t kMaxBdatSizeDigits = 20;

// Where a session is. kData/kAuth/kBusy take no commands: the DATA reader,
// the SASL exchange or a pending lookup or disk write has the input.
enum class SmtpState : uint8_t {
  kGreetPause,  // greeting delayed (smtpd_greet_pause); any input is an error
  kGreeted,     // 220 sent; EHLO/HELO expected
  kReady,       // after EHLO/HELO; no transaction
  kMailFrom,    // MAIL accepted, no recipient yet
  kRcptTo,      // at least one recipient accepted
  kBdat,        // BDAT chunks without LAST received
  kData,
  kAuth,
  kBusy,
};

enum class SmtpVerb : uint8_t {
  kEhlo,
  kHelo,
  kStartTls,
  kAuth,
  kMail,
  kRcpt,
  kData,
  kBdat,
  kRset,
  kNoop,
  kQuit,
  kVrfy,
  kHelp,
};

enum class ArgumentRule : uint8_t { kNone, kRequired, kOptional };

constexpr uint16_t state_bit(SmtpState s) {
  return uint16_t(1u << static_cast<unsigned>(s));
}
inline constexpr uint16_t kAfterGreeting =
    state_bit(SmtpState::kGreeted) | state_bit(SmtpState::kReady) |
    state_bit(SmtpState::kMailFrom) | state_bit(SmtpState::kRcptTo) | state_bit(SmtpState::kBdat);
inline constexpr uint16_t kNoTransaction = state_bit(SmtpState::kReady);
inline constexpr uint16_t kInTransaction =
    state_bit(SmtpState::kMailFrom) | state_bit(SmtpState::kRcptTo);

struct SmtpCommandSpec {
  std::string_view name;
  SmtpVerb verb;
  uint16_t states;  // state_bit()s in which the command may run
  ArgumentRule argument;
  // RFC 2920 3.1: a command after which the client must wait for the reply
  // before sending more.
  bool ends_group;
};

// clang-format off
inline constexpr std::array<SmtpCommandSpec, 13> kSmtpCommands = {{
    // name       verb                states                                   argument                 ends group
    {"EHLO",     SmtpVerb::kEhlo,     kAfterGreeting,                          ArgumentRule::kRequired, true},
    {"HELO",     SmtpVerb::kHelo,     kAfterGreeting,                          ArgumentRule::kRequired, true},
    {"STARTTLS", SmtpVerb::kStartTls, kNoTransaction,                          ArgumentRule::kNone,     true},
    {"AUTH",     SmtpVerb::kAuth,     kNoTransaction,                          ArgumentRule::kRequired, true},
    {"MAIL",     SmtpVerb::kMail,     kNoTransaction,                          ArgumentRule::kRequired, false},
    {"RCPT",     SmtpVerb::kRcpt,     kInTransaction,                          ArgumentRule::kRequired, false},
    {"DATA",     SmtpVerb::kData,     state_bit(SmtpState::kRcptTo),           ArgumentRule::kNone,     true},
    {"BDAT",     SmtpVerb::kBdat,     kAfterGreeting,                          ArgumentRule::kRequired, false},
    {"RSET",     SmtpVerb::kRset,     kAfterGreeting,                          ArgumentRule::kNone,     false},
    {"NOOP",     SmtpVerb::kNoop,     kAfterGreeting,                          ArgumentRule::kOptional, true},
    {"QUIT",     SmtpVerb::kQuit,     kAfterGreeting,                          ArgumentRule::kNone,     true},
    {"VRFY",     SmtpVerb::kVrfy,     kAfterGreeting,                          ArgumentRule::kRequired, true},
    {"HELP",     SmtpVerb::kHelp,     kAfterGreeting,                          ArgumentRule::kOptional, true},
}};
// clang-format on

const SmtpCommandSpec& command_spec(SmtpVerb verb);

struct SmtpCommand {
  const SmtpCommandSpec* spec = nullptr;
  std::string_view argument;  // after the verb and its space; trailing spaces removed
};

// The command in `line` if it may run in `state`, else the reply to send:
// 500 5.5.1 unknown, 500 5.5.2 syntax (NUL, 8-bit bytes in the verb), 501
// 5.5.4 argument present/missing, 503 5.5.1 out of order (with a hint),
// 554 5.5.1 DATA without any accepted recipient. BDAT is allowed in every
// state here: its size must be read even when refused, so the session
// checks its state itself.
std::variant<SmtpCommand, SmtpReply> dispatch_command(std::string_view line, SmtpState state);

// "BDAT <size> [LAST]" (RFC 3030 2): the chunk size and whether it is last.
struct BdatArgument {
  uint64_t size = 0;
  bool last = false;
};
std::optional<BdatArgument> parse_bdat_argument(std::string_view argument);

}  // namespace gm::mail
