#include "mail/mime_params.hpp"

#include <algorithm>
#include <optional>

#include "core/str.hpp"
#include "mail/mime_charset.hpp"
#include "mail/mime_hex.hpp"

namespace gm::mail {
namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// RFC 2045 5.1 token: no CTLs, space or tspecials.
bool is_token_char(unsigned char c) {
  return c > 0x20 && c != 0x7f &&
         std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  void skip_cfws() {
    while (i_ < s_.size()) {
      if (is_wsp(s_[i_])) {
        ++i_;
      } else if (s_[i_] == '(') {
        int depth = 0;
        for (; i_ < s_.size(); ++i_) {
          if (s_[i_] == '\\' && i_ + 1 < s_.size())  // a quoted pair; a last '\\' ends it
            ++i_;
          else if (s_[i_] == '(')
            ++depth;
          else if (s_[i_] == ')' && --depth == 0)
            break;
        }
        if (i_ < s_.size()) ++i_;
      } else {
        return;
      }
    }
  }
  bool take(char c) {
    skip_cfws();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  std::string token() {
    skip_cfws();
    size_t start = i_;
    while (i_ < s_.size() && is_token_char(static_cast<unsigned char>(s_[i_]))) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }
  // A quoted string, or (leniently) any run up to ';' or whitespace.
  std::optional<std::string> value() {
    skip_cfws();
    if (i_ < s_.size() && s_[i_] == '"') {
      std::string out;
      for (++i_; i_ < s_.size(); ++i_) {
        if (s_[i_] == '"') return ++i_, out;
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        out.push_back(s_[i_]);
      }
      return out;  // unterminated: take the rest, as readers do
    }
    size_t start = i_;
    while (i_ < s_.size() && s_[i_] != ';' && s_[i_] != '"' && !is_wsp(s_[i_])) ++i_;
    if (i_ == start) return std::nullopt;
    return std::string(s_.substr(start, i_ - start));
  }
  bool done() {
    skip_cfws();
    return i_ >= s_.size();
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// One RFC 2231 section "name*3*=value".
struct Section {
  std::string base;
  int index = -1;  // -1: no *N
  bool extended = false;
  std::string value;
};

Section split_name(std::string name, std::string value) {
  Section section{std::move(name), -1, false, std::move(value)};
  std::string& n = section.base;
  if (!n.empty() && n.back() == '*') {
    section.extended = true;
    n.pop_back();
  }
  size_t star = n.rfind('*');
  if (star != std::string::npos) {
    auto index = parse_number<int>(std::string_view(n).substr(star + 1));
    if (index && *index >= 0 && static_cast<size_t>(*index) < kMaxParamContinuations) {
      section.index = *index;
      n.resize(star);
    }
  }
  return section;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (is_token_char(c) && c != '%' && c != '*' && c != '\'') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// Joins the sections of one RFC 2231 parameter (sorted, from 0 without gaps).
MimeParam join_sections(std::vector<Section> sections) {
  std::sort(sections.begin(), sections.end(),
            [](const Section& a, const Section& b) { return a.index < b.index; });
  MimeParam param{sections.front().base, {}, {}};
  bool any_extended = false;
  for (const Section& s : sections) any_extended = any_extended || s.extended;
  std::string charset, language, raw, encoded;
  for (size_t i = 0; i < sections.size(); ++i) {
    const Section& s = sections[i];
    if (s.index != static_cast<int>(i) && !(i == 0 && s.index == -1)) break;  // gap
    std::string_view value = s.value;
    if (s.extended && i == 0) {
      size_t q1 = value.find('\''),
             q2 = q1 == std::string_view::npos ? q1 : value.find('\'', q1 + 1);
      if (q2 != std::string_view::npos) {
        charset = std::string(value.substr(0, q1));
        language = std::string(value.substr(q1 + 1, q2 - q1 - 1));
        value.remove_prefix(q2 + 1);
      }
    }
    raw += s.extended ? percent_decode(value) : std::string(value);
    encoded += s.extended ? std::string(value) : percent_encode(value);
  }
  if (!any_extended) {
    param.value = sanitize_utf8(raw);
    return param;
  }
  auto utf8 = charset_to_utf8(charset, raw);
  param.value = utf8 ? std::move(*utf8) : sanitize_utf8(raw);
  param.extended_value = str_cat(charset, "'", language, "'", encoded);
  return param;
}

}  // namespace

MimeFieldValue parse_mime_field(std::string_view unfolded) {
  MimeFieldValue out;
  Lexer lex(unfolded);
  std::string type = lex.token();
  if (lex.take('/')) type += "/" + lex.token();
  out.value = to_lower(type);

  std::vector<std::vector<Section>> groups;  // sections grouped by base name, in order
  while (lex.take(';')) {
    if (lex.done()) break;
    std::string name = to_lower(lex.token());
    if (name.empty() || !lex.take('=')) break;
    auto value = lex.value();
    if (!value) break;
    Section section = split_name(std::move(name), std::move(*value));
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const auto& g) { return g.front().base == section.base; });
    if (group == groups.end()) {
      if (groups.size() >= kMaxMimeParams) break;
      groups.push_back({std::move(section)});
    } else if (group->size() < kMaxParamContinuations) {
      bool duplicate = std::any_of(group->begin(), group->end(),
                                   [&](const Section& s) { return s.index == section.index; });
      // A plain name= next to name*= (a fallback for old readers): the RFC 2231 one wins.
      if (duplicate && section.index == -1 && section.extended)
        *group = {std::move(section)};
      else if (!duplicate)
        group->push_back(std::move(section));
    }
  }
  for (auto& group : groups) out.params.push_back(join_sections(std::move(group)));
  return out;
}

const std::string* find_param(const std::vector<MimeParam>& params, std::string_view name) {
  for (const MimeParam& p : params)
    if (iequals(p.name, name)) return &p.value;
  return nullptr;
}

}  // namespace gm::mail
