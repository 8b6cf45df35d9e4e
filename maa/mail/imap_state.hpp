// Where an IMAP session of maa-mail is (RFC 9051 3): it starts
// Authenticated (maa did the login), moves to Selected with SELECT/EXAMINE
// and ends in Logout. What the client turned on with ENABLE is a set of
// bits, not booleans spread over the session.
#pragma once

#include <cstdint>
#include <string_view>

namespace gm::maa {

enum class ImapState : uint8_t { kAuthenticated, kSelected, kLogout };

constexpr uint8_t state_bit(ImapState s) {
  return uint8_t(1u << static_cast<unsigned>(s));
}
inline constexpr uint8_t kAnyState =
    state_bit(ImapState::kAuthenticated) | state_bit(ImapState::kSelected);
inline constexpr uint8_t kSelectedOnly = state_bit(ImapState::kSelected);
// Commands of the Not Authenticated state: maa answered them before the
// handoff; here they are always "wrong state".
inline constexpr uint8_t kNeverHere = 0;

std::string_view state_name(ImapState s);

// RFC 5161 ENABLE: extensions that change how the server answers.
enum class ImapExtension : uint8_t {
  kImap4rev2 = 1,   // RFC 9051: UTF-8 names, no \Recent, ESEARCH answers
  kCondstore = 2,   // RFC 7162: MODSEQ in FETCH, HIGHESTMODSEQ
  kQresync = 4,     // RFC 7162: VANISHED instead of EXPUNGE
  kUtf8Accept = 8,  // RFC 6855: UTF-8 names and strings, APPEND UTF8 (~{n})
};

class EnabledSet {
 public:
  bool has(ImapExtension e) const { return bits_ & static_cast<uint8_t>(e); }
  void add(ImapExtension e) { bits_ |= static_cast<uint8_t>(e); }
  bool rev2() const { return has(ImapExtension::kImap4rev2); }
  // Names are UTF-8 on the wire once IMAP4rev2 or UTF8=ACCEPT is on.
  bool utf8_names() const { return rev2() || utf8_accept(); }
  bool utf8_accept() const { return has(ImapExtension::kUtf8Accept); }
  bool condstore() const { return has(ImapExtension::kCondstore) || qresync(); }
  bool qresync() const { return has(ImapExtension::kQresync); }

 private:
  uint8_t bits_ = 0;
};

// The input side: reading commands, a literal of a command, or the DONE
// that ends IDLE. Busy: a command is still writing its answer (a large
// FETCH continues when the output drains); input waits.
enum class ImapInput : uint8_t { kCommands, kLiteral, kIdle, kBusy };

}  // namespace gm::maa
