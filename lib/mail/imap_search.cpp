#include "mail/imap_search.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "core/str.hpp"
#include "mail/mime_charset.hpp"

namespace gm::mail {
namespace {

// What follows a search key's name.
enum class Shape : uint8_t {
  kNone,
  kString,
  kKeyword,
  kHeader,
  kDate,
  kNumber,
  kSet,
  kModSeq,
  kNot,
  kOr
};

struct KeySpec {
  std::string_view name;
  SearchKey key;
  Shape shape;
};

// RFC 9051 6.4.4 and RFC 3501 6.4.4 (NEW, OLD, RECENT), RFC 7162 (MODSEQ).
constexpr KeySpec kKeys[] = {
    {"ALL", SearchKey::kAll, Shape::kNone},
    {"ANSWERED", SearchKey::kAnswered, Shape::kNone},
    {"BCC", SearchKey::kBcc, Shape::kString},
    {"BEFORE", SearchKey::kBefore, Shape::kDate},
    {"BODY", SearchKey::kBody, Shape::kString},
    {"CC", SearchKey::kCc, Shape::kString},
    {"DELETED", SearchKey::kDeleted, Shape::kNone},
    {"DRAFT", SearchKey::kDraft, Shape::kNone},
    {"FLAGGED", SearchKey::kFlagged, Shape::kNone},
    {"FROM", SearchKey::kFrom, Shape::kString},
    {"HEADER", SearchKey::kHeader, Shape::kHeader},
    {"KEYWORD", SearchKey::kKeyword, Shape::kKeyword},
    {"LARGER", SearchKey::kLarger, Shape::kNumber},
    {"MODSEQ", SearchKey::kModSeq, Shape::kModSeq},
    {"NEW", SearchKey::kNew, Shape::kNone},
    {"NOT", SearchKey::kNot, Shape::kNot},
    {"OLD", SearchKey::kOld, Shape::kNone},
    {"ON", SearchKey::kOn, Shape::kDate},
    {"OR", SearchKey::kOr, Shape::kOr},
    {"RECENT", SearchKey::kRecent, Shape::kNone},
    {"SEEN", SearchKey::kSeen, Shape::kNone},
    {"SENTBEFORE", SearchKey::kSentBefore, Shape::kDate},
    {"SENTON", SearchKey::kSentOn, Shape::kDate},
    {"SENTSINCE", SearchKey::kSentSince, Shape::kDate},
    {"SINCE", SearchKey::kSince, Shape::kDate},
    {"SMALLER", SearchKey::kSmaller, Shape::kNumber},
    {"SUBJECT", SearchKey::kSubject, Shape::kString},
    {"TEXT", SearchKey::kText, Shape::kString},
    {"TO", SearchKey::kTo, Shape::kString},
    {"UID", SearchKey::kUid, Shape::kSet},
    {"UNANSWERED", SearchKey::kUnanswered, Shape::kNone},
    {"UNDELETED", SearchKey::kUndeleted, Shape::kNone},
    {"UNDRAFT", SearchKey::kUndraft, Shape::kNone},
    {"UNFLAGGED", SearchKey::kUnflagged, Shape::kNone},
    {"UNKEYWORD", SearchKey::kUnkeyword, Shape::kKeyword},
    {"UNSEEN", SearchKey::kUnseen, Shape::kNone},
};

constexpr std::array<std::pair<std::string_view, uint8_t>, 5> kReturns = {{
    {"MIN", kReturnMin},
    {"MAX", kReturnMax},
    {"ALL", kReturnAll},
    {"COUNT", kReturnCount},
    {"SAVE", kReturnSave},
}};

const KeySpec* find_key(std::string_view name) {
  for (const auto& k : kKeys) {
    if (iequals(k.name, name)) return &k;
  }
  return nullptr;
}

bool looks_like_set(const ImapArg& a) {
  if (!a.is_atom() || a.text.empty()) return false;
  char c = a.text[0];
  return (c >= '0' && c <= '9') || c == '*' || c == '$';
}

bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

// Walks the argument list; errors are kept here so the recursion's frames
// stay small (kImapMaxSearchDepth of them at most).
class SearchParser {
 public:
  explicit SearchParser(std::span<const ImapArg> args) : args_(args) {}

