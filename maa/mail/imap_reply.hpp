// One place for every IMAP status response (STYLE.md): tagged and untagged
// OK/NO/BAD with their response codes (RFC 9051 7.1, RFC 5530), so the
// wording and codes stay the same across commands.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gm::maa {

enum class ImapStatus : uint8_t { kOk, kNo, kBad };

struct ImapReply {
  ImapStatus status = ImapStatus::kOk;
  std::string code;  // response code without brackets: "TRYCREATE", "UIDNEXT 5"; may be empty
  std::string text;
};

// "<tag> OK [code] text\r\n" (tag "*" for untagged). Control bytes in the
// text are replaced, so client-supplied text cannot inject a line.
std::string format_reply(std::string_view tag, const ImapReply& reply);
// "* BYE text\r\n" (RFC 9051 7.1.5), cleaned the same way.
std::string format_bye(std::string_view text);

namespace imap_reply {
ImapReply ok(std::string text, std::string code = {});
ImapReply no(std::string text, std::string code = {});
ImapReply bad(std::string text, std::string code = {});
ImapReply completed(std::string_view command);  // OK <COMMAND> completed
// RFC 9051 6: a command the current state does not allow.
ImapReply wrong_state(std::string_view command, std::string_view state);
ImapReply unknown_command(std::string_view name);
ImapReply syntax(std::string text);                    // BAD text
ImapReply nonexistent(std::string_view mailbox_kind);  // NO [NONEXISTENT]
ImapReply try_create();                                // NO [TRYCREATE]
ImapReply already_exists();                            // NO [ALREADYEXISTS]
ImapReply cannot(std::string text);                    // NO [CANNOT]
ImapReply limit(std::string text);                     // NO [LIMIT]
ImapReply over_quota();                                // NO [OVERQUOTA]
ImapReply too_big(std::string text);                   // NO [TOOBIG] (RFC 7889)
ImapReply server_bug(std::string text);                // NO [SERVERBUG]
ImapReply expunge_issued();                            // NO [EXPUNGEISSUED] / OK
ImapReply bad_charset();                               // NO [BADCHARSET (UTF-8 US-ASCII)]
}  // namespace imap_reply

}  // namespace gm::maa
