#include "mail/mime_structure.hpp"

#include <algorithm>
#include <array>

#include "core/str.hpp"
#include "mail/mime_line_scanner.hpp"

namespace gm::mail {
namespace {

constexpr std::array<std::string_view, 10> kEnvelopeFields = {
    "date", "subject", "from", "sender",      "reply-to",
    "to",   "cc",      "bcc",  "in-reply-to", "message-id"};

// Which enclosing boundary a line is, innermost first.
struct BoundaryMatch {
  size_t level = 0;
  bool closing = false;
};

void apply_content_fields(MimePart& part, const std::vector<HeaderField>& fields, bool in_digest) {
  if (in_digest) part.type = "message", part.subtype = "rfc822";
  for (const HeaderField& f : fields) {
    if (!istarts_with(f.name, "content-")) continue;
    std::string_view name = std::string_view(f.name).substr(8);
    if (iequals(name, "type")) {
      if (part.has_content_type) continue;  // the first one counts
      MimeFieldValue v = parse_mime_field(f.value);
      size_t slash = v.value.find('/');
      if (slash == std::string::npos || slash == 0 || slash + 1 == v.value.size()) continue;
      part.type = v.value.substr(0, slash);
      part.subtype = v.value.substr(slash + 1);
      part.params = std::move(v.params);
      part.has_content_type = true;
    } else if (iequals(name, "transfer-encoding")) {
      part.encoding = std::string(trim(f.value));
    } else if (iequals(name, "id")) {
      part.id = f.value;
    } else if (iequals(name, "description")) {
      part.description = f.value;
    } else if (iequals(name, "md5")) {
      part.md5 = std::string(trim(f.value));
    } else if (iequals(name, "location")) {
      part.location = f.value;
    } else if (iequals(name, "language")) {
      part.language = f.value;
    } else if (iequals(name, "disposition")) {
      MimeFieldValue v = parse_mime_field(f.value);
      part.disposition = std::move(v.value);
      part.disposition_params = std::move(v.params);
    }
  }
}

class MimeParser {
 public:
  explicit MimeParser(const MessageSource& source) : in_(source) {}

  Result<MimeStructure> run() {
    MimeStructure out;
    if (Status s = parse_part(out.root, false, true, 0); !s) return s.error();
    out.part_count = parts_;
    return out;
  }

 private:
  // The boundary the segment is a line of, if any.
  std::optional<BoundaryMatch> match(const LineSegment& s) const {
    if (!s.line_start || s.bytes.size() < 2 || s.bytes[0] != '-' || s.bytes[1] != '-')
      return std::nullopt;
    std::string_view rest = s.bytes.substr(2);
    for (size_t level = boundaries_.size(); level-- > 0;) {
      const std::string& b = boundaries_[level];
      if (rest.starts_with(b))  // prefix match, as Dovecot and most readers
        return BoundaryMatch{level, rest.substr(b.size()).starts_with("--")};
    }
    return std::nullopt;
  }

  // The boundary line the scanner stands at (nullopt: end of message).
  Result<std::optional<BoundaryMatch>> at_boundary() {
    auto s = in_.peek();
    if (!s) return s.error();
    if (!*s) return std::optional<BoundaryMatch>();
    return match(**s);
  }

  // Skips lines until a boundary line (left unconsumed) or the end.
  Result<std::optional<BoundaryMatch>> skip_to_boundary() {
    for (;;) {
      auto s = in_.peek();
      if (!s) return s.error();
      if (!*s) return std::optional<BoundaryMatch>();
      if (auto m = match(**s)) return m;
      in_.consume();
    }
  }

  Result<std::string> read_header() {
    std::string block;
    for (;;) {
      auto s = in_.peek();
      if (!s) return s.error();
      if (!*s || match(**s)) return block;
      LineSegment segment = **s;
      if (block.size() < kMaxMimeHeaderBlock)
        block.append(segment.bytes.substr(0, kMaxMimeHeaderBlock - block.size()));
      in_.consume();
      if (segment.is_empty_line()) return block;
    }
  }

