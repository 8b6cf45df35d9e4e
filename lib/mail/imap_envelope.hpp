// FETCH ENVELOPE (RFC 9051 7.5.2): "(date subject from sender reply-to to
// cc bcc in-reply-to message-id)" from a message header. Strings are sent
// as written (encoded-words not decoded, as the RFC asks); Sender and
// Reply-To default to From; address groups become the (NIL NIL "name" NIL)
// ... (NIL NIL NIL NIL) markers; an address field that does not parse gives
// what Dovecot gives for junk: its mailboxes as far as they can be read, or NIL.
#pragma once

#include <span>
#include <string>

#include "mail/mime_header.hpp"

namespace gm::mail {

// fields: the message header (MimePart::envelope_fields is enough).
std::string imap_envelope(std::span<const HeaderField> fields, bool utf8 = false);

}  // namespace gm::mail
