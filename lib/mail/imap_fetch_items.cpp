#include "mail/imap_fetch_items.hpp"

#include <algorithm>
#include <charconv>

#include "core/str.hpp"

namespace gm::mail {
namespace {

struct SimpleItem {
  std::string_view name;
  FetchAtt att;
};

constexpr SimpleItem kSimpleItems[] = {
    {"ENVELOPE", FetchAtt::kEnvelope},
    {"FLAGS", FetchAtt::kFlags},
    {"INTERNALDATE", FetchAtt::kInternalDate},
    {"RFC822", FetchAtt::kRfc822},
    {"RFC822.HEADER", FetchAtt::kRfc822Header},
    {"RFC822.SIZE", FetchAtt::kRfc822Size},
    {"RFC822.TEXT", FetchAtt::kRfc822Text},
    {"BODY", FetchAtt::kBody},
    {"BODYSTRUCTURE", FetchAtt::kBodyStructure},
    {"UID", FetchAtt::kUid},
    {"MODSEQ", FetchAtt::kModSeq},
};

// Items with a section, longest prefix first.
struct SectionItem {
  std::string_view prefix;  // up to and including '['
  FetchAtt att;
  bool peek;
};

constexpr SectionItem kSectionItems[] = {
    {"BODY.PEEK[", FetchAtt::kBodySection, true},
    {"BODY[", FetchAtt::kBodySection, false},
    {"BINARY.PEEK[", FetchAtt::kBinarySection, true},
    {"BINARY.SIZE[", FetchAtt::kBinarySize, false},
    {"BINARY[", FetchAtt::kBinarySection, false},
};

// RFC 9051 6.4.5 macros.
constexpr FetchAtt kFast[] = {FetchAtt::kFlags, FetchAtt::kInternalDate, FetchAtt::kRfc822Size};
constexpr FetchAtt kAll[] = {FetchAtt::kFlags, FetchAtt::kInternalDate, FetchAtt::kRfc822Size,
                             FetchAtt::kEnvelope};
constexpr FetchAtt kFull[] = {FetchAtt::kFlags, FetchAtt::kInternalDate, FetchAtt::kRfc822Size,
                              FetchAtt::kEnvelope, FetchAtt::kBody};

FetchItem item_of(FetchAtt att) {
  FetchItem item;
  item.att = att;
  return item;
}

bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 20 || s[0] < '0' || s[0] > '9') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool istarts(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// field-name (RFC 5322 3.6.8): printable ASCII except ':'.
bool valid_field_name(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f && c != ':'; });
}

// "(From "To" X-Y)" -> names; quoted names unquoted.
Status parse_field_list(std::string_view s, std::vector<std::string>& out) {
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') return make_error("Invalid header list");
  s = s.substr(1, s.size() - 2);
  while (!s.empty()) {
    if (s.front() == ' ') {
      s.remove_prefix(1);
      continue;
    }
    std::string name;
    if (s.front() == '"') {
      size_t i = 1;
      for (; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        name += s[i];
      }
      if (i >= s.size()) return make_error("Invalid header list");
      s.remove_prefix(i + 1);
    } else {
      size_t end = s.find(' ');
      name = std::string(s.substr(0, end));
      s.remove_prefix(end == std::string_view::npos ? s.size() : end);
    }
    if (!valid_field_name(name)) return make_error("Invalid header field name");
    out.push_back(std::move(name));
  }
  if (out.empty()) return make_error("Empty header list");
  return {};
}

// The part numbers at the start of a section; leaves the rest in s.
Status parse_part(std::string_view& s, std::vector<uint32_t>& part) {
  while (!s.empty() && s[0] >= '1' && s[0] <= '9') {
    size_t end = 0;
    while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
    uint32_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + end, n);
    if (ec != std::errc() || part.size() >= kImapMaxSectionParts)
      return make_error("Invalid section");
    part.push_back(n);
    s.remove_prefix(end);
    if (s.empty()) break;
    if (s[0] != '.') return make_error("Invalid section");
    s.remove_prefix(1);
    if (s.empty()) return make_error("Invalid section");
  }
  return {};
}

