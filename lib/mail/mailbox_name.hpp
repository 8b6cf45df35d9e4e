// IMAP mailbox names (UTF-8, hierarchy separator '/') to Maildir++ folder
// directories and back: "INBOX" is the Maildir root, "Sent" is root/.Sent,
// "Archive/2024" is root/.Archive.2024 ('.' is Maildir++'s separator on
// disk, so a '.' inside a name component is refused). Names are stored on
// disk in UTF-8 (Dovecot's maildir ":UTF-8" layout option reads them).
// Refused: empty names or components ("a//b", "/a", "a/"), "." and ".."
// components, a '.' anywhere in a component, NUL and other control
// characters, '\\' (Maildir escapes like "\057" are never decoded here),
// the LIST wildcards '*' and '%', invalid or overlong UTF-8 (an overlong
// "/" such as C0 AF is an encoded slash), and names over kMaxMailboxName.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::mail {

inline constexpr char kImapHierarchySeparator = '/';
inline constexpr size_t kMaxMailboxName = 200;  // bytes of UTF-8, as mda's kMaxFolderName
inline constexpr size_t kMaxMailboxDepth = 16;  // components

// "INBOX" (any case), or a name whose first component is INBOX in any case,
// comes back with that component spelled "INBOX" (RFC 9051 5.1).
Result<std::string> normalize_mailbox_name(std::string_view imap_name_utf8);
// The directory name under the Maildir root: "" for INBOX, ".Archive.2024"
// for "Archive/2024".
Result<std::string> mailbox_dir_name(std::string_view imap_name_utf8);
// The IMAP name of a root entry (".Archive.2024" -> "Archive/2024"); an
// error for entries that are not folders of this naming (no leading '.',
// "." or "..", empty components, or bad UTF-8).
Result<std::string> mailbox_name_from_dir(std::string_view dir_entry);

}  // namespace gm::mail
