// A folder's dovecot-keywords file: IMAP keywords mapped to the Maildir
// flag letters a-z ("<index> <name>" per line, index 0 = 'a'), the format
// Dovecot reads, so keywords survive a move to or from Dovecot.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace gm::mail {

// IMAP flag-keyword = atom (RFC 9051): no specials, no '\\', printable ASCII.
bool is_valid_keyword(std::string_view keyword);
// Names by letter index; a missing file is an empty list. Lines with bad
// indexes or names are skipped.
std::vector<std::string> read_keywords(const std::string& path);
Status write_keywords(const std::string& path, const std::vector<std::string>& names);
// The letter index of a keyword (case-insensitive, RFC 9051 2.3.2), or -1.
int keyword_index(const std::vector<std::string>& names, std::string_view keyword);

}  // namespace gm::mail
