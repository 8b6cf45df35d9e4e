// The line maa (the unprivileged login process) sends to maa-mail (which
// runs as the mailbox owner) once a client has authenticated, before the
// two start relaying the client's bytes (maa(8), maa-mail(8)):
//   GMHANDOFF 1 proto=imap user=<addr> maildir=<abs path> client=<ip>
//     tls=<version/cipher or none> session=<log id> tag=<imap tag>\r\n
// Every value is percent-encoded (%XX for '%', space, CR, LF and every
// byte outside printable ASCII), so a value can never end the line or
// smuggle another field. maa-mail answers nothing; the client already has
// its "logged in" reply from maa.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::mail {

inline constexpr std::string_view kHandoffMagic = "GMHANDOFF";
inline constexpr int kHandoffVersion = 1;
// Longest handoff line, CRLF excluded; every value is short (an address,
// a path under mail_dir, an IMAP tag), so 4 KiB is generous.
inline constexpr size_t kMaxHandoffLine = 4096;
inline constexpr size_t kMaxHandoffValue = 1024;

enum class AccessProtocol { kImap, kPop3 };

struct MaaHandoff {
  AccessProtocol protocol = AccessProtocol::kImap;
  std::string user;     // the authenticated account, "alice@example.test"
  std::string maildir;  // absolute path of the user's Maildir root
  std::string client;   // the client's IP address; "" for a local client
  std::string tls;      // "TLSv1.3/TLS_AES_256_GCM_SHA384", or "none"
  std::string session;  // maa's log id of the connection, so both logs line up
  std::string tag;      // IMAP: tag of the LOGIN/AUTHENTICATE; POP3: ""
  bool operator==(const MaaHandoff&) const = default;
};

std::string_view protocol_name(AccessProtocol protocol);  // "imap", "pop3"

// %XX for '%', space, CR, LF, controls and bytes >= 0x7f.
std::string percent_encode(std::string_view value);
// Refuses a '%' not followed by two hex digits.
Result<std::string> percent_decode(std::string_view value);

// The whole line, CRLF included.
std::string format_handoff(const MaaHandoff& handoff);
// One line without its CRLF. Every field must be there exactly once, the
// maildir absolute, the user not empty; unknown fields are refused.
Result<MaaHandoff> parse_handoff(std::string_view line);

}  // namespace gm::mail
