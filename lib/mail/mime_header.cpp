#include "mail/mime_header.hpp"

#include "core/str.hpp"

namespace gm::mail {
namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

// One physical header field: its folded lines, with the line end of the last.
struct RawField {
  std::string_view name;
  std::string_view text;  // the whole field, "name: value CRLF (WSP ... CRLF)*"
  size_t colon = 0;       // offset of ':' in text, npos when there is none
};

// Calls f(RawField) for each field of the block; stops at the empty line.
template <typename F>
void for_each_raw_field(std::string_view block, F&& f) {
  size_t pos = 0;
  while (pos < block.size()) {
    size_t start = pos;
    // A field runs until a line that does not start with WSP.
    for (;;) {
      size_t lf = block.find('\n', pos);
      pos = lf == std::string_view::npos ? block.size() : lf + 1;
      if (pos >= block.size() || !is_wsp(block[pos])) break;
    }
    std::string_view text = block.substr(start, pos - start);
    if (text == "\r\n" || text == "\n") return;  // the empty line ending the header
    size_t colon = text.find(':');
    size_t line_end = text.find('\n');
    if (colon != std::string_view::npos && colon < line_end) {
      std::string_view name = text.substr(0, colon);
      while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);  // RFC 5322 4.5
      if (!name.empty()) f(RawField{name, text, colon});
    }
  }
}

}  // namespace

std::string unfold(std::string_view folded) {
  std::string out;
  out.reserve(folded.size());
  for (size_t i = 0; i < folded.size(); ++i) {
    char c = folded[i];
    if (c == '\r' && i + 1 < folded.size() && folded[i + 1] == '\n') continue;
    if (c == '\n') continue;
    out.push_back(c);
  }
  return out;
}

std::vector<HeaderField> parse_header_block(std::string_view block) {
  std::vector<HeaderField> fields;
  for_each_raw_field(block, [&](const RawField& raw) {
    if (fields.size() >= kMaxHeaderFields) return;
    std::string value = unfold(raw.text.substr(raw.colon + 1));
    size_t skip = 0;
    while (skip < value.size() && is_wsp(value[skip])) ++skip;
    value.erase(0, skip);
    if (value.size() > kMaxHeaderFieldValue) value.resize(kMaxHeaderFieldValue);
    fields.push_back(HeaderField{std::string(raw.name), std::move(value)});
  });
  return fields;
}

const HeaderField* find_field(std::span<const HeaderField> fields, std::string_view name) {
  for (const HeaderField& field : fields)
    if (iequals(field.name, name)) return &field;
  return nullptr;
}

std::string select_fields(std::string_view block, std::span<const std::string> names,
                          bool exclude) {
  std::string out;
  for_each_raw_field(block, [&](const RawField& raw) {
    bool listed = false;
    for (const std::string& name : names) listed = listed || iequals(raw.name, name);
    if (listed == exclude) return;
    out.append(raw.text);
    if (out.back() != '\n') out.append("\r\n");  // a header cut off by the end of the message
  });
  out.append("\r\n");
  return out;
}

}  // namespace gm::mail
