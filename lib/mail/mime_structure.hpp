// The MIME structure of one message (RFC 2045, 2046): a tree of parts with
// the byte offset and size of each part's header and body and its line
// count, found by reading the message once through a bounded buffer, so a
// 50 MB message costs kMimeReadChunk plus its header fields in memory.
//
// Tree shape (the one IMAP's part numbers use, RFC 9051 6.4.5):
//   - a multipart part has its body parts as children (preamble and
//     epilogue are not parts);
//   - a message/rfc822 (or message/global) part has exactly one child: the
//     encapsulated message, whose header is the child's header;
//   - other parts have no children.
// Parsing never fails on bad MIME: a missing closing boundary ends the
// multipart at the end of its parent, an unknown type is a leaf, too deep
// nesting (kMaxMimeDepth) or too many parts (kMaxMimeParts) leaves the rest
// as the body of a leaf. Only a read error is an error.
// Reading blocks on the disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "mail/mime_header.hpp"
#include "mail/mime_params.hpp"
#include "mail/mime_source.hpp"

namespace gm::mail {

inline constexpr size_t kMaxMimeDepth = 50;       // multiparts/messages inside each other
inline constexpr size_t kMaxMimeParts = 10000;    // parts in one message
inline constexpr size_t kMaxBoundaryLength = 70;  // RFC 2046 5.1.1 (longer ones are still used)
inline constexpr size_t kMaxMimeHeaderBlock = 256 * 1024;  // header bytes examined per part

struct MimePart {
  uint64_t offset = 0;       // first byte of the part's header (of the message for the root)
  uint64_t header_size = 0;  // header including the empty line that ends it (if any)
  uint64_t body_size = 0;    // body, without the CRLF before the next boundary
  uint64_t body_lines = 0;   // lines of the body (RFC 9051 body-fld-lines)

  // Content-Type (RFC 2045 5.2 defaults: text/plain; charset=us-ascii, or
  // message/rfc822 inside multipart/digest). Lower case.
  std::string type = "text";
  std::string subtype = "plain";
  std::vector<MimeParam> params;
  bool has_content_type = false;  // false: the defaults above were used

  // Other MIME fields as written (unfolded), "" when absent.
  std::string id, description, encoding, md5, location, language;
  std::string disposition;  // lower case
  std::vector<MimeParam> disposition_params;

  // For a message header (the root and every message/rfc822 child): the
  // fields ENVELOPE needs (Date, Subject, From, Sender, Reply-To, To, Cc,
  // Bcc, In-Reply-To, Message-ID), unfolded. Empty for other parts.
  std::vector<HeaderField> envelope_fields;

  std::vector<MimePart> children;

  uint64_t body_offset() const { return offset + header_size; }
  uint64_t end() const { return body_offset() + body_size; }
  bool is_multipart() const { return type == "multipart"; }
  // message/rfc822 or message/global whose child is the encapsulated message.
  bool is_message() const { return !children.empty() && !is_multipart(); }
};

struct MimeStructure {
  MimePart root;  // the whole message: header and body
  size_t part_count = 0;
};

Result<MimeStructure> parse_mime(const MessageSource& source);

// Header fields of a part's header block (re-read from the source, at most
// kMaxMimeHeaderBlock bytes), for SEARCH HEADER and HEADER.FIELDS.
Result<std::vector<HeaderField>> read_header_fields(const MessageSource& source,
                                                    const MimePart& part);

}  // namespace gm::mail