// section-spec (RFC 9051 9) between the brackets.
Status parse_section(std::string_view s, FetchItem& item) {
  if (auto st = parse_part(s, item.part); !st) return st;
  if (item.att != FetchAtt::kBodySection) {
    // section-binary = "[" [section-part] "]"
    return s.empty() ? Status() : make_error("Invalid BINARY section");
  }
  if (s.empty()) return {};
  if (!item.part.empty() && iequals(s, "MIME")) {
    item.text = SectionText::kMime;
  } else if (iequals(s, "HEADER")) {
    item.text = SectionText::kHeader;
  } else if (iequals(s, "TEXT")) {
    item.text = SectionText::kText;
  } else if (istarts(s, "HEADER.FIELDS.NOT ")) {
    item.text = SectionText::kHeaderFieldsNot;
    return parse_field_list(s.substr(18), item.fields);
  } else if (istarts(s, "HEADER.FIELDS ")) {
    item.text = SectionText::kHeaderFields;
    return parse_field_list(s.substr(14), item.fields);
  } else {
    return make_error("Invalid section");
  }
  return {};
}

// "<origin.length>"
Status parse_partial(std::string_view s, FetchItem& item) {
  if (s.empty()) return {};
  if (item.att == FetchAtt::kBinarySize || s.size() < 5 || s.front() != '<' || s.back() != '>')
    return make_error("Invalid partial");
  s = s.substr(1, s.size() - 2);
  size_t dot = s.find('.');
  uint64_t origin = 0;
  if (dot == std::string_view::npos || !parse_u64(s.substr(0, dot), origin) ||
      !parse_u64(s.substr(dot + 1), item.partial_length) || item.partial_length == 0)
    return make_error("Invalid partial");
  item.partial_origin = origin;
  return {};
}

Result<FetchItem> parse_section_item(std::string_view text) {
  for (const auto& spec : kSectionItems) {
    if (!istarts(text, spec.prefix)) continue;
    FetchItem item;
    item.att = spec.att;
    item.peek = spec.peek;
    std::string_view rest = text.substr(spec.prefix.size());
    size_t close = rest.rfind(']');
    if (close == std::string_view::npos) return make_error("Invalid section");
    if (auto st = parse_section(rest.substr(0, close), item); !st) return st.error();
    if (auto st = parse_partial(rest.substr(close + 1), item); !st) return st.error();
    return item;
  }
  return make_error("Unknown FETCH item");
}

Result<FetchItem> parse_item(const ImapArg& arg) {
  if (!arg.is_atom()) return make_error("Invalid FETCH item");
  for (const auto& s : kSimpleItems) {
    if (iequals(arg.text, s.name)) return item_of(s.att);
  }
  return parse_section_item(arg.text);
}

Status add_items(const ImapArg& arg, FetchRequest& request) {
  auto expand = [&](std::span<const FetchAtt> atts) {
    for (FetchAtt a : atts) request.items.push_back(item_of(a));
  };
  if (arg.atom_is("ALL")) {
    expand(kAll);
  } else if (arg.atom_is("FAST")) {
    expand(kFast);
  } else if (arg.atom_is("FULL")) {
    expand(kFull);
  } else if (arg.is_list()) {
    if (arg.list.empty()) return make_error("Empty FETCH item list");
    for (const auto& a : arg.list) {
      auto item = parse_item(a);
      if (!item) return item.error();
      request.items.push_back(std::move(*item));
    }
  } else {
    auto item = parse_item(arg);
    if (!item) return item.error();
    request.items.push_back(std::move(*item));
  }
  return {};
}

