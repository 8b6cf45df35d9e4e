#include "mail/imap_section.hpp"

#include <algorithm>

#include "core/str.hpp"
#include "mail/imap_string.hpp"
#include "mail/mime_transfer_decoder.hpp"

namespace gm::mail {
namespace {

Error bad_section(std::string_view why) {
  return make_error(str_cat("bad section: ", why));
}
Error no_such_part() {
  return make_error("no such message part", kNoSuchPartError);
}

// header-list = "(" header-fld-name *(SP header-fld-name) ")", names astrings.
Result<std::vector<std::string>> parse_header_list(std::string_view s) {
  s = trim(s);
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') return bad_section("header list");
  s = s.substr(1, s.size() - 2);
  std::vector<std::string> names;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ' ') {
      ++i;
      continue;
    }
    std::string name;
    if (s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        name.push_back(s[i]);
      }
      if (i == s.size()) return bad_section("unterminated quoted name");
      ++i;
    } else {
      while (i < s.size() && s[i] != ' ') name.push_back(s[i++]);
    }
    if (name.empty()) return bad_section("empty header name");
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    names.push_back(std::move(name));
    if (names.size() > kMaxSectionFields) return bad_section("too many header names");
  }
  if (names.empty()) return bad_section("empty header list");
  return names;
}

// Where a part number leads: the part, and whether it stands for a whole
// message (the root, or an encapsulated message) rather than a body part.
struct Located {
  const MimePart* part = nullptr;
  bool message = false;
};

Located locate(const MimeStructure& structure, const std::vector<uint32_t>& number) {
  Located at{&structure.root, true};
  for (uint32_t n : number) {
    const MimePart* cur = at.part;
    // A message/rfc822 body part: its numbers address the encapsulated message.
    if (!at.message && cur->is_message()) cur = &cur->children.front();
    if (cur->is_multipart()) {
      if (n == 0 || n > cur->children.size()) return {};
      at = {&cur->children[n - 1], false};
    } else {
      // A single-part message has only part 1: its body. Dovecot takes
      // part 1 of a leaf body part to be the leaf itself; so do we.
      if (n != 1 || (cur == &structure.root && !at.message)) return {};
      at = {cur, false};
    }
  }
  return at;
}

SectionContent file_range(uint64_t offset, uint64_t length) {
  return SectionContent{offset, length, true, {}};
}

}  // namespace

std::string SectionSpec::canonical() const {
  std::string out;
  for (size_t i = 0; i < part.size(); ++i) out.append(str_cat(i ? "." : "", part[i]));
  auto add = [&](std::string_view text) {
    if (!out.empty()) out.push_back('.');
    out.append(text);
  };
  switch (text) {
    case Text::kNone:
      break;
    case Text::kHeader:
      add("HEADER");
      break;
    case Text::kText:
      add("TEXT");
      break;
    case Text::kMime:
      add("MIME");
      break;
    case Text::kHeaderFields:
    case Text::kHeaderFieldsNot:
      add(text == Text::kHeaderFields ? "HEADER.FIELDS (" : "HEADER.FIELDS.NOT (");
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out.push_back(' ');
        append_astring(out, fields[i]);
      }
      out.push_back(')');
      break;
  }
  return out;
}

Result<SectionSpec> parse_section(std::string_view text, bool binary) {
  SectionSpec spec;
  std::string_view rest = text;
  while (!rest.empty() && rest[0] >= '0' && rest[0] <= '9') {
    size_t dot = rest.find('.');
    std::string_view digits = rest.substr(0, dot);
    auto n = parse_number<uint32_t>(digits);
    if (!n || *n == 0 || digits[0] == '0') return bad_section("part number");
    spec.part.push_back(*n);
    if (spec.part.size() > kMaxSectionParts) return bad_section("part number too deep");
    if (dot == std::string_view::npos) return spec;
    rest.remove_prefix(dot + 1);
    if (rest.empty()) return bad_section("trailing dot");
  }
  if (rest.empty()) return spec;
  if (binary) return bad_section("BINARY takes part numbers only");
  size_t space = rest.find(' ');
  std::string keyword(rest.substr(0, space));
  for (char& c : keyword) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string_view list = space == std::string_view::npos ? "" : rest.substr(space + 1);
  using Text = SectionSpec::Text;
  if (keyword == "HEADER.FIELDS" || keyword == "HEADER.FIELDS.NOT") {
    auto names = parse_header_list(list);
    if (!names) return names.error();
    spec.fields = std::move(*names);
    spec.text = keyword == "HEADER.FIELDS" ? Text::kHeaderFields : Text::kHeaderFieldsNot;
    return spec;
  }
  if (space != std::string_view::npos) return bad_section("junk after section text");
  if (keyword == "HEADER")
    spec.text = Text::kHeader;
  else if (keyword == "TEXT")
    spec.text = Text::kText;
  else if (keyword == "MIME" && !spec.part.empty())
    spec.text = Text::kMime;
  else
    return bad_section("unknown section text");
  return spec;
}

