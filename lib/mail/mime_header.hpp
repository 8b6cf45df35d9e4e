// RFC 5322 2.2 header blocks: fields "name: value", folded lines (2.2.3)
// unfolded, obsolete whitespace before the colon tolerated (4.5), lines
// without a colon skipped as Dovecot and most readers do. Bytes are kept as
// they are (8-bit headers, RFC 6532 UTF-8); RFC 2047 decoding is separate
// (mime_encoded_word.hpp).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gm::mail {

inline constexpr size_t kMaxHeaderFields = 5000;           // fields kept per header block
inline constexpr size_t kMaxHeaderFieldValue = 64 * 1024;  // unfolded bytes kept per field

struct HeaderField {
  std::string name;   // as written (compare with iequals)
  std::string value;  // unfolded: CR LF removed, leading whitespace of the value removed
};

// Unfolds a field body: every CRLF (or bare LF) followed by WSP is removed,
// leaving the WSP (RFC 5322 2.2.3); a trailing line end is dropped.
std::string unfold(std::string_view folded);

// Splits a header block (up to and including the empty line, or all bytes
// when there is none) into fields, in order; at most kMaxHeaderFields.
std::vector<HeaderField> parse_header_block(std::string_view block);

// The first field with this name (case-insensitive), or nullptr.
const HeaderField* find_field(std::span<const HeaderField> fields, std::string_view name);

// Raw text of the fields whose names are (or with exclude, are not) in
// names, each "name: value" as it stood in block, folded lines and CRLF
// kept; the empty line that ends a header is added as IMAP's
// HEADER.FIELDS asks (RFC 9051 6.4.5).
std::string select_fields(std::string_view block, std::span<const std::string> names, bool exclude);

}  // namespace gm::mail
