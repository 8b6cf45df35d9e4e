// SEARCH helpers (RFC 9051 6.4.4): header field values and message text
// compared after decoding (RFC 2047 encoded-words, Content-Transfer-Encoding,
// charset to UTF-8), case-insensitively. Case folding is i;unicode-casemap
// (RFC 5051) best effort: ASCII, Latin-1 Supplement, Latin Extended-A,
// Greek and Cyrillic letters are folded; other characters compare as they are.
// Streaming: body text flows through bounded buffers. Reading blocks on the disk.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "mail/mime_source.hpp"
#include "mail/mime_structure.hpp"

namespace gm::mail {

// Case-folded UTF-8 (invalid bytes become U+FFFD first).
std::string casefold(std::string_view utf8);

// Finds a folded needle in text fed in chunks (the needle may straddle chunks).
class TextMatcher {
 public:
  // needle: UTF-8, folded here. An empty needle matches everything.
  explicit TextMatcher(std::string_view needle);
  // Feeds decoded UTF-8 (chunks may split a character); returns matched().
  bool feed(std::string_view utf8);
  bool matched() const { return matched_; }

 private:
  std::string needle_, window_;
  std::string pending_;  // an unfinished UTF-8 sequence from the last chunk
  bool matched_ = false;
};

// SEARCH HEADER name string / FROM / TO / CC / BCC / SUBJECT: whether any
// field called name in the message header has a decoded value containing
// needle. An empty needle matches when the field exists (RFC 9051 6.4.4).
Result<bool> header_contains(const MessageSource& source, const MimeStructure& structure,
                             std::string_view name, std::string_view needle);

// SEARCH BODY (with_headers false) / TEXT (true): whether the decoded text
// of any text part (and, for TEXT, any header field of the message or its
// parts) contains needle. Parts with an unknown charset are searched raw.
Result<bool> text_contains(const MessageSource& source, const MimeStructure& structure,
                           std::string_view needle, bool with_headers);

}  // namespace gm::mail