Status parse_partial(std::string_view text, SectionSpec& spec) {
  if (text.size() < 5 || text.front() != '<' || text.back() != '>') return bad_section("partial");
  text = text.substr(1, text.size() - 2);
  size_t dot = text.find('.');
  if (dot == std::string_view::npos) return bad_section("partial needs <offset.count>");
  auto offset = parse_number<uint64_t>(text.substr(0, dot));
  auto count = parse_number<uint64_t>(text.substr(dot + 1));
  if (!offset || !count || *count == 0) return bad_section("partial numbers");
  spec.partial_offset = *offset;
  spec.partial_count = *count;
  return {};
}

const MimePart* find_part(const MimeStructure& structure, const std::vector<uint32_t>& number) {
  return locate(structure, number).part;
}

Result<SectionContent> resolve_section(const MimeStructure& structure, const MessageSource& source,
                                       const SectionSpec& spec) {
  using Text = SectionSpec::Text;
  Located at = locate(structure, spec.part);
  if (!at.part) return no_such_part();
  const MimePart& p = *at.part;
  if (spec.text == Text::kNone) {
    if (at.message) return file_range(0, source.size());
    return file_range(p.body_offset(), p.body_size);
  }
  if (spec.text == Text::kMime) return file_range(p.offset, p.header_size);
  // HEADER.. and TEXT: of the message itself or of a message/rfc822 part.
  const MimePart* message = at.message ? &p : (p.is_message() ? &p.children.front() : nullptr);
  if (!message) return no_such_part();
  switch (spec.text) {
    case Text::kHeader:
      return file_range(message->offset, message->header_size);
    case Text::kText:
      return file_range(message->body_offset(), message->body_size);
    default: {
      auto block = source.read_range(message->offset,
                                     std::min<uint64_t>(message->header_size, kMaxMimeHeaderBlock),
                                     kMaxMimeHeaderBlock);
      if (!block) return block.error();
      SectionContent content;
      content.from_file = false;
      content.built = select_fields(*block, spec.fields, spec.text == Text::kHeaderFieldsNot);
      return content;
    }
  }
}

SectionContent apply_partial(SectionContent content, const SectionSpec& spec) {
  if (!spec.partial_offset) return content;
  uint64_t size = content.size();
  uint64_t start = std::min(*spec.partial_offset, size);
  uint64_t length = std::min(spec.partial_count.value_or(size), size - start);
  if (content.from_file) {
    content.offset += start;
    content.length = length;
  } else {
    content.built = content.built.substr(static_cast<size_t>(start), static_cast<size_t>(length));
  }
  return content;
}

Status stream_section(const MessageSource& source, const SectionContent& content,
                      const std::function<Status(std::string_view)>& sink) {
  if (!content.from_file) return content.built.empty() ? Status() : sink(content.built);
  return source.stream_range(content.offset, content.length, sink);
}

namespace {

// Decodes the body of the part spec names, handing decoded chunks to sink.
Status decode_part(const MimeStructure& structure, const MessageSource& source,
                   const SectionSpec& spec, const std::function<Status(std::string_view)>& sink) {
  Located at = locate(structure, spec.part);
  if (!at.part) return no_such_part();
  if (spec.part.empty())  // BINARY[]: the whole message, nothing to decode
    return source.stream_range(0, source.size(), sink);
  const MimePart& p = *at.part;
  auto decoder = TransferDecoder::create(p.encoding);
  if (!decoder) return make_error("unknown Content-Transfer-Encoding", kUnknownCteError);
  std::string decoded;
  Status status = source.stream_range(p.body_offset(), p.body_size, [&](std::string_view chunk) {
    decoded.clear();
    decoder->feed(chunk, decoded);
    return decoded.empty() ? Status() : sink(decoded);
  });
  if (!status) return status;
  decoded.clear();
  decoder->finish(decoded);
  return decoded.empty() ? Status() : sink(decoded);
}

}  // namespace

Status stream_binary(const MimeStructure& structure, const MessageSource& source,
                     const SectionSpec& spec, const std::function<Status(std::string_view)>& sink) {
  if (!spec.partial_offset) return decode_part(structure, source, spec, sink);
  uint64_t position = 0;  // decoded bytes seen
  uint64_t start = *spec.partial_offset;
  uint64_t end = spec.partial_count ? start + *spec.partial_count : UINT64_MAX;
  return decode_part(structure, source, spec, [&](std::string_view chunk) -> Status {
    uint64_t chunk_start = position;
    position += chunk.size();
    if (position <= start || chunk_start >= end) return {};
    uint64_t from = start > chunk_start ? start - chunk_start : 0;
    uint64_t to = std::min<uint64_t>(chunk.size(), end - chunk_start);
    return sink(chunk.substr(static_cast<size_t>(from), static_cast<size_t>(to - from)));
  });
}

Result<uint64_t> binary_size(const MimeStructure& structure, const MessageSource& source,
                             const SectionSpec& spec, bool* has_nul) {
  uint64_t size = 0;
  bool nul = false;
  Status status = decode_part(structure, source, spec, [&](std::string_view chunk) {
    size += chunk.size();
    nul = nul || chunk.find('\0') != std::string_view::npos;
    return Status();
  });
  if (has_nul) *has_nul = nul;
  if (!status) return status.error();
  return size;
}

}  // namespace gm::mail