  Status parse_part(MimePart& part, bool in_digest, bool message_header, size_t depth) {
    ++parts_;
    part.offset = in_.offset();
    auto block = read_header();
    if (!block) return block.error();
    part.header_size = in_.offset() - part.offset;
    std::vector<HeaderField> fields = parse_header_block(*block);
    apply_content_fields(part, fields, in_digest);
    if (message_header) {
      for (HeaderField& f : fields) {
        bool wanted = std::any_of(kEnvelopeFields.begin(), kEnvelopeFields.end(),
                                  [&](std::string_view n) { return iequals(n, f.name); });
        if (wanted) part.envelope_fields.push_back(std::move(f));
      }
    }

    uint64_t body_start = in_.offset();
    uint64_t feeds_start = in_.line_feeds();
    bool room = depth < kMaxMimeDepth && parts_ < kMaxMimeParts;
    const std::string* boundary = find_param(part.params, "boundary");
    Status status;
    if (room && part.is_multipart() && boundary && !boundary->empty() &&
        boundary->size() + 4 < kMimeLookahead) {
      status = parse_multipart(part, *boundary, depth);
    } else if (room && part.type == "message" &&
               (part.subtype == "rfc822" || part.subtype == "global")) {
      part.children.emplace_back();
      status = parse_part(part.children.back(), false, true, depth + 1);
    } else if (auto skipped = skip_to_boundary(); !skipped) {
      status = skipped.error();
    }
    if (!status) return status;

    // The line end before a boundary line belongs to the boundary (RFC 2046 5.1.1).
    auto at = at_boundary();
    if (!at) return at.error();
    uint64_t end = in_.offset();
    size_t eol = *at ? in_.last_line_end() : 0;
    bool eol_in_body = eol > 0 && end - eol >= body_start;
    // Unless the last sub-part took that line end as the empty line of its
    // header: parts must nest.
    if (eol_in_body && !part.children.empty() && part.children.back().end() == end)
      eol_in_body = false;
    part.body_size = (eol_in_body ? end - eol : end) - body_start;
    part.body_lines = in_.line_feeds() - feeds_start - (eol_in_body ? 1 : 0);
    return {};
  }

  Status parse_multipart(MimePart& part, const std::string& boundary, size_t depth) {
    boundaries_.push_back(boundary);
    size_t level = boundaries_.size() - 1;
    bool digest = part.subtype == "digest";
    auto m = skip_to_boundary();  // the preamble
    while (m && *m && (*m)->level == level && !(*m)->closing && parts_ < kMaxMimeParts) {
      in_.consume();  // the boundary line
      part.children.emplace_back();
      if (Status s = parse_part(part.children.back(), digest, false, depth + 1); !s) return s;
      m = at_boundary();
    }
    if (!m) return m.error();
    boundaries_.pop_back();
    if (*m && (*m)->level == level) {
      // The closing boundary, then the epilogue; or, with too many parts,
      // the rest of this multipart as its body.
      if ((*m)->closing) in_.consume();
      if (auto e = skip_to_boundary(); !e) return e.error();
    }
    return {};
  }

  MimeLineScanner in_;
  std::vector<std::string> boundaries_;
  size_t parts_ = 0;
};

}  // namespace

Result<MimeStructure> parse_mime(const MessageSource& source) {
  return MimeParser(source).run();
}

Result<std::vector<HeaderField>> read_header_fields(const MessageSource& source,
                                                    const MimePart& part) {
  auto block = source.read_range(
      part.offset, std::min<uint64_t>(part.header_size, kMaxMimeHeaderBlock), kMaxMimeHeaderBlock);
  if (!block) return block.error();
  return parse_header_block(*block);
}

}  // namespace gm::mail
