// Modified UTF-7 for IMAP mailbox names (RFC 3501 5.1.3) and the choice
// between it and plain UTF-8 (RFC 9051 5.1, RFC 6855 UTF8=ACCEPT). Strict:
// only the one canonical encoding of a name decodes, so two spellings can
// never name the same folder, and 8-bit octets in a mUTF-7 name are refused.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::mail {

// UTF-8 -> modified UTF-7; refuses invalid UTF-8.
Result<std::string> utf8_to_mutf7(std::string_view utf8);
// Modified UTF-7 -> UTF-8; refuses 8-bit and control octets, bad base64,
// unpaired surrogates, "&" sections that encode printable ASCII, and any
// other non-canonical spelling (adjacent sections, non-zero pad bits).
Result<std::string> mutf7_to_utf8(std::string_view mutf7);

// A mailbox name as the client sent it -> UTF-8. With UTF-8 on (IMAP4rev2
// or ENABLE UTF8=ACCEPT) the name is UTF-8 as is; otherwise it is mUTF-7.
// Control characters are refused either way.
Result<std::string> mailbox_name_from_wire(std::string_view wire, bool utf8_mode);
// UTF-8 mailbox name -> what the client expects to see ("" if not UTF-8).
std::string mailbox_name_to_wire(std::string_view utf8, bool utf8_mode);

}  // namespace gm::mail
