// BODY[section]<partial>, BINARY[section]<partial> and BINARY.SIZE[section]
// (RFC 9051 6.4.5, RFC 3516): parses the section text and resolves it to
// the bytes to send, streamed from the message file.
//
// Part numbers: part "1" of a non-multipart message is its body; part N of
// a message/rfc822 part addresses the encapsulated message's parts.
// HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT and TEXT apply to the message
// itself or to a message/rfc822 part; MIME to a numbered part.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "mail/mime_source.hpp"
#include "mail/mime_structure.hpp"

namespace gm::mail {

inline constexpr size_t kMaxSectionParts = 100;    // 1.2.3... depth of a part number
inline constexpr size_t kMaxSectionFields = 1000;  // names in HEADER.FIELDS (...)
inline constexpr int kUnknownCteError = 3516;      // Error::code: reply NO [UNKNOWN-CTE]
inline constexpr int kNoSuchPartError = 9051;      // Error::code: part number that does not exist

struct SectionSpec {
  enum class Text { kNone, kHeader, kHeaderFields, kHeaderFieldsNot, kText, kMime };
  std::vector<uint32_t> part;  // empty: the whole message
  Text text = Text::kNone;
  std::vector<std::string> fields;  // HEADER.FIELDS names, upper case as IMAP echoes them
  std::optional<uint64_t> partial_offset, partial_count;  // <o.n>

  // "1.2.HEADER.FIELDS (DATE FROM)" as it goes back in the FETCH response,
  // without brackets and partial (the response then says <o> itself).
  std::string canonical() const;
};

// The text between "[" and "]" ("", "HEADER", "1.2.MIME", "3.HEADER.FIELDS
// (A B)", ...). binary: BINARY[] allows part numbers only (RFC 3516 4.2).
Result<SectionSpec> parse_section(std::string_view text, bool binary = false);
// "<o.n>" after the "]" (both numbers required, n > 0 per RFC 9051 grammar).
Status parse_partial(std::string_view text, SectionSpec& spec);

// What BODY[section] returns before <partial> is applied: bytes from the
// message file, or bytes built in memory (header field subsets).
struct SectionContent {
  uint64_t offset = 0;  // in the file, when built is empty and from_file
  uint64_t length = 0;
  bool from_file = true;
  std::string built;

  uint64_t size() const { return from_file ? length : built.size(); }
};

// Resolves spec (part and text; partial is ignored here). Error with
// kNoSuchPartError when the part does not exist (or HEADER/TEXT name a part
// that is not message/rfc822): Dovecot then answers an empty string
// ("BODY[4] {0}"), and so should the engine; kNoSuchPartError from the
// BINARY functions likewise.
Result<SectionContent> resolve_section(const MimeStructure& structure, const MessageSource& source,
                                       const SectionSpec& spec);

// Applies spec's <o.n> to content (the result may be empty).
SectionContent apply_partial(SectionContent content, const SectionSpec& spec);

// Streams content to sink in bounded chunks.
Status stream_section(const MessageSource& source, const SectionContent& content,
                      const std::function<Status(std::string_view)>& sink);

// BINARY[part]: the part's body with its Content-Transfer-Encoding
// removed, streamed to sink, with <partial> from spec applied to the
// decoded bytes. Error kUnknownCteError for an encoding we cannot decode.
Status stream_binary(const MimeStructure& structure, const MessageSource& source,
                     const SectionSpec& spec, const std::function<Status(std::string_view)>& sink);
// BINARY.SIZE[part]: the decoded size (one decoding pass, nothing kept).
// has_nul, when given, says whether the decoded bytes contain NUL: the
// engine must then send BINARY[] as literal8 "~{n}" (RFC 3516 4.3 and its
// grammar); it may always use literal8 for BINARY.
Result<uint64_t> binary_size(const MimeStructure& structure, const MessageSource& source,
                             const SectionSpec& spec, bool* has_nul = nullptr);

// The part a part number names (empty: the root), or nullptr.
const MimePart* find_part(const MimeStructure& structure, const std::vector<uint32_t>& number);

}  // namespace gm::mail
