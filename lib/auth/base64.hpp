// Base64 (RFC 4648 section 4, the standard alphabet with padding), strict:
// SASL (RFC 4422 section 4) and SCRAM (RFC 5802 section 7) carry binary data
// in it, and a lenient decoder would let two spellings mean one value.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace gm::auth {

// Largest decoded size accepted unless a caller asks for less; SASL
// exchanges and channel-binding data are far smaller.
inline constexpr size_t kBase64MaxDecoded = 64 * 1024;

std::string base64_encode(std::string_view bytes);

// Rejects characters outside the alphabet (including whitespace and line
// breaks), a length not a multiple of 4, padding anywhere but at the end,
// non-zero bits in the last character before padding (RFC 4648 3.5: a
// canonical encoding only), and input that decodes to more than max_decoded
// bytes. "" decodes to "".
Result<std::string> base64_decode(std::string_view text, size_t max_decoded = kBase64MaxDecoded);

}  // namespace gm::auth
