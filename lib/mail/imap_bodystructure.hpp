// FETCH BODY and BODYSTRUCTURE (RFC 9051 7.5.2, grammar "body" in 9):
// body-type-basic, body-type-text (with lines), body-type-msg (envelope,
// nested body, lines) and body-type-mpart, with the extension data
// (body-ext-1part: md5, disposition, language, location; body-ext-mpart:
// parameters, disposition, language, location) when extended.
#pragma once

#include <string>

#include "mail/mime_structure.hpp"

namespace gm::mail {

// BODY (extended = false) or BODYSTRUCTURE (extended = true) of a part,
// normally MimeStructure::root; the parenthesised list only.
std::string imap_bodystructure(const MimePart& part, bool extended, bool utf8 = false);

}  // namespace gm::mail
