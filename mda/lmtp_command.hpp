// LMTP commands on one screen (RFC 2033; STYLE.md): each command with the
// states it may run in and the shape of its argument, and a pure
// dispatcher from a line and a state to the command or the refusing reply.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "mail/smtp_reply.hpp"

namespace gm::mda {

inline constexpr size_t kMaxLmtpCommandLine = 1000;  // as smtp_command.hpp
inline constexpr size_t kMaxLmtpRecipients = 1000;   // per transaction

// kBusy: a lookup or a disk write has the input; kData: the body is read.
enum class LmtpState : uint8_t { kGreeted, kReady, kMailFrom, kRcptTo, kData, kBusy };
enum class LmtpVerb : uint8_t { kLhlo, kMail, kRcpt, kData, kRset, kNoop, kQuit, kVrfy };
enum class LmtpArgument : uint8_t { kNone, kRequired, kOptional };

constexpr uint8_t lmtp_bit(LmtpState s) {
  return uint8_t(1u << static_cast<unsigned>(s));
}
inline constexpr uint8_t kLmtpAny = lmtp_bit(LmtpState::kGreeted) | lmtp_bit(LmtpState::kReady) |
                                    lmtp_bit(LmtpState::kMailFrom) | lmtp_bit(LmtpState::kRcptTo);
inline constexpr uint8_t kLmtpTransaction =
    lmtp_bit(LmtpState::kMailFrom) | lmtp_bit(LmtpState::kRcptTo);

struct LmtpCommandSpec {
  std::string_view name;
  LmtpVerb verb;
  uint8_t states;
  LmtpArgument argument;
};

// clang-format off
inline constexpr std::array<LmtpCommandSpec, 8> kLmtpCommands = {{
    // RFC 2033 4.1: LHLO replaces EHLO/HELO, which LMTP does not have.
    {"LHLO", LmtpVerb::kLhlo, kLmtpAny,                      LmtpArgument::kRequired},
    {"MAIL", LmtpVerb::kMail, lmtp_bit(LmtpState::kReady),   LmtpArgument::kRequired},
    {"RCPT", LmtpVerb::kRcpt, kLmtpTransaction,              LmtpArgument::kRequired},
    {"DATA", LmtpVerb::kData, lmtp_bit(LmtpState::kRcptTo),  LmtpArgument::kNone},
    {"RSET", LmtpVerb::kRset, kLmtpAny,                      LmtpArgument::kNone},
    {"NOOP", LmtpVerb::kNoop, kLmtpAny,                      LmtpArgument::kOptional},
    {"QUIT", LmtpVerb::kQuit, kLmtpAny,                      LmtpArgument::kNone},
    {"VRFY", LmtpVerb::kVrfy, kLmtpAny,                      LmtpArgument::kRequired},
}};
// clang-format on

struct LmtpCommand {
  const LmtpCommandSpec* spec = nullptr;
  std::string_view argument;  // trailing spaces removed
};

// The command, or 500 5.5.1 unknown / 500 5.5.2 control characters /
// 501 5.5.4 argument present or missing / 503 5.5.1 out of order
// (554 5.5.1 for DATA without an accepted recipient).
std::variant<LmtpCommand, mail::SmtpReply> dispatch_lmtp(std::string_view line, LmtpState state);

}  // namespace gm::mda