  bool at_end() const { return pos_ >= args_.size(); }
  const ImapArg& peek() const { return args_[pos_]; }
  const ImapArg& next() { return args_[pos_++]; }
  const std::string& error() const { return error_; }

  bool fail(std::string text) {
    if (error_.empty()) error_ = std::move(text);
    return false;
  }

  bool key(SearchNode& out, size_t depth);

 private:
  bool group(const ImapArg& list, SearchNode& out, size_t depth);
  bool argument(const KeySpec& spec, SearchNode& out, size_t depth);
  bool string_arg(std::string& out);
  bool number_arg(uint64_t& out);
  bool modseq(SearchNode& out);

  std::span<const ImapArg> args_;
  size_t pos_ = 0;
  std::string error_;
};

bool SearchParser::string_arg(std::string& out) {
  if (at_end() || !next().is_astring()) return fail("Missing string argument");
  out = args_[pos_ - 1].text;
  return true;
}

bool SearchParser::number_arg(uint64_t& out) {
  if (at_end() || !peek().is_atom() || !parse_u64(next().text, out)) return fail("Invalid number");
  return true;
}

// RFC 7162 3.1.5: MODSEQ [entry-name entry-type-req] mod-sequence-valzer.
bool SearchParser::modseq(SearchNode& out) {
  if (!at_end() && peek().is_string()) {
    out.modseq_entry = next().text;
    std::string type;
    if (at_end() || !peek().is_atom()) return fail("Missing MODSEQ entry type");
    type = to_lower(next().text);
    if (type != "priv" && type != "shared" && type != "all")
      return fail("Invalid MODSEQ entry type");
    out.modseq_type = type;
  }
  if (!number_arg(out.number)) return false;
  if (out.number > uint64_t(INT64_MAX)) return fail("Invalid mod-sequence");
  return true;
}

bool SearchParser::argument(const KeySpec& spec, SearchNode& out, size_t depth) {
  switch (spec.shape) {
    case Shape::kNone:
      return true;
    case Shape::kString:
      return string_arg(out.text);
    case Shape::kKeyword:
      if (at_end() || !peek().is_atom() || peek().text.empty()) return fail("Missing keyword");
      out.text = next().text;
      return true;
    case Shape::kHeader:
      return string_arg(out.header_field) && string_arg(out.text);
    case Shape::kDate: {
      std::string text;
      if (!string_arg(text)) return false;
      auto date = parse_imap_date(text);
      if (!date) return fail("Invalid date");
      out.date = *date;
      return true;
    }
    case Shape::kNumber:
      return number_arg(out.number);
    case Shape::kSet: {
      if (at_end() || !peek().is_atom()) return fail("Missing sequence set");
      auto set = SequenceSet::parse(next().text);
      if (!set) return fail(set.error().message);
      out.set = std::move(*set);
      return true;
    }
    case Shape::kModSeq:
      return modseq(out);
    case Shape::kNot:
      out.children.resize(1);
      return key(out.children[0], depth + 1);
    case Shape::kOr:
      out.children.resize(2);
      return key(out.children[0], depth + 1) && key(out.children[1], depth + 1);
  }
  return fail("Unknown search key");
}

bool SearchParser::group(const ImapArg& list, SearchNode& out, size_t depth) {
  out.key = SearchKey::kAnd;
  if (list.list.empty()) return fail("Empty search group");
  SearchParser inner(list.list);
  while (!inner.at_end()) {
    out.children.emplace_back();
    if (!inner.key(out.children.back(), depth + 1)) return fail(inner.error());
  }
  return true;
}

bool SearchParser::key(SearchNode& out, size_t depth) {
  if (depth > kImapMaxSearchDepth) return fail("Search keys nested too deeply");
  if (at_end()) return fail("Missing search key");
  const ImapArg& a = next();
  if (a.is_list()) return group(a, out, depth);
  if (looks_like_set(a)) {
    auto set = SequenceSet::parse(a.text);
    if (!set) return fail(set.error().message);
    out.key = SearchKey::kSequenceSet;
    out.set = std::move(*set);
    return true;
  }
  const KeySpec* spec = a.is_atom() ? find_key(a.text) : nullptr;
  if (!spec) return fail("Unknown search key");
  out.key = spec->key;
  return argument(*spec, out, depth);
}

bool uses_modseq(const SearchNode& n, size_t depth = 0) {
  if (n.key == SearchKey::kModSeq) return true;
  if (depth > kImapMaxSearchDepth) return false;
  return std::any_of(n.children.begin(), n.children.end(),
                     [&](const SearchNode& c) { return uses_modseq(c, depth + 1); });
}

// RFC 9051 6.4.4: the strings of the criteria are in the named charset;
// they are matched as UTF-8. Depth is bounded by the parser.
Status strings_to_utf8(SearchNode& n, std::string_view charset) {
  if (!n.text.empty() && n.key != SearchKey::kKeyword && n.key != SearchKey::kUnkeyword) {
    auto utf8 = charset_to_utf8(charset, n.text);
    if (!utf8) return utf8.error();
    n.text = std::move(*utf8);
  }
  for (SearchNode& child : n.children)
    if (Status s = strings_to_utf8(child, charset); !s) return s;
  return {};
}

Result<uint8_t> parse_returns(const ImapArg& list) {
  if (!list.is_list()) return make_error("RETURN needs a list");
  uint8_t bits = 0;
  for (const auto& item : list.list) {
    auto it = std::find_if(kReturns.begin(), kReturns.end(),
                           [&](const auto& r) { return item.atom_is(r.first); });
    if (it == kReturns.end()) return make_error("Unknown RETURN option");
    bits |= it->second;
  }
  return bits == 0 ? uint8_t(kReturnAll) : bits;  // RFC 4731 3.1: () means ALL
}

}  // namespace

Result<SearchProgram> parse_search(std::span<const ImapArg> args) {
  SearchProgram program;
  size_t pos = 0;
  if (pos < args.size() && args[pos].atom_is("RETURN")) {
    if (pos + 1 >= args.size()) return make_error("RETURN needs a list");
    auto returns = parse_returns(args[pos + 1]);
    if (!returns) return returns.error();
    program.esearch = true;
    program.returns = *returns;
    pos += 2;
  }
  if (pos < args.size() && args[pos].atom_is("CHARSET")) {
    if (pos + 1 >= args.size() || !args[pos + 1].is_astring()) return make_error("Missing charset");
    std::string charset = args[pos + 1].text;
    for (char& c : charset) c = char(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    // Every charset iconv converts (Dovecot does the same); the others are
    // NO [BADCHARSET].
    if (charset != "US-ASCII" && charset != "UTF-8" && !CharsetDecoder::create(charset))
      return make_error("BADCHARSET", kImapSearchBadCharset);
    program.charset = std::move(charset);
    pos += 2;
  }
  SearchParser parser(args.subspan(pos));
  program.root.key = SearchKey::kAnd;
  if (parser.at_end()) return make_error("Missing search key");
  while (!parser.at_end()) {
    program.root.children.emplace_back();
    if (!parser.key(program.root.children.back(), 1)) return make_error(parser.error());
  }
  program.uses_modseq = uses_modseq(program.root);
  if (!program.charset.empty() && program.charset != "US-ASCII" && program.charset != "UTF-8")
    if (Status s = strings_to_utf8(program.root, program.charset); !s) return s.error();
  return program;
}

}  // namespace gm::mail
