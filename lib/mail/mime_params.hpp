// Content-Type and Content-Disposition values (RFC 2045 5.1, RFC 2183):
// "type/subtype; name=value; ..." with quoted strings and comments, and RFC
// 2231 parameter value continuations (name*0=, name*1*=) and charsets
// (name*=utf-8'en'%E2%82%AC), which are decoded and joined so callers see
// one plain UTF-8 value per name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gm::mail {

inline constexpr size_t kMaxMimeParams = 100;          // parameters kept per field
inline constexpr size_t kMaxParamContinuations = 100;  // RFC 2231 name*N sections

struct MimeParam {
  std::string name;   // lower case, without the RFC 2231 *N / * suffixes
  std::string value;  // unquoted; RFC 2231 values decoded to UTF-8 and joined
  // RFC 2231 with a charset: the sections joined but still encoded,
  // "charset'lang'%E2%82%AC" (what BODYSTRUCTURE sends as name*, as Dovecot
  // does, so 7-bit clients get 7-bit data). Empty otherwise.
  std::string extended_value;
};

struct MimeFieldValue {
  std::string value;              // "text/plain" or "attachment": lower case, may be empty
  std::vector<MimeParam> params;  // in order of first appearance
};

// Never fails: bad syntax ends the list at the first unreadable parameter,
// keeping what came before (mail in the wild is full of it).
MimeFieldValue parse_mime_field(std::string_view unfolded);

// The value of a parameter, or nullptr.
const std::string* find_param(const std::vector<MimeParam>& params, std::string_view name);

}  // namespace gm::mail