// RFC 7162 3.1.4 CHANGEDSINCE, 3.2.6 VANISHED.
Status parse_modifiers(const ImapArg& list, bool uid_command, FetchRequest& request) {
  if (!list.is_list() || list.list.empty()) return make_error("Invalid FETCH modifiers");
  for (size_t i = 0; i < list.list.size(); ++i) {
    const ImapArg& m = list.list[i];
    if (m.atom_is("CHANGEDSINCE") && !request.changed_since) {
      uint64_t modseq = 0;
      if (i + 1 >= list.list.size() || !list.list[i + 1].is_atom() ||
          !parse_u64(list.list[i + 1].text, modseq) || modseq > uint64_t(INT64_MAX))
        return make_error("Invalid CHANGEDSINCE");
      request.changed_since = modseq;
      ++i;
    } else if (m.atom_is("VANISHED") && !request.vanished) {
      if (!uid_command) return make_error("VANISHED needs UID FETCH");
      request.vanished = true;
    } else {
      return make_error("Unknown or repeated FETCH modifier");
    }
  }
  if (request.vanished && !request.changed_since) return make_error("VANISHED needs CHANGEDSINCE");
  return {};
}

std::string section_text(const FetchItem& item) {
  std::string out;
  for (uint32_t n : item.part) {
    if (!out.empty()) out += '.';
    out += std::to_string(n);
  }
  auto add = [&](std::string_view t) {
    if (!out.empty()) out += '.';
    out += t;
  };
  switch (item.text) {
    case SectionText::kNone:
      break;
    case SectionText::kHeader:
      add("HEADER");
      break;
    case SectionText::kText:
      add("TEXT");
      break;
    case SectionText::kMime:
      add("MIME");
      break;
    case SectionText::kHeaderFields:
      add("HEADER.FIELDS");
      break;
    case SectionText::kHeaderFieldsNot:
      add("HEADER.FIELDS.NOT");
      break;
  }
  if (!item.fields.empty()) {
    out += " (";
    for (size_t i = 0; i < item.fields.size(); ++i) {
      if (i) out += ' ';
      out += item.fields[i];
    }
    out += ')';
  }
  return out;
}

}  // namespace

bool FetchItem::sets_seen() const {
  return !peek && (att == FetchAtt::kBodySection || att == FetchAtt::kBinarySection ||
                   att == FetchAtt::kRfc822 || att == FetchAtt::kRfc822Text);
}

std::string FetchItem::response_name() const {
  for (const auto& s : kSimpleItems) {
    if (s.att == att) return std::string(s.name);
  }
  std::string out = att == FetchAtt::kBodySection     ? "BODY["
                    : att == FetchAtt::kBinarySection ? "BINARY["
                                                      : "BINARY.SIZE[";
  out += section_text(*this);
  out += ']';
  if (partial_origin) out += "<" + std::to_string(*partial_origin) + ">";
  return out;
}

Result<FetchRequest> parse_fetch_items(std::span<const ImapArg> args, bool uid_command) {
  FetchRequest request;
  if (args.empty() || args.size() > 2) return make_error("FETCH needs items");
  if (auto st = add_items(args[0], request); !st) return st.error();
  if (args.size() == 2) {
    if (auto st = parse_modifiers(args[1], uid_command, request); !st) return st.error();
  }
  auto has = [&](FetchAtt a) {
    return std::any_of(request.items.begin(), request.items.end(),
                       [a](const FetchItem& i) { return i.att == a; });
  };
  if (uid_command && !has(FetchAtt::kUid)) request.items.push_back(item_of(FetchAtt::kUid));
  // RFC 7162 3.1.4.1: CHANGEDSINCE implies MODSEQ in every answer.
  if (request.changed_since && !has(FetchAtt::kModSeq))
    request.items.push_back(item_of(FetchAtt::kModSeq));
  request.uses_modseq = has(FetchAtt::kModSeq);
  return request;
}

}  // namespace gm::mail
