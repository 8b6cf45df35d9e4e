// RFC 2047 encoded-words ("=?charset?Q?...?=", "=?charset*lang?B?...?="):
// decoded to UTF-8 for SEARCH and for display. Whitespace between two
// adjacent encoded-words is dropped (RFC 2047 6.2); words in an unknown
// charset or with bad encoding stay as written. Undecoded 8-bit bytes are
// taken as UTF-8 (RFC 6532) and replaced by U+FFFD where invalid.
#pragma once

#include <string>
#include <string_view>

namespace gm::mail {

// An unfolded header field value with its encoded-words decoded to UTF-8.
std::string decode_encoded_words(std::string_view unfolded);

}  // namespace gm::mail
