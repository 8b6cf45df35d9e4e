#include "mail/mime_search.hpp"

#include "core/str.hpp"
#include "mail/mime_charset.hpp"
#include "mail/mime_encoded_word.hpp"
#include "mail/mime_transfer_decoder.hpp"

namespace gm::mail {
namespace {

constexpr int kMatchedStop = -1;  // Error::code that ends a stream early on a match

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Simple case folding (Unicode CaseFolding.txt, C and F entries) for the
// scripts listed in mime_search.hpp.
void fold_into(std::string& out, char32_t c) {
  if (c >= 'A' && c <= 'Z') return out.push_back(static_cast<char>(c + 32));
  if (c < 0x80) return out.push_back(static_cast<char>(c));
  if (c == 0xDF) {
    out.append("ss");
    return;
  }
  if (c == 0xB5)
    c = 0x3BC;  // micro sign
  else if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
    c += 0x20;
  else if (c == 0x178)
    c = 0xFF;
  else if (c == 0x17F)
    c = 's';
  else if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
    c |= 1;
  else if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
    c += (c & 1);
  else if ((c >= 0x391 && c <= 0x3A9 && c != 0x3A2))
    c += 0x20;
  else if (c == 0x3C2)
    c = 0x3C3;  // final sigma
  else if (c >= 0x410 && c <= 0x42F)
    c += 0x20;
  else if (c >= 0x400 && c <= 0x40F)
    c += 0x50;
  append_utf8(out, c);
}

// Decodes valid UTF-8 (the input is sanitized first).
std::string fold_valid(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {  // a run of ASCII, lowered in place (the common case)
      size_t end = i;
      while (end < s.size() && static_cast<unsigned char>(s[end]) < 0x80) ++end;
      size_t at = out.size();
      out.append(s.substr(i, end - i));
      for (size_t k = at; k < out.size(); ++k)
        if (out[k] >= 'A' && out[k] <= 'Z') out[k] = static_cast<char>(out[k] + 32);
      i = end;
      continue;
    }
    int n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    char32_t c = n == 1 ? b : b & (0x7F >> n);
    for (int k = 1; k < n && i + k < s.size(); ++k) c = (c << 6) | (s[i + k] & 0x3F);
    fold_into(out, c);
    i += n;
  }
  return out;
}

// Bytes at the end of s that may start an unfinished UTF-8 sequence.
size_t unfinished_tail(std::string_view s) {
  for (size_t back = 1; back <= 3 && back <= s.size(); ++back) {
    unsigned char b = static_cast<unsigned char>(s[s.size() - back]);
    if ((b & 0xC0) == 0x80) continue;
    int n = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    return static_cast<size_t>(n) > back ? back : 0;
  }
  return 0;
}

Error matched() {
  return make_error("matched", kMatchedStop);
}

// Feeds a part's decoded body text to matcher; stops early on a match.
Status search_body(const MessageSource& source, const MimePart& part, TextMatcher& matcher) {
  auto transfer = TransferDecoder::create(part.encoding);
  TransferDecoder decoder =
      transfer ? *transfer : TransferDecoder(TransferDecoder::Kind::kIdentity);
  const std::string* name = find_param(part.params, "charset");
  auto created = CharsetDecoder::create(name ? *name : "");
  auto charset = created ? std::move(created) : CharsetDecoder::create("");
  std::string decoded, utf8;
  auto push = [&](bool last) -> Status {
    utf8.clear();
    charset->feed(decoded, utf8);
    if (last) charset->finish(utf8);
    decoded.clear();
    return matcher.feed(utf8) ? Status(matched()) : Status();
  };
  Status s = source.stream_range(part.body_offset(), part.body_size, [&](std::string_view chunk) {
    decoder.feed(chunk, decoded);
    return push(false);
  });
  if (!s) return s;
  decoder.finish(decoded);
  return push(true);
}

Status search_headers(const MessageSource& source, const MimePart& part, TextMatcher& matcher) {
  auto fields = read_header_fields(source, part);
  if (!fields) return fields.error();
  for (const HeaderField& f : *fields) {
    if (matcher.feed(str_cat(f.name, ": ", decode_encoded_words(f.value), "\n"))) return matched();
  }
  return {};
}

Status search_part(const MessageSource& source, const MimePart& part, TextMatcher& matcher,
                   bool headers) {
  if (headers)
    if (Status s = search_headers(source, part, matcher); !s) return s;
  if (part.is_multipart()) {
    for (const MimePart& child : part.children)
      if (Status s = search_part(source, child, matcher, false); !s) return s;
    return {};
  }
  // The header of an encapsulated message is text of the enclosing body.
  if (part.is_message()) return search_part(source, part.children.front(), matcher, true);
  if (part.type == "text") return search_body(source, part, matcher);
  return {};
}

}  // namespace

std::string casefold(std::string_view utf8) {
  return fold_valid(sanitize_utf8(utf8));
}

TextMatcher::TextMatcher(std::string_view needle) : needle_(casefold(needle)) {
  matched_ = needle_.empty();
}

bool TextMatcher::feed(std::string_view utf8) {
  if (matched_) return true;
  std::string joined = std::move(pending_);
  joined.append(utf8);
  size_t tail = unfinished_tail(joined);
  pending_ = joined.substr(joined.size() - tail);
  joined.resize(joined.size() - tail);
  window_.append(casefold(joined));
  if (window_.find(needle_) != std::string::npos) return matched_ = true;
  // Keep what could be the start of a match that continues in the next chunk.
  if (window_.size() >= needle_.size()) window_.erase(0, window_.size() - needle_.size() + 1);
  return false;
}

Result<bool> header_contains(const MessageSource& source, const MimeStructure& structure,
                             std::string_view name, std::string_view needle) {
  auto fields = read_header_fields(source, structure.root);
  if (!fields) return fields.error();
  for (const HeaderField& f : *fields) {
    if (!iequals(f.name, name)) continue;
    TextMatcher matcher(needle);
    if (matcher.feed(decode_encoded_words(f.value))) return true;
  }
  return false;
}

Result<bool> text_contains(const MessageSource& source, const MimeStructure& structure,
                           std::string_view needle, bool with_headers) {
  TextMatcher matcher(needle);
  if (matcher.matched()) return true;
  Status s = search_part(source, structure.root, matcher, with_headers);
  if (!s && s.error().code != kMatchedStop) return s.error();
  return matcher.matched();
}

}  // namespace gm::mail
